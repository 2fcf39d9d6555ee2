// The CI integrations rdp ships, run as GitHub and GitLab would run them (test/helpers/ci-runners.ts),
// against the emulator: action.yml's steps (outputs through GITHUB_OUTPUT, rdp on later steps' PATH
// through GITHUB_PATH), the GitLab job in examples/gitlab-ci.yml (its script and dotenv report), and the
// README's copies of both examples. Here `rdp` is this checkout's build; test/e2e/package.test.ts runs
// the same files with the packed and installed package.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { readAction, readGitLabJob, runCompositeAction, runGitLabJob } from '../helpers/ci-runners.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { BIN, ROOT } from '../helpers/sandbox.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let emu: TestEmulator;
let dir: string;
/** A machine's environment: its own HOME, nothing of the caller's RDP_* settings. */
let baseEnv: Record<string, string | undefined>;
/** A bin folder with `rdp` = this checkout's build (the GitLab job's before_script would install it). */
let rdpBin: string;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'rdp-ci-'));
  mkdirSync(join(dir, 'home'));
  rdpBin = join(dir, 'bin');
  mkdirSync(rdpBin);
  writeFileSync(join(rdpBin, 'rdp'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
  baseEnv = { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), NO_COLOR: '1', LANG: 'C.UTF-8', TMPDIR: process.env.TMPDIR };
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

const deposition = (id: string | number) => {
  const d = zenodoStore(emu.server.state).depositions.get(Number(id));
  if (!d) throw new Error(`the emulator has no deposition ${id}`);
  return d;
};
const fileNames = (id: string | number) => [...deposition(id).files.values()].map((f) => f.key).sort();

/** A folder of files (name -> content), replacing what was there. */
function folder(path: string, files: Record<string, string>): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(path, name, '..'), { recursive: true });
    writeFileSync(join(path, name), content);
  }
}

const CITATION = `cff-version: 1.2.0
message: If you use these data, please cite them.
title: Soil carbon survey
authors:
  - family-names: Doe
    given-names: Jane
abstract: Soil carbon measurements from the survey sites.
license: CC-BY-4.0
version: 1.0.0
`;

/** No token in anything the steps printed. */
function expectNoToken(text: string): void {
  for (const token of Object.values(emu.tokens)) expect(text.includes(token), 'a token leaked into the CI log').toBe(false);
}

