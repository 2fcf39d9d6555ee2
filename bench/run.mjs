// npm run bench: SPEC.md section 6, measured as ratios against reference commands on this machine in
// this run. Runs on loopback against the emulator (a separate process on the same cores).
//
// Fairness rules (bench/NOTES.md says why each matters):
//   - paired and interleaved: every iteration runs each contender once, in an order that rotates, so a
//     busy moment or a warming cache hits all of them alike; ratios are of medians (--runs, at least 5);
//   - start-up is compared with a bare Node start (NODE_EXTRA_CA_CERTS and NODE_OPTIONS removed for
//     both; the figures with the environment as it is are given beside);
//   - the page cache is warmed before a series, for the references as for rdp;
//   - the server does the same work for both: the emulator's Zenodo bucket hashes (MD5) every PUT
//     whether it keeps the bytes or not (--discard-uploads only skips writing them), and a curl upload
//     and an rdp upload take the same route; NOMAD uploads are processed and deleted between runs;
//   - Zenodo's published rate limit (100 requests a minute, the emulator's default) stays on, and every
//     row counts the 429s the emulator answered. The one exception is the speed part of the small-files
//     row (see there: a new record of 100 files is 101 requests, which no client can send within one
//     minute under that limit); a second part runs it under the limit and counts the 429s.
// Prints a table, writes it to bench/results.md, exits non-zero if a row misses its target.
//
//   node bench/run.mjs [--runs N] [--only startup,zenodo-1g,zenodo-small,nomad-zip,nomad-many,site-multipart] [--keep]
//                      [--compare OTHER/bin/rdp.js]
// --compare runs another build of rdp (say, a checkout of main) as one more contender in the same
// paired series, for before/after figures; its results go in the detail column.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'rdp.js');
const tmp = join(root, 'bench', 'tmp');
const args = process.argv.slice(2);
const RUNS = Math.max(5, Number(args[args.indexOf('--runs') + 1]) || 5);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const want = (name) => !only || only.includes(name);
const other = args.includes('--compare') ? resolve(args[args.indexOf('--compare') + 1]) : undefined;
/** The --compare build as one more contender (none without --compare). */
const compare = (label, run) => (other ? [{ label: `${label} (--compare)`, run: () => run(other) }] : []);
/** Detail text for the --compare build's figures. */
const vs = (text) => (other ? `; --compare: ${text}` : '');

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

// Every contender runs without NODE_EXTRA_CA_CERTS and NODE_OPTIONS, as in the start-up rows (see
// bench/NOTES.md, "How the bench measures"): Node 20 reads and parses the extra certificates at every
// start, before any of rdp's code runs (~90 ms here, with this machine's 144), and curl, md5sum and zip
// never read them. Where it decides a row, rdp also runs with the environment as it is, printed beside.
const bareEnv = { ...process.env };
delete bareEnv.NODE_EXTRA_CA_CERTS;
delete bareEnv.NODE_OPTIONS;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Run a command (argv array, or a shell string) under /usr/bin/time: wall ms, CPU ms (user + sys, the
 * process and the children it waited for) and peak RSS in KB (the largest member of the process tree).
 */
function timed(cmd, { env = {}, shell = false, asIs = false } = {}) {
  return new Promise((resolve, reject) => {
    const argv = shell ? ['sh', '-c', cmd] : cmd;
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', ...argv], { env: { ...(asIs ? process.env : bareEnv), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const [rss, user, sys] = err.trim().split('\n').pop().split(' ').map(Number);
      if (code !== 0) reject(new Error(`${Array.isArray(cmd) ? cmd.join(' ') : cmd} exited ${code}\n${err.slice(-2000)}`));
      else resolve({ ms, rssKb: rss, cpuMs: (user + sys) * 1000, out });
    });
  });
}

/** A start-up: spawned directly (no /usr/bin/time in between), wall ms only. */
function started(argv, env = process.env) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', env });
    child.on('close', (code) => (code === 0 ? resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6 }) : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

/**
 * Paired series: every iteration runs each contender once, the order rotating from one iteration to
 * the next. `between` runs untimed after every run (clean-up). Returns per contender: median wall ms,
 * median CPU ms, peak RSS (MB, the largest of all runs) and all wall times.
 */
