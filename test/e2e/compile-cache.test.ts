// The start-up code cache (dist/cache/, bin/compile-cache.cjs) can make rdp start faster and must never
// change what it does: a copy of the built package is run with its cache intact, missing, stale (a file
// edited after the build; a cache from another build), damaged, made by another Node or for other V8
// flags, and installed read-only, and every run must print exactly what the intact copy prints. On
// Node 20 the cache is used, which a preloaded hook on vm.Script records (so a test also proves the
// cache is not silently dead); Node >= 22.1 uses its own compile cache instead, where only the outputs
// are compared.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

/** Node >= 22.1 keeps compiled code itself; bin/rdp.js then leaves dist/cache/ alone. */
const nodeCaches = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

const HOOK = `
const vm = require('node:vm');
const Orig = vm.Script;
const log = [];
vm.Script = class extends Orig {
  constructor(src, opts) {
    super(src, opts);
    if (opts && opts.cachedData) log.push((this.cachedDataRejected ? 'rejected ' : 'used ') + opts.filename);
  }
};
process.on('exit', () => require('node:fs').writeFileSync(process.env.RDP_TEST_VM_LOG, log.join('\\n')));
`;

let dir: string;
let hook: string;
let work: string;

/** A copy of the built package (bin/, dist/, package.json; node_modules linked) in `name`. */
function copy(name: string): string {
  const to = join(dir, name);
  mkdirSync(to);
  for (const p of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, p), join(to, p), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'));
  return to;
}

interface Run {
  code: number | null;
  out: string;
  /** What the hook saw: "used rdp/dist/cli.js", "rejected ...". */
  vm: string[];
}

// `--no-color --help`, not `--help` alone: bin/rdp.js prints the latter from dist/help.txt without
// loading the CLI (test/e2e/help-fast-path.test.ts), and this is about the CLI's start-up path.
const HELP = ['--no-color', '--help'];
const COMMANDS: string[][] = [HELP, ['upload', 'a.txt', '--to', 'zenodo', '--dry-run'], ['upload', 'nope', '--to', 'zenodo']];