describe('GitHub Action (action.yml)', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = join(dir, 'gh-workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'CITATION.cff'), CITATION);
  });
  const run = (inputs: Record<string, string>, env: Record<string, string | undefined> = {}) =>
    runCompositeAction({ actionDir: ROOT, inputs, env: { ...baseEnv, ...emu.env, ...env }, workspace });

  test('tokens come only from RDP_* environment variables: no input takes a secret', () => {
    const action = readAction(ROOT);
    expect(Object.keys(action.inputs ?? {}).sort()).toEqual(['delete-extra', 'metadata', 'new-version', 'paths', 'publish', 'rdp-package', 'sandbox', 'target', 'write-doi']);
    expect(Object.keys(action.outputs ?? {}).sort()).toEqual(['doi', 'record-id', 'url']);
    for (const step of action.runs.steps) expect(JSON.stringify(step)).not.toMatch(/token|secret|password/i);
  });

  test('a first release makes a published record; the next release becomes its next version with exactly its files', async () => {
    folder(join(workspace, 'release'), { 'survey-1.0.tar.gz': 'release one', 'samples.csv': 'site,c\nA,1\n', 'CITATION.cff': CITATION });
    const first = await run({ paths: 'release', publish: 'true', metadata: 'CITATION.cff', 'write-doi': 'true' }, { RDP_ZENODO_TOKEN: emu.tokens.zenodo });
    expect(first.code, first.log).toBe(0);
    expect(first.outputs.doi).toMatch(/^10\.5281\/zenodo\.\d+$/);
    expect(first.outputs['record-id']).toMatch(/^\d+$/);
    expect(first.outputs.url?.startsWith(emu.url)).toBe(true);
    const v1 = deposition(first.outputs['record-id'] as string);
    expect(v1.state).toBe('done');
    expect(v1.doi).toBe(first.outputs.doi);
    expect(v1.metadata.title).toBe('Soil carbon survey'); // from the metadata input
    expect(fileNames(v1.id)).toEqual(['CITATION.cff', 'samples.csv', 'survey-1.0.tar.gz']);
    // write-doi: the archived CITATION.cff cites the record (the concept DOI, and this version's DOI)
    const cited = readFileSync(v1.files.get('CITATION.cff')?.path as string, 'utf8');
    expect(cited).toContain(`doi: 10.5281/zenodo.${v1.conceptrecid}\n`);
    expect(cited).toContain(`value: ${first.outputs.doi}\n`);
    expect(readFileSync(join(workspace, 'CITATION.cff'), 'utf8')).toBe(CITATION);
    // The install step put rdp on PATH for the job's later steps.
    expect(first.pathAdded).toHaveLength(1);
    expect(first.log).toContain(`rdp ${pkg.version} at `);

    folder(join(workspace, 'release'), { 'survey-2.0.tar.gz': 'release two', 'samples.csv': 'site,c\nA,1\nB,2\n' });
    const second = await run(
      { paths: 'release', publish: 'true', metadata: 'CITATION.cff', 'new-version': first.outputs['record-id'] as string, 'delete-extra': 'true' },
      { RDP_ZENODO_TOKEN: emu.tokens.zenodo },
    );
    expect(second.code, second.log).toBe(0);
    const v2 = deposition(second.outputs['record-id'] as string);
    expect(v2.id).not.toBe(v1.id);
    expect(v2.conceptrecid).toBe(v1.conceptrecid);
    expect(v2.state).toBe('done');
    expect(second.outputs.doi).toBe(v2.doi);
    expect(second.outputs.doi).not.toBe(first.outputs.doi);
    expect(fileNames(v2.id)).toEqual(['samples.csv', 'survey-2.0.tar.gz']);
    expect([...v2.files.values()].find((f) => f.key === 'samples.csv')?.md5).toBe(md5('site,c\nA,1\nB,2\n'));
    expectNoToken(first.log + second.log);
  });

  test('paths: one per line, spaces kept, blank lines and indentation ignored; publish false leaves a draft', async () => {
    folder(join(workspace, 'more'), { 'field notes.txt': 'notes', 'plots.csv': 'p\n1\n' });
    const r = await run(
      { paths: '\n  more/field notes.txt\n\n\tmore/plots.csv  \n', metadata: 'CITATION.cff' },
      { RDP_ZENODO_TOKEN: emu.tokens.zenodo },
    );
    expect(r.code, r.log).toBe(0);
    const d = deposition(r.outputs['record-id'] as string);
    expect(d.submitted).toBe(false);
    expect(fileNames(d.id)).toEqual(['field notes.txt', 'plots.csv']);
    expect(r.outputs.doi).toMatch(/^10\.5281\/zenodo\.\d+$/); // the reserved DOI of the draft
  });

  test('target nomad: the upload id and page as outputs, no DOI', async () => {
    const r = await run({ paths: join(ROOT, 'examples', 'nomad-run'), target: 'nomad' }, { RDP_NOMAD_TOKEN: emu.tokens.nomad });
    expect(r.code, r.log).toBe(0);
    expect(r.outputs['record-id']).toMatch(/^[\w-]{10,}$/);
    expect(r.outputs.doi).toBe('');
    expect(r.outputs.url).toContain(r.outputs['record-id']);
    expectNoToken(r.log);
  });

  test('no token: the step fails with exit 4 and an annotation that names RDP_ZENODO_TOKEN; no outputs', async () => {
    folder(join(workspace, 'data'), { 'a.txt': 'a' });
    const r = await run({ paths: 'data' });
    expect(r.code).toBe(4);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^::error title=rdp upload failed \(AUTH_REQUIRED\)::.*RDP_ZENODO_TOKEN/);
    expect(r.outputs).toEqual({ doi: '', 'record-id': '', url: '' });
  });

  test('sandbox true is passed to rdp (the login it looks for is the sandbox one)', async () => {
    const plain = await run({ paths: 'data' }, { RDP_ZENODO_URL: undefined });
    const sandbox = await run({ paths: 'data', sandbox: 'true' }, { RDP_ZENODO_URL: undefined });
    expect(plain.code).toBe(4);
    expect(sandbox.code).toBe(4);
    expect(plain.errors.join('\n')).not.toMatch(/sandbox/i);
    expect(sandbox.errors.join('\n')).toMatch(/sandbox/i);
  });

  test.each([
    [{ paths: 'data', publish: 'maybe' }, /input publish must be true or false, not "maybe"/],
    [{ paths: ' \n \n' }, /input paths is empty/],
    [{ paths: 'data', target: 'figshare' }, /figshare/],
  ])('bad inputs stop before anything is uploaded: %j', async (inputs, message) => {
    const before = zenodoStore(emu.server.state).depositions.size;
    const r = await run(inputs, { RDP_ZENODO_TOKEN: emu.tokens.zenodo });
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toMatch(message);
    expect(zenodoStore(emu.server.state).depositions.size).toBe(before);
  });
});

