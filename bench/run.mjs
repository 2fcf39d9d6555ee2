// npm run bench: SPEC.md section 6, measured as ratios against reference commands on this machine in
// this run (medians of at least 5 runs). Runs on loopback against the emulator (a separate process,
// rate limit off; 50 ms of injected latency for the small-files row). Prints a table, writes it to
// bench/results.md, and exits non-zero if a ratio misses its target.
//
//   node bench/run.mjs [--runs N] [--only startup,zenodo-1g,zenodo-small,nomad-zip] [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'rdp.js');
const tmp = join(root, 'bench', 'tmp');
const args = process.argv.slice(2);
const RUNS = Math.max(5, Number(args[args.indexOf('--runs') + 1]) || 5);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const want = (name) => !only || only.includes(name);

function need(cmd, pkg) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  } catch {
    console.error(`bench: ${cmd} is needed (apt-get install ${pkg})`);
    process.exit(2);
  }
}
need('curl', 'curl');
need('md5sum', 'coreutils');
need('zip', 'zip');
if (!existsSync('/usr/bin/time')) {
  console.error('bench: /usr/bin/time is needed for peak RSS (apt-get install time)');
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Run a command (argv array, or a shell string); returns wall ms and peak RSS (KB) of the process tree's largest member. */
function timed(cmd, { env = {}, input, shell = false } = {}) {
  return new Promise((resolve, reject) => {
    const argv = shell ? ['sh', '-c', cmd] : cmd;
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', ...argv], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(input ?? '');
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const lines = err.trim().split('\n');
      const rssKb = Number(lines[lines.length - 1]);
      if (code !== 0) reject(new Error(`${Array.isArray(cmd) ? cmd.join(' ') : cmd} exited ${code}\n${err.slice(-2000)}`));
      else resolve({ ms, rssKb, out });
    });
  });
}

async function series(label, fn) {
  const ms = [];
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await fn(i);
    ms.push(r.ms);
    rss.push(r.rssKb);
  }
  const res = { label, ms: median(ms), rssMb: Math.max(...rss) / 1024, all: ms };
  console.error(`  ${label}: median ${res.ms.toFixed(0)} ms (runs: ${ms.map((m) => m.toFixed(0)).join(', ')}), peak RSS ${res.rssMb.toFixed(0)} MB`);
  return res;
}

async function startEmulator(extra = []) {
  const child = spawn(process.execPath, [bin, 'emulator', '--json', '--no-rate-limit', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  const info = JSON.parse(line);
  return { info, stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGINT'); }) };
}

async function api(url, { method = 'GET', token, body, headers = {} } = {}) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function sparseFile(path, bytes) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  execFileSync('truncate', ['-s', String(bytes), path]);
}

async function randomFile(path, bytes) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  const out = createWriteStream(path);
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, 1 << 20);
    if (!out.write(randomBytes(n))) await new Promise((r) => out.once('drain', r));
    left -= n;
  }
  await new Promise((r) => out.end(r));
}

function textFile(path, bytes) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  const row = 'sample,temperature,pressure,humidity,timestamp\n';
  let s = row;
  let i = 0;
  while (s.length < bytes) s += `${i},${(20 + (i % 7) * 0.13).toFixed(2)},${(1013 + (i % 11)).toFixed(1)},${40 + (i % 30)},2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z\n`, (i += 1);
  writeFileSync(path, s.slice(0, bytes));
}

const rows = [];
function row(name, target, ratio, detail, ok) {
  rows.push({ name, target, ratio, detail, ok });
}

mkdirSync(tmp, { recursive: true });
const headerFile = join(tmp, 'auth-header.txt');