function run(pkg: string, args: string[], opts: { nodeArgs?: string[]; asNobody?: boolean; env?: Record<string, string> } = {}): Run {
  const log = join(dir, `vm-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const node = [...(opts.nodeArgs ?? []), '-r', hook, join(pkg, 'bin', 'rdp.js'), ...args];
  const [cmd, argv] = opts.asNobody ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...node]] : [process.execPath, node];
  const r = spawnSync(cmd as string, argv as string[], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: work, XDG_CONFIG_HOME: join(work, 'config'), NO_COLOR: '1', TZ: 'UTC', RDP_TEST_VM_LOG: log, ...opts.env },
  });
  const vm = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { code: r.status, out: `${r.stdout}\n--- stderr\n${r.stderr}`, vm };
}

let reference: Run[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-cache-'));
  chmodSync(dir, 0o755); // readable by the unprivileged user of the read-only test
  hook = join(dir, 'hook.cjs');
  writeFileSync(hook, HOOK);
  work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'a.txt'), 'hello\n');
  chmodSync(work, 0o777);
  const pkg = copy('intact');
  reference = COMMANDS.map((c) => run(pkg, c));
});
afterAll(() => {
  if (dir) {
    spawnSync('chmod', ['-R', 'u+w', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The same outputs and exit codes as the intact copy, for every command. */
function expectSameAsIntact(pkg: string, opts: Parameters<typeof run>[2] = {}): Run[] {
  const runs = COMMANDS.map((c) => run(pkg, c, opts));
  runs.forEach((r, i) => {
    expect(r.code, r.out).toBe(reference[i]?.code);
    expect(r.out).toBe(reference[i]?.out);
  });
  return runs;
}

describe('the start-up code cache', () => {
  test('intact: the commands work, and on Node 20 every module of the start-up path comes from the cache', () => {
    expect(reference.map((r) => r.code)).toEqual([0, 0, 2]);
    expect(reference[0]?.out).toContain('Usage: rdp');
    expect(reference[1]?.out).toContain('Dry run: nothing was changed on Zenodo.');
    expect(reference[2]?.out).toContain('nope: no such file or folder');
    const cached = readdirSync(join(ROOT, 'dist', 'cache'));
    expect(cached).toContain('cli.js.v8');
    if (nodeCaches) {
      expect(reference[0]?.vm).toEqual([]);
    } else {
      expect(reference[0]?.vm).toContain('used rdp/dist/cli.js');
      // Every module these commands load comes from the cache (it also holds the modules of an upload's
      // network path and of the emulator, which the build ran as well).
      for (const r of reference) {
        expect(r.vm.length).toBeGreaterThan(0);
        expect(r.vm.every((l) => l.startsWith('used '))).toBe(true);
      }
      expect(cached.length).toBeGreaterThan(reference[1]?.vm.length ?? 0);
      expect(cached.some((f) => f.includes('undici-core'))).toBe(true);
    }
  });

  test('missing: no dist/cache/ at all', () => {
    const pkg = copy('missing');
    rmSync(join(pkg, 'dist', 'cache'), { recursive: true });
    const runs = expectSameAsIntact(pkg);
    expect(runs.flatMap((r) => r.vm)).toEqual([]);
  });

  // V8 itself checks a cache against the source's length only: these edits keep the length, so only
  // rdp's own check (the build's hash of the file, and the file's time) keeps the old code from running.
  const edit = (pkg: string): void => {
    const cli = join(pkg, 'dist', 'cli.js');
    const text = readFileSync(cli, 'utf8');
    expect(text).toContain('Publish research data');
    writeFileSync(cli, text.replace('Publish research data', 'Publish RESEARCH data'));
  };
  const edited = (r: Run) => r.out.replace('Publish RESEARCH data', 'Publish research data');

  test('stale: dist/cli.js edited after the build (same length, newer time) runs as edited', () => {
    const pkg = copy('edited');
    edit(pkg);
    const r = run(pkg, HELP);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Publish RESEARCH data');
    expect(edited(r)).toBe(reference[0]?.out);
    expect(r.vm).not.toContain('used rdp/dist/cli.js');
  });

  test('stale: a cache from another build (the file hashed anew, its time no newer than the cache) is not used', () => {
    const pkg = copy('rebuilt');
    edit(pkg);
    const cli = join(pkg, 'dist', 'cli.js');
    // What the build writes for this text: a new rdpSource line.
    const text = readFileSync(cli, 'utf8');
    const body = text.slice(0, text.lastIndexOf('\n//# rdpSource='));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
    writeFileSync(cli, `${body}\n//# rdpSource=${hash}\n`);
    const cacheTime = statSync(join(pkg, 'dist', 'cache', 'cli.js.v8')).mtime;
    utimesSync(cli, cacheTime, cacheTime);
    const r = run(pkg, HELP);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Publish RESEARCH data');
    expect(edited(r)).toBe(reference[0]?.out);
    expect(r.vm).not.toContain('used rdp/dist/cli.js');
  });

  test('damaged: cache files cut short, or V8 data replaced with garbage behind a valid first line', () => {
    const pkg = copy('damaged');
    const cache = join(pkg, 'dist', 'cache');
    readdirSync(cache).forEach((f, i) => {
      const data = readFileSync(join(cache, f));
      const head = data.subarray(0, data.indexOf(10) + 1);
      const garbage = Buffer.alloc(data.length - head.length, 0x5a);
      writeFileSync(join(cache, f), i % 2 ? data.subarray(0, Math.floor(data.length / 3)) : Buffer.concat([head, garbage]));
    });
    const runs = expectSameAsIntact(pkg);
    expect(runs.flatMap((r) => r.vm).filter((l) => l.startsWith('used '))).toEqual([]);
  });

  test('made by another Node: not used (V8 would take a cache of Node 20.20 on Node 20.18, where its code breaks)', () => {
    const pkg = copy('other-node');
    const cache = join(pkg, 'dist', 'cache');
    for (const f of readdirSync(cache)) {
      const data = readFileSync(join(cache, f));
      const nl = data.indexOf(10);
      const head = data.subarray(0, nl).toString('latin1');
      expect(head).toContain(` ${process.version} ${process.arch} ${process.versions.v8} `);
      const other = head.replace(process.version, process.version === 'v20.18.1' ? 'v20.20.2' : 'v20.18.1');
      writeFileSync(join(cache, f), Buffer.concat([Buffer.from(other, 'latin1'), data.subarray(nl)]));
    }
    const runs = expectSameAsIntact(pkg);
    expect(runs.flatMap((r) => r.vm)).toEqual([]);
  });

  test('made for other V8 flags: V8 refuses it and rdp compiles from the source', () => {
    const pkg = copy('flags');
    const runs = expectSameAsIntact(pkg, { nodeArgs: ['--stack-size=900'] });
    if (!nodeCaches) {
      expect(runs[0]?.vm.length).toBeGreaterThan(0);
      expect(runs[0]?.vm.every((l) => l.startsWith('rejected '))).toBe(true);
    }
  });

  test('read-only install by another user: works, and nothing is written into the package or the temporary folder', () => {
    const pkg = copy('readonly');
    const tmp = join(dir, 'tmp-readonly');
    mkdirSync(tmp);
    const home = join(dir, 'home-readonly');
    mkdirSync(home);
    chmodSync(home, 0o777);
    // Every file and folder with its time and size (node_modules is a link: not followed).
    const listing = () => spawnSync('find', [pkg, tmp, '-printf', '%p %T@ %s\n'], { encoding: 'utf8' }).stdout;
    spawnSync('chmod', ['-R', 'a-w', pkg, tmp]);
    const before = listing();
    expect(before).toContain('cli.js.v8');
    const asNobody = process.getuid?.() === 0; // root writes anywhere: drop to an unprivileged user
    const runs = expectSameAsIntact(pkg, { asNobody, env: { TMPDIR: tmp, HOME: home, XDG_CONFIG_HOME: join(home, 'config') } });
    expect(listing()).toEqual(before);
    if (!nodeCaches) expect(runs[0]?.vm.every((l) => l.startsWith('used '))).toBe(true);
  });
});
