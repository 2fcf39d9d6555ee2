// The package as users install it: scripts/check-package.sh packs it, checks the tarball's contents,
// installs it with `npm install -g` into an empty prefix and drives the installed `rdp` (its own
// emulator, uploads, the keychain child). Then the CI integrations install it their
// own way: the GitHub Action with its rdp-package input, the GitLab job with its before_script, and the
// action's default (a fresh checkout of this repository: `npm ci`, whose prepare script builds dist/).
// Needs the npm registry (or npm's cache) for the dependencies.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { runCompositeAction, runGitLabJob } from '../helpers/ci-runners.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT } from '../helpers/sandbox.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const INSTALL_TIMEOUT = 300_000;

let dir: string;
let check: { code: number | null; stdout: string; stderr: string };
let tarball: string;
let emu: TestEmulator;
let baseEnv: Record<string, string | undefined>;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-package-'));
  // Dependencies from npm's cache where it has them.
  check = await run(join(ROOT, 'scripts', 'check-package.sh'), ['--keep', join(dir, 'check')], { ...process.env, npm_config_prefer_offline: 'true' });
  const m = /^package: (\S+) (\d+) (\d+)$/m.exec(check.stdout);
  tarball = m?.[1] ?? '';
  emu = await startTestEmulator({ rateLimit: false });
  mkdirSync(join(dir, 'home'));
  baseEnv = { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), NO_COLOR: '1', TMPDIR: process.env.TMPDIR, npm_config_prefer_offline: 'true', npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? '', '.npm') };
}, INSTALL_TIMEOUT);
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const deposition = (id: string | undefined) => zenodoStore(emu.server.state).depositions.get(Number(id));

describe('npm pack, npm install -g', () => {
  test('the installed rdp works from an empty folder: --version, --help, its emulator, uploads, the keychain', () => {
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain(`smoke: ok: rdp ${pkg.version}`);
    expect(check.stderr).toContain('Zenodo upload: published');
    expect(check.stderr).toContain('NOMAD upload:');
    if (process.env.RDP_SECRET_SERVICE === '1' || process.env.RDP_TEST_STRICT === '1') expect(check.stderr).toContain('keychain login, list, logout: ok');
    expect(tarball).toMatch(new RegExp(`${pkg.name}-${pkg.version.replace(/\./g, '\\.')}\\.tgz$`));
  });

  test("the README's first lines install the package by its npm name, and state its size", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const head = readme.split('\n').slice(0, 10).join('\n');
    expect(head).toContain(`npm install -g ${pkg.name}`);
    expect(head).toContain('npm install && npm run demo');
    expect(head).toContain('npm test');
    const [, size, count] = /^package: \S+ (\d+) (\d+)$/m.exec(check.stdout) ?? [];
    const stated = /about (\d+) kB packed \((\d+) files/.exec(readme);
    expect(stated, 'README.md says "about N kB packed (M files"').not.toBeNull();
    // Within a quarter: the README rounds, and small changes should not need an edit.
    expect(Math.abs(Number(stated?.[1]) * 1000 - Number(size)) / Number(size)).toBeLessThan(0.25);
    expect(Math.abs(Number(stated?.[2]) - Number(count)) / Number(count)).toBeLessThan(0.25);
  });
});

const CITATION = `cff-version: 1.2.0
message: Please cite these data.
title: Package check
authors:
  - family-names: Doe
    given-names: Jane
abstract: Uploaded by the installed package.
`;