// 3. start-up
if (want('startup')) {
  console.error('start-up: rdp --version, rdp --help vs node -e 0');
  const base = await series('node -e 0', () => timed([process.execPath, '-e', '0']));
  const ver = await series('rdp --version', () => timed([process.execPath, bin, '--version']));
  const help = await series('rdp --help', () => timed([process.execPath, bin, '--help']));
  const r1 = ver.ms / base.ms;
  const r2 = help.ms / base.ms;
  row('start-up: rdp --version', '<= 1.5 x node -e 0', `${r1.toFixed(2)} x`, `${ver.ms.toFixed(0)} ms vs ${base.ms.toFixed(0)} ms`, r1 <= 1.5);
  row('start-up: rdp --help', '<= 1.5 x node -e 0', `${r2.toFixed(2)} x`, `${help.ms.toFixed(0)} ms vs ${base.ms.toFixed(0)} ms`, r2 <= 1.5);
}

// 1. one 1 GiB file to Zenodo
if (want('zenodo-1g')) {
  console.error('zenodo: one 1 GiB file, rdp upload vs curl -T to a bucket and md5sum');
  const big = join(tmp, 'one-gib.bin');
  await randomFile(big, 1 << 30);
  // The server keeps sizes and checksums only: writing 10 GiB to its temporary folder would make the
  // later runs slower than the earlier ones (page-cache writeback), whoever they are.
  const emu = await startEmulator(['--discard-uploads']);
  try {
    const z = emu.info.services.zenodo;
    writeFileSync(headerFile, `Authorization: Bearer ${z.token}\n`, { mode: 0o600 });
    const env = { RDP_ZENODO_URL: z.url, RDP_ZENODO_TOKEN: z.token, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_STATE_HOME: join(tmp, 'state') };
    const md5 = await series('md5sum', () => timed(['md5sum', big]));
    const curl = await series('curl -T', async () => {
      const dep = await api(`${z.url}/api/deposit/depositions`, { method: 'POST', token: z.token, body: {} });
      return timed(['curl', '-sS', '-f', '-o', '/dev/null', '-H', `@${headerFile}`, '-T', big, `${dep.links.bucket}/one-gib.bin`]);
    });
    const rdp = await series('rdp upload', () => timed([process.execPath, bin, 'upload', big, '--to', 'zenodo', '--new-record', '--quiet'], { env }));
    const ref = Math.max(curl.ms, md5.ms);
    const r = rdp.ms / ref;
    row('Zenodo: 1 GiB file', '<= 1.25 x max(curl, md5sum)', `${r.toFixed(2)} x`, `rdp ${rdp.ms.toFixed(0)} ms, curl ${curl.ms.toFixed(0)} ms, md5sum ${md5.ms.toFixed(0)} ms`, r <= 1.25);
    row('Zenodo: 1 GiB file, peak RSS', '< 120 MB', `${rdp.rssMb.toFixed(0)} MB`, 'rdp process (/usr/bin/time %M)', rdp.rssMb < 120);
  } finally {
    await emu.stop();
  }
}

// 2. 100 files of 8 KiB with 50 ms latency per request
if (want('zenodo-small')) {
  console.error('zenodo: 100 files of 8 KiB, 50 ms latency, rdp (default concurrency) vs a one-at-a-time curl loop');
  const dir = join(tmp, 'small-files');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 100; i++) {
    const p = join(dir, `part-${String(i).padStart(3, '0')}.dat`);
    if (!existsSync(p)) writeFileSync(p, randomBytes(8192));
  }
  const emu = await startEmulator(['--latency', '50']);
  try {
    const z = emu.info.services.zenodo;
    writeFileSync(headerFile, `Authorization: Bearer ${z.token}\n`, { mode: 0o600 });
    const env = { RDP_ZENODO_URL: z.url, RDP_ZENODO_TOKEN: z.token, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_STATE_HOME: join(tmp, 'state') };
    const curl = await series('curl loop', async () => {
      const dep = await api(`${z.url}/api/deposit/depositions`, { method: 'POST', token: z.token, body: {} });
      const script = `for f in ${dir}/*.dat; do curl -sS -f -o /dev/null -H @${headerFile} -T "$f" "${dep.links.bucket}/$(basename "$f")" || exit 1; done`;
      return timed(script, { shell: true });
    });
    const rdp = await series('rdp upload', () => timed([process.execPath, bin, 'upload', dir, '--to', 'zenodo', '--new-record', '--quiet'], { env }));
    const speedup = curl.ms / rdp.ms;
    row('Zenodo: 100 x 8 KiB, 50 ms latency', '>= 3.5 x faster than sequential curl', `${speedup.toFixed(2)} x faster`, `rdp ${rdp.ms.toFixed(0)} ms, curl loop ${curl.ms.toFixed(0)} ms`, speedup >= 3.5);
  } finally {
    await emu.stop();
  }
}

