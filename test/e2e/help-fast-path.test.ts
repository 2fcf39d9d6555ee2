// `rdp --help` is printed by bin/rdp.js from dist/help.txt, which the build renders with the CLI itself
// (SPEC.md section 6: `--help` <= 1.3 x a bare Node start, which loading commander and the command tree
// does not leave room for). The pre-rendered text must be exactly what the CLI prints wherever it is
// used: on a pipe, on an 80-column terminal, with sites configured; a terminal of another width and a
// package without the file take the CLI's own path. The CLI's own rendering is reached with two
// arguments (`--no-color --help`), which the fast path leaves alone.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireFeature } from '../helpers/features.js';
import { ROOT } from '../helpers/sandbox.js';

let dir: string;
let home: string;

function run(pkg: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'rdp.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TZ: 'UTC', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The output of `args` run on a terminal of `columns` columns (util-linux `script` gives it a pty). */
function onTerminal(args: string[], columns: number): string {
  const cmd = [process.execPath, join(ROOT, 'bin', 'rdp.js'), ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols ${columns} rows 50; ${cmd}`, '/dev/null'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'dumb', NO_COLOR: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\r\n/g, '\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-help-'));
  home = join(dir, 'home');
  mkdirSync(home);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rdp --help without loading the CLI', () => {
  test('the build rendered it, and -h, --help and help print it on a pipe with exit 0, as the CLI does', () => {
    const text = readFileSync(join(ROOT, 'dist', 'help.txt'), 'utf8');
    expect(text).toMatch(/^Usage: rdp \[options\] \[command\]\n/);
    const cli = run(ROOT, ['--no-color', '--help']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(text);
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = run(ROOT, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toBe(text);
      expect(r.stderr).toBe('');
    }
  });

  test('with InvenioRDM sites configured, the CLI prints the same top-level help', () => {
    const config = join(dir, 'with-site');
    mkdirSync(join(config, 'rdp'), { recursive: true });
    writeFileSync(join(config, 'rdp', 'config.json'), JSON.stringify({ sites: { caltech: { name: 'caltech', url: 'https://data.caltech.edu', added: '2026-12-01T00:00:00Z' } } }));
    const env = { XDG_CONFIG_HOME: config };
    expect(run(ROOT, ['upload', '--help'], env).stdout).toContain('caltech'); // the site is read
    expect(run(ROOT, ['--no-color', '--help'], env).stdout).toBe(run(ROOT, ['--help'], env).stdout);
  });

  test('a package without dist/help.txt prints the same through the CLI', () => {
    const pkg = join(dir, 'no-help-txt');
    mkdirSync(pkg);
    for (const p of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, p), join(pkg, p), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    rmSync(join(pkg, 'dist', 'help.txt'));
    const r = run(pkg, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'dist', 'help.txt'), 'utf8'));
  });

  test('`rdp help <command>` exits 0; `rdp` alone and a group without its subcommand are usage errors (2)', () => {
    const r = run(ROOT, ['help', 'upload']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: rdp upload');
    expect(run(ROOT, []).code).toBe(2);
    expect(run(ROOT, ['auth']).code).toBe(2);
  });

  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (requireFeature('util-linux script (a pseudo-terminal)', !script.error && script.status === 0, 'apt-get install bsdutils')) {
    test('on a terminal of 80 columns the same text; on a wider one the CLI wraps to its width', () => {
      const text = readFileSync(join(ROOT, 'dist', 'help.txt'), 'utf8');
      expect(onTerminal(['--help'], 80)).toBe(text);
      const wide = onTerminal(['--help'], 120);
      expect(wide).toBe(onTerminal(['--no-color', '--help'], 120));
      expect(wide).not.toBe(text);
      expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeGreaterThan(80);
    });
  }
});