describe('GitLab CI (examples/gitlab-ci.yml)', () => {
  const file = join(ROOT, 'examples', 'gitlab-ci.yml');
  let project: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd: project, stdio: 'pipe' });
  beforeAll(() => {
    project = join(dir, 'gitlab-project');
    mkdirSync(project);
    writeFileSync(join(project, 'CITATION.cff'), CITATION);
    writeFileSync(join(project, 'survey.py'), 'print("v1")\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'v1');
    git('tag', 'v1.0.0');
  });
  const job = (tag: string, variables: Record<string, string>) =>
    runGitLabJob({
      file,
      job: 'zenodo-release',
      projectDir: project,
      beforeScript: false,
      env: { ...baseEnv, PATH: `${rdpBin}:${baseEnv.PATH}` },
      variables: { CI_COMMIT_TAG: tag, CI_PROJECT_NAME: 'soil-survey', RDP_ZENODO_URL: emu.env.RDP_ZENODO_URL as string, RDP_ZENODO_TOKEN: emu.tokens.zenodo, ...variables },
    });

  test('installs the package under its npm name, runs for tags only, and reports the DOI as a dotenv artifact', () => {
    const j = readGitLabJob(file, 'zenodo-release');
    expect(j.variables?.RDP_PACKAGE).toBe(`${pkg.name}@${pkg.version}`);
    expect(j.before_script).toEqual(['npm install -g "$RDP_PACKAGE"']);
    expect(j.rules).toEqual([{ if: '$CI_COMMIT_TAG' }]);
    expect(j.artifacts?.reports?.dotenv).toBe('zenodo.env');
    expect(readFileSync(file, 'utf8')).not.toMatch(/RDP_ZENODO_TOKEN:/); // a CI/CD variable, never in the file
  });

  test('a tag makes a published record with the source archive; the next tag (ZENODO_RECORD set) its next version', async () => {
    const first = await job('v1.0.0', {});
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.dotenv.ZENODO_DOI).toMatch(/^10\.5281\/zenodo\.\d+$/);
    const v1 = deposition(first.dotenv.ZENODO_RECORD_ID as string);
    expect(v1.state).toBe('done');
    expect(v1.doi).toBe(first.dotenv.ZENODO_DOI);
    expect(first.dotenv.ZENODO_RECORD_URL?.startsWith(emu.url)).toBe(true);
    expect(fileNames(v1.id)).toEqual(['CITATION.cff', 'soil-survey-v1.0.0.tar.gz']);
    expect(readFileSync(v1.files.get('CITATION.cff')?.path as string, 'utf8')).toContain(`value: ${first.dotenv.ZENODO_DOI}\n`);
    const archive = readFileSync(join(project, 'release', 'soil-survey-v1.0.0.tar.gz'));
    expect(v1.files.get('soil-survey-v1.0.0.tar.gz')?.md5).toBe(md5(archive));
    expect(execFileSync('tar', ['-tzf', join(project, 'release', 'soil-survey-v1.0.0.tar.gz')], { encoding: 'utf8' })).toContain('soil-survey-v1.0.0/survey.py');

    writeFileSync(join(project, 'survey.py'), 'print("v1.1")\n');
    git('commit', '-qam', 'v1.1');
    git('tag', 'v1.1.0');
    rmSync(join(project, 'release'), { recursive: true }); // a fresh clone in the next pipeline
    const second = await job('v1.1.0', { ZENODO_RECORD: String(v1.id) });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const v2 = deposition(second.dotenv.ZENODO_RECORD_ID as string);
    expect(v2.conceptrecid).toBe(v1.conceptrecid);
    expect(v2.state).toBe('done');
    expect(second.dotenv.ZENODO_DOI).not.toBe(first.dotenv.ZENODO_DOI);
    expect(fileNames(v2.id)).toEqual(['CITATION.cff', 'soil-survey-v1.1.0.tar.gz']); // --delete-extra: only this release's files
    const cited = readFileSync(v2.files.get('CITATION.cff')?.path as string, 'utf8');
    expect(cited).toContain(`doi: 10.5281/zenodo.${v1.conceptrecid}\n`); // the concept DOI: every version
    expect(cited).toContain(`value: ${second.dotenv.ZENODO_DOI}\n`);
    expectNoToken(first.stdout + first.stderr + second.stdout + second.stderr);
  });

  test('without the token variable the job fails at the upload, with what to set', async () => {
    const r = await job('v1.1.0', { RDP_ZENODO_TOKEN: '' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/RDP_ZENODO_TOKEN/);
    expect(r.dotenv).toEqual({});
  });
});

describe("the README's CI section", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  test('shows both examples exactly as shipped in examples/', () => {
    for (const f of ['github-release.yml', 'gitlab-ci.yml']) {
      const text = readFileSync(join(ROOT, 'examples', f), 'utf8');
      expect(readme.includes(`\`\`\`yaml\n${text}\`\`\``), `README.md does not show examples/${f} verbatim`).toBe(true);
    }
  });

  test("the workflow uses only the action's inputs and outputs, and tokens only from secrets through RDP_* variables", () => {
    const action = readAction(ROOT);
    const wf = parse(readFileSync(join(ROOT, 'examples', 'github-release.yml'), 'utf8')) as {
      on: { release: { types: string[] } };
      jobs: Record<string, { steps: { id?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string>; run?: string }[] }>;
    };
    expect(wf.on.release.types).toEqual(['published']);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const step = steps.find((s) => s.uses?.includes('/rdp@'));
    expect(step).toBeDefined();
    for (const k of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs ?? {})).toContain(k);
    for (const [k, v] of Object.entries(step?.env ?? {})) {
      expect(k).toMatch(/^RDP_[A-Z0-9_]+_TOKEN$/);
      expect(v).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
    }
    const used = [...JSON.stringify(steps).matchAll(new RegExp(`steps\\.${step?.id}\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const o of used) expect(Object.keys(action.outputs ?? {})).toContain(o);
  });
});