async function paired(contenders, { runs = RUNS, between } = {}) {
  const got = contenders.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const j = (i + k) % contenders.length;
      const r = await contenders[j].run(i);
      got[j].push(r);
      await between?.(contenders[j], r);
    }
  }
  return contenders.map((c, j) => {
    const rs = got[j];
    const res = {
      label: c.label,
      ms: median(rs.map((r) => r.ms)),
      cpuMs: rs[0].cpuMs === undefined ? undefined : median(rs.map((r) => r.cpuMs)),
      rssMb: rs[0].rssKb === undefined ? undefined : Math.max(...rs.map((r) => r.rssKb)) / 1024,
      all: rs.map((r) => r.ms),
    };
    console.error(
      `  ${c.label}: median ${res.ms.toFixed(0)} ms (runs: ${res.all.map((m) => m.toFixed(0)).join(', ')})` +
        (res.cpuMs === undefined ? '' : `, CPU ${res.cpuMs.toFixed(0)} ms, peak RSS ${res.rssMb.toFixed(1)} MB`),
    );
    return res;
  });
}

async function startEmulator(extra = []) {
  const child = spawn(process.execPath, [bin, 'emulator', '--json', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  const log = async (service) => (await fetch(`${info.control}/log?service=${service}`)).json();
  return {
    info,
    log,
    /** Statuses 429 the emulator answered to this service so far. */
    tooMany: async (service) => (await log(service)).filter((e) => e.status === 429).length,
    stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGINT'); }),
  };
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

function textFile(path, bytes, seed = 0) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  let s = 'sample,temperature,pressure,humidity,timestamp\n';
  let i = seed;
  while (s.length < bytes) s += `${i},${(20 + (i % 7) * 0.13).toFixed(2)},${(1013 + (i % 11)).toFixed(1)},${40 + (i % 30)},2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z\n`, (i += 1);
  writeFileSync(path, s.slice(0, bytes));
}

/** Read every file under `path` once, so that the page cache holds it for every contender. */
function warm(path) {
  execFileSync('sh', ['-c', `find "$1" -type f -exec cat {} + > /dev/null`, 'sh', path]);
}

/**
 * The machine's CPU times from /proc/stat (Linux; undefined elsewhere): on a virtual machine, `steal` is
 * the time the hypervisor gave the virtual CPUs to someone else, which slows whatever runs then. The
 * share of it while a row was measured goes into the row, so that a figure taken on a busy host reads
 * as one.
 */
function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}
let since = cpuTimes();
/** Start measuring the steal for the rows that follow. */
const section = () => (since = cpuTimes());
const stealText = () => {
  const now = cpuTimes();
  if (!now || !since || now.total === since.total) return '';
  return ` [CPU steal ${((100 * (now.steal - since.steal)) / (now.total - since.total)).toFixed(0)} %]`;
};

const rows = [];
function row(name, target, result, detail, ok) {
  rows.push({ name, target, result, detail: detail + stealText(), ok });
}
const f0 = (ms) => `${ms.toFixed(0)} ms`;

mkdirSync(tmp, { recursive: true });
const headerFile = join(tmp, 'auth-header.txt');
const rdpEnv = (extra) => ({ XDG_CONFIG_HOME: join(tmp, 'config'), XDG_STATE_HOME: join(tmp, 'state'), ...extra });

// 3. start-up, against a bare Node start: without NODE_EXTRA_CA_CERTS (Node 20 reads and parses
// that bundle at every start; with 144 certificates it is most of a start on this machine, which
// would hide what rdp itself costs) and without NODE_OPTIONS. With the environment as it is, the
// ratios are given beside.
if (want('startup')) {
  section();
  const trio = (env) => [
    { label: 'node -e 0', run: () => started([process.execPath, '-e', '0'], env) },
    { label: 'rdp --version', run: () => started([process.execPath, bin, '--version'], env) },
    { label: 'rdp --help', run: () => started([process.execPath, bin, '--help'], env) },
    ...compare('rdp --version', (b) => started([process.execPath, b, '--version'], env)),
    ...compare('rdp --help', (b) => started([process.execPath, b, '--help'], env)),
  ];
  const runs = Math.max(RUNS * 4, 21);
  console.error('start-up: rdp --version, rdp --help vs node -e 0, bare environment (paired, interleaved)');
  const [base, ver, help, verC, helpC] = await paired(trio(bareEnv), { runs });
  let asIs = '';
  if (process.env.NODE_EXTRA_CA_CERTS || process.env.NODE_OPTIONS) {
    console.error('start-up: the same with the environment as it is (NODE_EXTRA_CA_CERTS / NODE_OPTIONS set)');
    const [b2, v2, h2] = await paired(trio(process.env), { runs });
    asIs = { ver: `; as the environment is: ${(v2.ms / b2.ms).toFixed(2)} x (${v2.ms.toFixed(1)} vs ${b2.ms.toFixed(1)} ms)`, help: `; as the environment is: ${(h2.ms / b2.ms).toFixed(2)} x (${h2.ms.toFixed(1)} vs ${b2.ms.toFixed(1)} ms)` };
  }
  const r1 = ver.ms / base.ms;
  const r2 = help.ms / base.ms;
  row('start-up: rdp --version', '<= 1.5 x node -e 0 (bare)', `${r1.toFixed(2)} x`, `${ver.ms.toFixed(1)} ms vs ${base.ms.toFixed(1)} ms${asIs ? asIs.ver : ''}${vs(`${(verC?.ms / base.ms).toFixed(2)} x`)}`, r1 <= 1.5);
  row('start-up: rdp --help', '<= 1.3 x node -e 0 (bare)', `${r2.toFixed(2)} x`, `${help.ms.toFixed(1)} ms vs ${base.ms.toFixed(1)} ms${asIs ? asIs.help : ''}${vs(`${(helpC?.ms / base.ms).toFixed(2)} x`)}`, r2 <= 1.3);
}

// 1. one 1 GiB file to Zenodo (and one of 256 MiB: memory must not grow with the size)
if (want('zenodo-1g')) {
  section();
  console.error('zenodo: one file of 1 GiB and one of 256 MiB, rdp upload vs curl -T to a bucket and md5sum (paired)');
  const big = join(tmp, 'one-gib.bin');
  const quarter = join(tmp, 'quarter-gib.bin');
  await randomFile(big, 1 << 30);
  await randomFile(quarter, 1 << 28);
  // The server keeps sizes and checksums only: writing 10 GiB to its temporary folder would make the
  // later runs slower than the earlier ones (page-cache writeback), whoever they are. It still reads
  // and hashes every byte, for curl as for rdp.
  const emu = await startEmulator(['--discard-uploads']);
  try {
    const z = emu.info.services.zenodo;
    writeFileSync(headerFile, `Authorization: Bearer ${z.token}\n`, { mode: 0o600 });
    const env = rdpEnv({ RDP_ZENODO_URL: z.url, RDP_ZENODO_TOKEN: z.token });
    const series = async (file) => {
      warm(file);
      const md5 = execFileSync('md5sum', [file]).toString().split(' ')[0];
      return paired([
        { label: 'md5sum', run: () => timed(['md5sum', file]) },
        {
          label: 'curl -T',
          run: async () => {
            const dep = await api(`${z.url}/api/deposit/depositions`, { method: 'POST', token: z.token, body: {} });
            const r = await timed(['curl', '-sS', '-f', '-H', `@${headerFile}`, '-T', file, `${dep.links.bucket}/data.bin`]);
            // the reference must really have sent every byte: the server's checksum says so
            if (JSON.parse(r.out).checksum !== `md5:${md5}`) throw new Error(`curl's upload arrived with ${r.out}`);
            return r;
          },
        },
        { label: 'rdp upload', run: () => timed([process.execPath, bin, 'upload', file, '--to', 'zenodo', '--new-record', '--quiet'], { env }) },
        ...compare('rdp upload', (b) => timed([process.execPath, b, 'upload', file, '--to', 'zenodo', '--new-record', '--quiet'], { env })),
      ]);
    };
    const [md5, curl, rdp, rdpC] = await series(big);
    const [md5q, curlq, rdpq, rdpqC] = await series(quarter);
    const ref = Math.max(curl.ms, md5.ms);
    const r = rdp.ms / ref;
    const rq = rdpq.ms / Math.max(curlq.ms, md5q.ms);
    const tooMany = await emu.tooMany('zenodo');
    row('Zenodo: 1 GiB file', '<= 1.10 x max(curl -T, md5sum)', `${r.toFixed(2)} x`, `rdp ${f0(rdp.ms)}, curl ${f0(curl.ms)}, md5sum ${f0(md5.ms)}; CPU: rdp ${f0(rdp.cpuMs)}, curl ${f0(curl.cpuMs)}; 256 MiB: ${rq.toFixed(2)} x; 429s: ${tooMany}${vs(`${(rdpC?.ms / ref).toFixed(2)} x (CPU ${f0(rdpC?.cpuMs ?? 0)}), 256 MiB ${(rdpqC?.ms / Math.max(curlq.ms, md5q.ms)).toFixed(2)} x`)}`, r <= 1.1 && tooMany === 0);
    row('Zenodo: 1 GiB file, peak RSS', '< 90 MB', `${rdp.rssMb.toFixed(1)} MB`, `rdp process (/usr/bin/time %M), largest of all runs${vs(`${rdpC?.rssMb.toFixed(1)} MB`)}`, rdp.rssMb < 90);
    // flat: four times the bytes, (almost) no more memory; 5 MB is run-to-run noise of RSS.
    const growth = rdp.rssMb - rdpq.rssMb;
    row('Zenodo: peak RSS flat in the size', '1 GiB <= 256 MiB + 5 MB', `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`, `256 MiB: ${rdpq.rssMb.toFixed(1)} MB, 1 GiB: ${rdp.rssMb.toFixed(1)} MB${vs(`${rdpqC?.rssMb.toFixed(1)} MB, ${rdpC?.rssMb.toFixed(1)} MB`)}`, growth <= 5);
  } finally {
    await emu.stop();
  }
}

// 2. 100 files of 8 KiB with 50 ms latency per request
if (want('zenodo-small')) {
  section();
  const dir = join(tmp, 'small-files');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 100; i++) {
    const p = join(dir, `part-${String(i).padStart(3, '0')}.dat`);
    if (!existsSync(p)) writeFileSync(p, randomBytes(8192));
  }
  warm(dir);
  const curlLoop = async (z) => {
    const dep = await api(`${z.url}/api/deposit/depositions`, { method: 'POST', token: z.token, body: {} });
    const script = `for f in ${dir}/*.dat; do curl -sS -f -o /dev/null -H @${headerFile} -T "$f" "${dep.links.bucket}/$(basename "$f")" || exit 1; done`;
    return timed(script, { shell: true });
  };
  const rdpRun = (z, b = bin, asIs = false) => timed([process.execPath, b, 'upload', dir, '--to', 'zenodo', '--new-record', '--quiet'], { env: rdpEnv({ RDP_ZENODO_URL: z.url, RDP_ZENODO_TOKEN: z.token }), asIs });

  // Speed, with the emulator's rate limit off: a new record of 100 files is 101 requests (create +
  // 100 PUTs), one more than Zenodo's 100 a minute, so under the limit any client that gets no 429
  // takes over a minute, rdp and a curl loop alike, and the ratio would say nothing.
  console.error('zenodo: 100 files of 8 KiB, 50 ms latency, rdp (default concurrency) vs a one-at-a-time curl loop (paired, rate limit off)');
  let speed;
  {
    const emu = await startEmulator(['--latency', '50', '--no-rate-limit']);
    try {
      const z = emu.info.services.zenodo;
      writeFileSync(headerFile, `Authorization: Bearer ${z.token}\n`, { mode: 0o600 });
      const asIs = 'NODE_EXTRA_CA_CERTS' in process.env || 'NODE_OPTIONS' in process.env;
      const got = await paired([
        { label: 'curl loop', run: () => curlLoop(z) },
        { label: 'rdp upload', run: () => rdpRun(z) },
        ...(asIs ? [{ label: 'rdp upload, environment as it is', run: () => rdpRun(z, bin, true) }] : []),
        ...compare('rdp upload', (b) => rdpRun(z, b)),
      ]);
      const [curl, rdp] = got;
      const rdpA = got.find((r) => r.label === 'rdp upload, environment as it is');
      const rdpC = got.find((r) => r.label.endsWith('(--compare)'));
      speed = curl.ms / rdp.ms;
      const asIsText = rdpA ? `; with the environment as it is (NODE_EXTRA_CA_CERTS read at every start): ${(curl.ms / rdpA.ms).toFixed(2)} x (${f0(rdpA.ms)})` : '';
      row('Zenodo: 100 x 8 KiB, 50 ms latency', '>= 4 x faster than a sequential curl loop', `${speed.toFixed(2)} x faster`, `rdp ${f0(rdp.ms)}, curl loop ${f0(curl.ms)} (rate limit off, see the next row)${asIsText}${vs(`${(curl.ms / rdpC?.ms).toFixed(2)} x faster`)}`, speed >= 4);
    } finally {
      await emu.stop();
    }
  }
  // Under Zenodo's limit (the emulator's default: 100 a minute per token, X-RateLimit-* headers):
  // one run each, in a fresh window (a fresh emulator), counting the 429s answered.
  console.error("zenodo: the same upload under Zenodo's rate limit (100/min), one run each in a fresh window, counting 429s");
  {
    const emu = await startEmulator(['--latency', '50']);
    let rdp;
    let log;
    try {
      rdp = await rdpRun(emu.info.services.zenodo);
      log = await emu.log('zenodo');
    } finally {
      await emu.stop();
    }
    const rdp429 = log.filter((e) => e.status === 429).length;
    const emu2 = await startEmulator(['--latency', '50']);
    let curl429;
    try {
      const z = emu2.info.services.zenodo;
      writeFileSync(headerFile, `Authorization: Bearer ${z.token}\n`, { mode: 0o600 });
      await curlLoop(z).catch(() => {}); // curl -f stops the loop at the first refusal
      curl429 = await emu2.tooMany('zenodo');
    } finally {
      await emu2.stop();
    }
    console.error(`  rdp: ${log.length} requests, ${rdp429} answered 429, ${f0(rdp.ms)}; curl loop: ${curl429} answered 429`);
    row(
      "Zenodo: 100 x 8 KiB under Zenodo's limit (100/min)",
      'zero 429s',
      `${rdp429} x 429`,
      `rdp ${f0(rdp.ms)} for ${log.length} requests (the 101st waits for the next window); a curl loop under the same limit: ${curl429} x 429`,
      rdp429 === 0,
    );
  }
}

