// What a folder upload sends (SPEC.md, Upload to Zenodo, "What is uploaded from a folder"; the same
// selection for NOMAD): the built CLI against the emulator, with what arrived read on the emulator's
// side. Hidden files and folders are left out unless --include-hidden; --exclude (repeatable) and the
// folder's .rdpignore use gitignore's syntax; .gitignore is not read; symbolic links are followed,
// never into a loop; --dry-run lists what is left out and why; unreadable things are reported as
// "permission denied" with an --exclude that leaves them out.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { BIN, parseJson, Sandbox } from '../helpers/sandbox.js';

interface ZenodoResult {
  id: number;
  metadata: Record<string, unknown>;
  files: { name: string; action: string }[];
  skipped: { path: string; why: string }[];
}
interface NomadResult {
  uploadId: string;
  sent: { kind: string; fileName: string; files: number };
}
interface NomadDryRun {
  dryRun: true;
  name: string;
  sent: { kind: string; fileName: string; files: number; bytes: number };
  files: { name: string; size: number }[];
  skipped: { path: string; why: string }[];
}

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_NOMAD_TOKEN: emu.tokens.nomad, RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
beforeEach(() => emu.server.faults.clear());

function tree(root: string, files: Record<string, string>): string {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

const zenodoFiles = (id: number) => [...(zenodoStore(emu.server.state).depositions.get(id)?.files.keys() ?? [])].sort();
const nomadFiles = (id: string) => [...(nomadUploads(emu.server.state).uploads.get(id)?.files.keys() ?? [])].sort();

/** A folder with hidden things, a .gitignore and a .rdpignore (gitignore syntax, with a negation). */
const MIXED = {
  'data.csv': 'a,b\n1,2\n',
  'keep.tmp': 'kept by !keep.tmp',
  'notes.tmp': 'left out by *.tmp',
  'scratch/big.bin': 'left out by --exclude scratch/',
  '.DS_Store': 'finder',
  '.git/config': '[core]',
  '.hidden-dir/x.txt': 'hidden folder',
  '.gitignore': 'data.csv\n',
  '.rdpignore': '# rdp leaves these out\n*.tmp\n!keep.tmp\n',
  '.zenodo.json': JSON.stringify({ title: 'Selected files', description: 'd', creators: [{ name: 'Doe, Jane' }] }),
};

describe('Zenodo', () => {
  test('hidden files and folders, .rdpignore and --exclude are left out; .gitignore is not read; .zenodo.json still gives the metadata', async () => {
    tree(join(sb.dir, 'mixed'), MIXED);
    const r = await sb.run(['upload', 'mixed', '--to', 'zenodo', '--exclude', 'scratch/', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<ZenodoResult>(r.stdout);
    expect(zenodoFiles(res.id)).toEqual(['data.csv', 'keep.tmp']);
    expect(res.metadata.title).toBe('Selected files');
    expect(Object.fromEntries(res.skipped.map((s) => [s.path, s.why]))).toEqual({
      'mixed/.DS_Store': 'hidden (--include-hidden sends it)',
      'mixed/.git/': 'hidden (--include-hidden sends it)',
      'mixed/.gitignore': 'hidden (--include-hidden sends it)',
      'mixed/.hidden-dir/': 'hidden (--include-hidden sends it)',
      'mixed/.rdpignore': 'hidden (--include-hidden sends it)',
      'mixed/.zenodo.json': 'hidden (--include-hidden sends it)',
      'mixed/notes.tmp': '.rdpignore line 2: *.tmp',
      'mixed/scratch/': '--exclude scratch/',
    });
    // the human run says how much was left out, once
    const human = await sb.run(['upload', 'mixed', '--to', 'zenodo', '--exclude', 'scratch/']);
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/Left out of the upload: 6 hidden, 2 excluded \(--dry-run lists them/);
  });

  test('--dry-run lists what is left out and why, and changes nothing', async () => {
    tree(join(sb.dir, 'mixed'), MIXED);
    const from = emu.server.state.log.length;
    const r = await sb.run(['upload', 'mixed', '--to', 'zenodo', '--exclude', 'scratch/', '--dry-run'], { env: { RDP_ZENODO_TOKEN: undefined } });
    expect(r.code).toBe(0);
    expect(emu.server.state.log.length).toBe(from);
    expect(r.stdout).toMatch(/^left out\s+8 \(not sent\):$/m);
    expect(r.stdout).toMatch(/^ {2}mixed\/\.git\/\s+hidden \(--include-hidden sends it\)$/m);
    expect(r.stdout).toMatch(/^ {2}mixed\/notes\.tmp\s+\.rdpignore line 2: \*\.tmp$/m);
    expect(r.stdout).toMatch(/^ {2}mixed\/scratch\/\s+--exclude scratch\/$/m);
    expect(r.stdout).toMatch(/upload\s+keep\.tmp/);
    expect(r.stdout).not.toMatch(/upload\s+notes\.tmp/);
  });

  test('--include-hidden sends hidden files; --exclude is repeatable and anchored patterns stay at the top', async () => {
    tree(join(sb.dir, 'flat'), { '.DS_Store': 'x', 'a.txt': 'a', 'b.log': 'b', 'top.txt': 't' });
    const r = await sb.run(['upload', 'flat', '--to', 'zenodo', '--include-hidden', '--exclude', '*.log', '--exclude', '/top.txt', '--json']);
    expect(r.code).toBe(0);
    expect(zenodoFiles(parseJson<ZenodoResult>(r.stdout).id)).toEqual(['.DS_Store', 'a.txt']);
  });

  test('symbolic links: a linked file is sent; a link to a folder it is in, and a chain of links back to itself, are loops (listed, not followed); a broken link is an error', async () => {
    const root = tree(join(sb.dir, 'links'), { 'real.txt': 'real' });
    writeFileSync(join(sb.dir, 'outside.txt'), 'from outside the folder');
    symlinkSync(join(sb.dir, 'outside.txt'), join(root, 'linked.txt'));
    symlinkSync('..', join(root, 'up'));
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    const r = await sb.run(['upload', 'links', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<ZenodoResult>(r.stdout);
    expect(zenodoFiles(res.id)).toEqual(['linked.txt', 'real.txt']);
    expect(zenodoStore(emu.server.state).depositions.get(res.id)?.files.get('linked.txt')?.size).toBe('from outside the folder'.length);
    const why = Object.fromEntries(res.skipped.map((s) => [s.path, s.why]));
    expect(why['links/up/']).toMatch(/^a symbolic link loop/);
    expect(why['links/loop-a']).toMatch(/^a symbolic link loop/);
    expect(why['links/loop-b']).toMatch(/^a symbolic link loop/);

    symlinkSync(join(sb.dir, 'gone.txt'), join(root, 'broken.txt'));
    const broken = await sb.run(['upload', 'links', '--to', 'zenodo']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/links\/broken\.txt is a symbolic link to nothing/);
    expect(broken.stderr).toContain("--exclude '/broken.txt'");
    expect((await sb.run(['upload', 'links', '--to', 'zenodo', '--exclude', '/broken.txt', '--dry-run'])).code).toBe(0);
  });

  test('a file whose name is not UTF-8 (Latin-1 bytes) is refused with exit 2 and an --exclude that works, not "a bug in rdp"', async () => {
    const root = tree(join(sb.dir, 'latin1'), { 'good.txt': 'ok' });
    writeFileSync(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
    const from = emu.server.state.log.length;
    for (const to of ['zenodo', 'nomad']) {
      const r = await sb.run(['upload', 'latin1', '--to', to, '--json']);
      expect(r.code, r.stderr).toBe(2);
      const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
      expect(err.code).toBe('BAD_FILE_NAME');
      expect(err.message).toMatch(/latin1\/caf\uFFFD\.txt has a name that is not UTF-8 text/);
      expect(err.hint).toContain("--exclude '/caf?.txt'");
    }
    // named on the command line, it reaches rdp garbled: Node decodes argv as UTF-8, the byte E9 as U+FFFD
    const named = spawnSync(process.execPath, [BIN, 'upload', `${root}/caf\uFFFD.txt`, '--to', 'zenodo'], { env: sb.env as NodeJS.ProcessEnv, encoding: 'utf8' });
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/caf\uFFFD\.txt: no such file or folder, or a name that is not UTF-8 text/);
    expect(named.stderr).toMatch(/Rename it to UTF-8/);
    expect(emu.server.state.log.length).toBe(from);
    const left = await sb.run(['upload', 'latin1', '--to', 'zenodo', '--exclude', '/caf?.txt', '--json']);
    expect(left.code, left.stderr).toBe(0);
    expect(zenodoFiles(parseJson<ZenodoResult>(left.stdout).id)).toEqual(['good.txt']);
  });

  test('a folder whose files are all left out is refused with a hint, before anything remote', async () => {
    tree(join(sb.dir, 'onlyhidden'), { '.a': 'a', '.b/c': 'c' });
    const from = emu.server.state.log.length;
    const r = await sb.run(['upload', 'onlyhidden', '--to', 'zenodo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/onlyhidden has nothing to upload: all 2 entries are left out \(hidden\)/);
    expect(r.stderr).toMatch(/--include-hidden/);
    expect(emu.server.state.log.length).toBe(from);
  });

  test('an empty or comment --exclude is a usage error', async () => {
    tree(join(sb.dir, 'ex'), { 'a.txt': 'a' });
    for (const bad of ['', '# note']) {
      const r = await sb.run(['upload', 'ex', '--to', 'zenodo', '--exclude', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--exclude .* is not a pattern/);
    }
  });
});

describe('NOMAD: the same selection for the zip', () => {
  test('hidden, .rdpignore and --exclude (gitignore semantics at any depth) are left out of the zip', async () => {
    tree(join(sb.dir, 'calc'), {
      'INCAR': 'x',
      'relax/OUTCAR': 'o',
      'relax/run.log': 'log',
      'relax/.nfs000': 'nfs',
      '.git/HEAD': 'ref',
      'cache/tmp.bin': 'c',
      'deep/cache/keep.txt': 'a cache/ pattern matches at any depth',
      '.rdpignore': 'cache/\n',
    });
    const r = await sb.run(['upload', 'calc', '--to', 'nomad', '--exclude', '*.log', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<NomadResult>(r.stdout);
    expect(res.sent).toMatchObject({ kind: 'zip', files: 2 });
    expect(nomadFiles(res.uploadId)).toEqual(['INCAR', 'relax/OUTCAR']);
  });

  test('--dry-run (new for NOMAD): what the zip would hold and what is left out; no request, no login needed', async () => {
    tree(join(sb.dir, 'calc2'), { 'INCAR': 'x', 'relax/OUTCAR': 'o', '.DS_Store': 'f', 'big.raw': 'r' });
    const from = emu.server.state.log.length;
    const json = await sb.run(['upload', 'calc2', '--to', 'nomad', '--exclude', '*.raw', '--dry-run', '--json'], { env: { RDP_NOMAD_TOKEN: undefined } });
    expect(json.code).toBe(0);
    const plan = parseJson<NomadDryRun>(json.stdout);
    expect(plan).toMatchObject({ dryRun: true, name: 'calc2', sent: { kind: 'zip', fileName: 'calc2.zip', files: 2 } });
    expect(plan.files.map((f) => f.name)).toEqual(['INCAR', 'relax/OUTCAR']);
    expect(plan.skipped).toEqual([
      { path: 'calc2/.DS_Store', why: 'hidden (--include-hidden sends it)' },
      { path: 'calc2/big.raw', why: '--exclude *.raw' },
    ]);
    const human = await sb.run(['upload', 'calc2', '--to', 'nomad', '--exclude', '*.raw', '--dry-run']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Dry run: nothing was sent to NOMAD\.$/m);
    expect(human.stdout).toMatch(/would send {2}2 files as one zip, calc2\.zip/);
    expect(human.stdout).toMatch(/^ {2}calc2\/big\.raw\s+--exclude \*\.raw$/m);
    expect(emu.server.state.log.length).toBe(from);
  });
});

// Permissions cannot be taken away from root: when the suite runs as root, the CLI runs as nobody.
describe('unreadable folders and files: "permission denied", and an --exclude that leaves them out', () => {
  const asRoot = process.getuid?.() === 0;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rdp-perm-'));
    chmodSync(dir, 0o755);
    tree(join(dir, 'data'), { 'ok.txt': 'ok', 'locked/secret.txt': 's', 'sealed.txt': 'x' });
    chmodSync(join(dir, 'data', 'locked'), 0o000);
    chmodSync(join(dir, 'data', 'sealed.txt'), 0o000);
    if (asRoot) {
      mkdirSync(join(dir, 'home'));
      chownSync(join(dir, 'home'), 65534, 65534);
    }
  });
  afterAll(() => {
    chmodSync(join(dir, 'data', 'locked'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  function rdp(args: string[]) {
    const env: Record<string, string | undefined> = { ...sb.env, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', 'config'), RDP_ZENODO_TOKEN: undefined, RDP_NOMAD_TOKEN: undefined };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const cmd = asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
    const r = spawnSync(cmd[0] as string, cmd[1] as string[], { cwd: dir, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test.each(['zenodo', 'nomad'])('%s: a subfolder, then a file; each error names an --exclude that works', (to) => {
    const folder = rdp(['upload', 'data', '--to', to, '--dry-run']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/Cannot read the folder data\/locked: permission denied\./);
    expect(folder.stderr).toContain("--exclude '/locked/'");
    const file = rdp(['upload', 'data', '--to', to, '--dry-run', '--exclude', '/locked/']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/Cannot read data\/sealed\.txt: permission denied\./);
    expect(file.stderr).toContain("--exclude '/sealed.txt'");
    const ok = rdp(['upload', 'data', '--to', to, '--dry-run', '--exclude', '/locked/', '--exclude', '/sealed.txt']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok\.txt/);
  });

  test('a folder named on the command line that cannot be read', () => {
    const r = rdp(['upload', 'data/locked', '--to', 'zenodo', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot read the folder data\/locked: permission denied\./);
  });
});