describe('the CI integrations with the installed package', () => {
  test('GitHub Action, rdp-package = the tarball: installed with npm into RUNNER_TEMP, then a published upload', async () => {
    const workspace = join(dir, 'gh');
    mkdirSync(join(workspace, 'release'), { recursive: true });
    writeFileSync(join(workspace, 'release', 'data.csv'), 'a,b\n1,2\n');
    writeFileSync(join(workspace, 'CITATION.cff'), CITATION);
    const r = await runCompositeAction({
      actionDir: ROOT,
      workspace,
      inputs: { paths: 'release', publish: 'true', metadata: 'CITATION.cff', 'rdp-package': tarball },
      env: { ...baseEnv, ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo },
      timeoutMs: INSTALL_TIMEOUT,
    });
    expect(r.code, r.log).toBe(0);
    expect(r.log).toContain(`Installing ${tarball}`);
    expect(r.pathAdded).toHaveLength(1);
    expect(r.pathAdded[0]).toMatch(/\/rdp-action\/bin$/);
    expect(r.log).toMatch(/rdp \S+ at \S+\/rdp-action\/bin\/rdp\n/);
    expect(deposition(r.outputs['record-id'])?.doi).toBe(r.outputs.doi);
    expect(deposition(r.outputs['record-id'])?.state).toBe('done');
    for (const token of Object.values(emu.tokens)) expect(r.log.includes(token)).toBe(false);
  }, INSTALL_TIMEOUT);

  test('GitLab job with its before_script: npm install -g "$RDP_PACKAGE" (the tarball), then the release upload', async () => {
    const project = join(dir, 'gitlab');
    mkdirSync(project);
    writeFileSync(join(project, 'CITATION.cff'), CITATION);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.org', ...args], { cwd: project, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'first');
    const prefix = join(dir, 'gitlab-prefix'); // the image's global npm prefix
    const r = await runGitLabJob({
      file: join(ROOT, 'examples', 'gitlab-ci.yml'),
      job: 'zenodo-release',
      projectDir: project,
      beforeScript: true,
      env: { ...baseEnv, PATH: `${join(prefix, 'bin')}:${baseEnv.PATH}`, npm_config_prefix: prefix },
      variables: { RDP_PACKAGE: tarball, CI_COMMIT_TAG: 'v0.9.0', CI_PROJECT_NAME: 'pkg-check', RDP_ZENODO_URL: emu.env.RDP_ZENODO_URL as string, RDP_ZENODO_TOKEN: emu.tokens.zenodo },
      timeoutMs: INSTALL_TIMEOUT,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'rdp'))).toBe(true);
    expect(r.stdout).toContain('$ npm install -g "$RDP_PACKAGE"');
    const d = deposition(r.dotenv.ZENODO_RECORD_ID);
    expect(d?.state).toBe('done');
    expect(d?.doi).toBe(r.dotenv.ZENODO_DOI);
    expect([...(d?.files.values() ?? [])].map((f) => f.key).sort()).toEqual(['CITATION.cff', 'pkg-check-v0.9.0.tar.gz']);
  }, INSTALL_TIMEOUT);

  test("GitHub Action's default: a fresh checkout of the action is built (npm ci runs prepare) and used", async () => {
    // The action's checkout as GitHub fetches it: the repository's files, no node_modules, no dist/.
    const checkout = join(dir, 'action-checkout');
    const skip = new Set(['node_modules', 'dist', '.git', 'coverage']);
    cpSync(ROOT, checkout, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split('/')[0] ?? '') && !relative(ROOT, src).startsWith('bench/tmp') });
    expect(existsSync(join(checkout, 'dist'))).toBe(false);
    const workspace = join(dir, 'gh-default');
    mkdirSync(join(workspace, 'release'), { recursive: true });
    writeFileSync(join(workspace, 'release', 'data.csv'), 'x\n');
    writeFileSync(join(workspace, 'CITATION.cff'), CITATION);
    const r = await runCompositeAction({
      actionDir: checkout,
      workspace,
      inputs: { paths: 'release', metadata: 'CITATION.cff' },
      env: { ...baseEnv, ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo },
      timeoutMs: INSTALL_TIMEOUT,
    });
    expect(r.code, r.log).toBe(0);
    expect(r.log).toContain(`Building rdp from ${checkout}`);
    expect(existsSync(join(checkout, 'dist', 'cli.js'))).toBe(true);
    expect(r.log).toContain(`rdp ${pkg.version} at `);
    expect(deposition(r.outputs['record-id'])?.files.size).toBe(1);
  }, INSTALL_TIMEOUT);
});