/** NOMAD rows: rdp (a stored zip streamed) vs zip -0 -r - DIR | curl -T - URL; every upload processed, then deleted. */
async function nomadSeries(dir, label) {
  const emu = await startEmulator();
  try {
    const n = emu.info.services.nomad;
    writeFileSync(headerFile, `Authorization: Bearer ${n.token}\nAccept: application/json\n`, { mode: 0o600 });
    const env = rdpEnv({ RDP_NOMAD_URL: n.url, RDP_NOMAD_TOKEN: n.token });
    warm(dir);
    // Between runs (untimed): wait for the emulator to finish unpacking, then delete the upload, so that
    // no run shares the cores with the previous one's processing and NOMAD's limit of 10 unpublished
    // uploads is never reached.
    const cleanUp = async () => {
      const { data } = await api(`${n.url}/uploads?page_size=100`, { token: n.token });
      for (const u of data) {
        for (;;) {
          const { data: now } = await api(`${n.url}/uploads/${u.upload_id}`, { token: n.token });
          if (!now.process_running) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await api(`${n.url}/uploads/${u.upload_id}`, { method: 'DELETE', token: n.token });
        // deleting is a process too: wait until the upload (and its unpacked files) are gone
        while ((await fetch(`${n.url}/uploads/${u.upload_id}`, { headers: { authorization: `Bearer ${n.token}` } })).status !== 404) {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    console.error(`nomad: ${label}, rdp (stored zip, streamed) vs zip -0 -r - DIR | curl -T - URL (paired)`);
    const results = await paired(
      [
        {
          label: 'zip -0 | curl',
          run: () => timed(`cd ${dir} && zip -q -0 -r - . | curl -sS -f -o /dev/null -X POST -H @${headerFile} -T - "${n.url}/uploads?file_name=bench.zip"`, { shell: true }),
        },
        { label: 'rdp upload', run: () => timed([process.execPath, bin, 'upload', dir, '--to', 'nomad', '--no-wait', '--quiet'], { env }) },
        ...compare('rdp upload', (b) => timed([process.execPath, b, 'upload', dir, '--to', 'nomad', '--no-wait', '--quiet'], { env })),
      ],
      { between: cleanUp },
    );
    return { ref: results[0], rdp: results[1], rdpC: results[2] };
  } finally {
    await emu.stop();
  }
}

// 4. NOMAD: a 500 MB folder of mixed file sizes, streamed as a stored zip
if (want('nomad-zip')) {
  section();
  const dir = join(tmp, 'nomad-folder');
  mkdirSync(join(dir, 'raw'), { recursive: true });
  mkdirSync(join(dir, 'tables'), { recursive: true });
  mkdirSync(join(dir, 'small'), { recursive: true });
  await randomFile(join(dir, 'raw', 'trajectory.bin'), 200_000_000);
  for (let i = 0; i < 10; i++) await randomFile(join(dir, 'raw', `frame-${i}.bin`), 15_000_000);
  for (let i = 0; i < 20; i++) textFile(join(dir, 'tables', `table-${i}.csv`), 6_000_000, i);
  for (let i = 0; i < 500; i++) textFile(join(dir, 'small', `run-${i}.out`), 60_000, i);
  const { ref, rdp, rdpC } = await nomadSeries(dir, '500 MB folder of mixed sizes');
  const r = rdp.ms / ref.ms;
  row('NOMAD: 500 MB folder as zip', '<= 1.1 x zip -0 -r - DIR | curl -T -', `${r.toFixed(2)} x`, `rdp ${f0(rdp.ms)}, zip -0|curl ${f0(ref.ms)}; CPU: rdp ${f0(rdp.cpuMs)}, zip+curl ${f0(ref.cpuMs)}${vs(`${(rdpC?.ms / ref.ms).toFixed(2)} x (CPU ${f0(rdpC?.cpuMs ?? 0)})`)}`, r <= 1.1);
  row('NOMAD: 500 MB folder, peak RSS', '< 90 MB', `${rdp.rssMb.toFixed(1)} MB`, `rdp process (/usr/bin/time %M), largest of all runs${vs(`${rdpC?.rssMb.toFixed(1)} MB`)}`, rdp.rssMb < 90);
}

// 5. NOMAD: a folder of 10,000 small files (memory must not grow with the number of files)
if (want('nomad-many')) {
  section();
  const dir = join(tmp, 'nomad-many');
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length !== 100) {
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(dir, `run-${String(d).padStart(3, '0')}`), { recursive: true });
      for (let i = 0; i < 100; i++) textFile(join(dir, `run-${String(d).padStart(3, '0')}`, `step-${String(i).padStart(3, '0')}.out`), 1000 + ((d * 100 + i) % 4000), d * 100 + i);
    }
  }
  const { ref, rdp, rdpC } = await nomadSeries(dir, '10,000 small files (1-5 kB)');
  row('NOMAD: 10,000 small files, peak RSS', '< 90 MB', `${rdp.rssMb.toFixed(1)} MB`, `rdp ${f0(rdp.ms)} (CPU ${f0(rdp.cpuMs)}), zip -0|curl ${f0(ref.ms)} (no time target)${vs(`${rdpC?.rssMb.toFixed(1)} MB, ${f0(rdpC?.ms ?? 0)} (CPU ${f0(rdpC?.cpuMs ?? 0)})`)}`, rdp.rssMb < 90);
}

// 6. A site with multipart uploads (SPEC.md section 6): one 1 GiB file to the emulator's InvenioRDM
// site (added with `rdp sites add`), <= 1.10 x max(curl -T, md5sum), peak RSS < 90 MB; then one run
// whose connection is cut once 60 % of the file has arrived (part 20 of 32 cut half-way), which must
// resend at most one part. The reference sends the same file through the same server as one stream
// (an `L` file: init, PUT content, commit), which the site hashes as it arrives; with
// --discard-uploads the site keeps no bytes and computes a multipart file's checksum from its parts
// (the S3-style ETag) rather than reading the file again, so neither contender pays for a disk write.
if (want('site-multipart')) {
  section();
  console.error('site: one file of 1 GiB to an InvenioRDM site, rdp upload (multipart) vs curl -T of one stream and md5sum (paired)');
  const big = join(tmp, 'one-gib.bin');
  await randomFile(big, 1 << 30);
  const emu = await startEmulator(['--discard-uploads', '--no-rate-limit']);
  try {
    const site = emu.info.services.invenio;
    const env = rdpEnv({ RDP_DEMO_TOKEN: site.token });
    execFileSync(process.execPath, [bin, 'sites', 'add', 'demo', site.url, '--quiet'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(headerFile, `Authorization: Bearer ${site.token}\n`, { mode: 0o600 });
    warm(big);
    const md5 = execFileSync('md5sum', [big]).toString().split(' ')[0];
    const rdpRun = (b = bin, extra = []) => timed([process.execPath, b, 'upload', big, '--to', 'demo', '--title', 'bench', '--new-record', ...extra], { env });
    const [ref5, curl, rdp, rdpC] = await paired([
      { label: 'md5sum', run: () => timed(['md5sum', big]) },
      {
        label: 'curl -T',
        run: async () => {
          const draft = await api(`${site.url}/api/records`, { method: 'POST', token: site.token, body: { metadata: { title: 'bench' } } });
          const files = `${site.url}/api/records/${draft.id}/draft/files`;
          await api(files, { method: 'POST', token: site.token, body: [{ key: 'data.bin' }] });
          const r = await timed(['curl', '-sS', '-f', '-o', '/dev/null', '-H', `@${headerFile}`, '-H', 'Content-Type: application/octet-stream', '-T', big, `${files}/data.bin/content`]);
          const committed = await api(`${files}/data.bin/commit`, { method: 'POST', token: site.token });
          // the reference must really have sent every byte: the site's checksum says so
          if (committed.checksum !== `md5:${md5}`) throw new Error(`curl's upload arrived with ${JSON.stringify(committed)}`);
          return r;
        },
      },
      { label: 'rdp upload', run: () => rdpRun(bin, ['--quiet']) },
      ...compare('rdp upload', (b) => rdpRun(b, ['--quiet'])),
    ]);
    const ref = Math.max(curl.ms, ref5.ms);
    const r = rdp.ms / ref;
    // The cut: part 20 of 32 (32 MiB parts) is cut after half its bytes, about 60 % into the file.
    await fetch(`${emu.info.control}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'invenio', method: 'PUT', path: '/api/records/*/draft/files/one-gib.bin/content/20', action: 'cut', afterBytes: 16 * 1024 * 1024 }),
    });
    const cut = await rdpRun(bin, ['--json']);
    const mp = JSON.parse(cut.out).multipart ?? {};
    const parts = 32; // 1 GiB in rdp's default parts of 32 MiB
    const resent = (mp.partRequests ?? Number.NaN) - parts;
    console.error(`  cut at 60 %: ${mp.partRequests} part requests for ${parts} parts`);
    row('Site, multipart: 1 GiB file', '<= 1.10 x max(curl -T, md5sum)', `${r.toFixed(2)} x`, `rdp ${f0(rdp.ms)} (${parts} parts of 32 MiB, 4 at a time), curl one stream ${f0(curl.ms)}, md5sum ${f0(ref5.ms)}; CPU: rdp ${f0(rdp.cpuMs)}, curl ${f0(curl.cpuMs)}${vs(`${(rdpC?.ms / ref).toFixed(2)} x`)}`, r <= 1.1);
    row('Site, multipart: 1 GiB file, peak RSS', '< 90 MB', `${rdp.rssMb.toFixed(1)} MB`, `rdp process (/usr/bin/time %M), largest of all runs; the cut run: ${(cut.rssKb / 1024).toFixed(1)} MB`, rdp.rssMb < 90);
    row('Site, multipart: a cut at 60 %', 'at most one part sent again', `${resent} part${resent === 1 ? '' : 's'} again`, `${mp.partRequests} part requests for ${parts} parts; the upload completed (exit 0) in ${f0(cut.ms)}`, resent >= 0 && resent <= 1);
  } finally {
    await emu.stop();
  }
}

rmSync(headerFile, { force: true });
if (!args.includes('--keep')) {
  rmSync(join(tmp, 'config'), { recursive: true, force: true });
  rmSync(join(tmp, 'state'), { recursive: true, force: true });
}

const cell = (s) => String(s).replace(/\|/g, '\\|');
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
const table = [
  `| row | target | result | measured (medians of ${RUNS} paired runs; start-up: ${Math.max(RUNS * 4, 21)}) | pass |`,
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.name)} | ${cell(r.target)} | ${cell(r.result)} | ${cell(r.detail)} | ${r.ok === undefined ? 'n/a' : r.ok ? 'yes' : '**no**'} |`),
].join('\n');
const doc = `# rdp benchmark results\n\nDate: ${date}. Machine: ${machine}.\nCommand: \`npm run bench\` (bench/run.mjs; how it measures: bench/NOTES.md).\n\n${table}\n`;
console.log(`\n${table}\n`);
if (!only && !other) writeFileSync(join(root, 'bench', 'results.md'), doc);
console.error(only || other ? 'bench/results.md left as it was (--only, --compare)' : `wrote bench/results.md (${machine})`);
if (rows.some((r) => r.ok === false)) process.exitCode = 1;