// 4. NOMAD: a 500 MB folder of mixed file sizes, streamed as zip
if (want('nomad-zip')) {
  console.error('nomad: 500 MB folder of mixed sizes, rdp (streamed zip) vs zip -r - DIR | curl -T - URL');
  const dir = join(tmp, 'nomad-folder');
  mkdirSync(join(dir, 'raw'), { recursive: true });
  mkdirSync(join(dir, 'tables'), { recursive: true });
  mkdirSync(join(dir, 'small'), { recursive: true });
  await randomFile(join(dir, 'raw', 'trajectory.bin'), 200_000_000);
  for (let i = 0; i < 10; i++) await randomFile(join(dir, 'raw', `frame-${i}.bin`), 15_000_000);
  for (let i = 0; i < 20; i++) textFile(join(dir, 'tables', `table-${i}.csv`), 6_000_000);
  for (let i = 0; i < 500; i++) textFile(join(dir, 'small', `run-${i}.out`), 60_000);
  const emu = await startEmulator();
  try {
    const n = emu.info.services.nomad;
    writeFileSync(headerFile, `Authorization: Bearer ${n.token}\nAccept: application/json\n`, { mode: 0o600 });
    const env = { RDP_NOMAD_URL: n.url, RDP_NOMAD_TOKEN: n.token, XDG_CONFIG_HOME: join(tmp, 'config') };
    const ref = await series('zip | curl', () =>
      timed(`cd ${dir} && zip -q -r - . | curl -sS -f -o /dev/null -X POST -H @${headerFile} -T - "${n.url}/uploads?file_name=bench.zip"`, { shell: true }),
    );
    const rdp = await series('rdp upload', () => timed([process.execPath, bin, 'upload', dir, '--to', 'nomad', '--no-wait', '--quiet'], { env }));
    const r = rdp.ms / ref.ms;
    row('NOMAD: 500 MB folder as zip', '<= 1.3 x zip -r | curl -T', `${r.toFixed(2)} x`, `rdp ${rdp.ms.toFixed(0)} ms, zip|curl ${ref.ms.toFixed(0)} ms`, r <= 1.3);
    row('NOMAD: 500 MB folder, peak RSS', '< 120 MB', `${rdp.rssMb.toFixed(0)} MB`, 'rdp process (/usr/bin/time %M)', rdp.rssMb < 120);
  } finally {
    await emu.stop();
  }
}

rmSync(headerFile, { force: true });
if (!args.includes('--keep')) rmSync(join(tmp, 'config'), { recursive: true, force: true });

const cell = (s) => String(s).replace(/\|/g, '\\|');
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
const table = [
  '| row | target | result | measured (medians of ' + RUNS + ' runs) | pass |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.name)} | ${cell(r.target)} | ${cell(r.ratio)} | ${cell(r.detail)} | ${r.ok ? 'yes' : '**no**'} |`),
].join('\n');
const doc = `# rdp benchmark results\n\nDate: ${date}. Machine: ${machine}.\nCommand: \`npm run bench\` (bench/run.mjs).\n\n${table}\n`;
console.log(`\n${table}\n`);
writeFileSync(join(root, 'bench', 'results.md'), doc);
console.error(`wrote bench/results.md (${machine})`);
if (rows.some((r) => !r.ok)) process.exitCode = 1;
