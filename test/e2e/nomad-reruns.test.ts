// `rdp upload … --to nomad` run again (SPEC.md: re-running a command is always safe; never a duplicate
// record, never a published copy the user did not ask for): the same command goes on with the upload
// it made, sends nothing when the files are unchanged, refuses changed files and a published upload
// (only missing dataset/DOI steps run), and adopts the upload a POST with a lost answer made. The built
// CLI against the emulator's NOMAD; what NOMAD received is read from the emulator's store and log.
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { nomadDatasets } from '../../src/emulator/services/nomad/datasets.js';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { SEED } from '../../src/emulator/state.js';
import { signJwtHS256 } from '../../src/emulator/tokens.js';
import type { NomadDeposit, NomadDryRun } from '../../src/providers/nomad/deposit/run.js';
import type { TestEmulator } from '../helpers/emulator.js';
import { useNomadEmulator } from '../helpers/nomad.js';
import { parseJson, type Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;

interface ErrorDoc {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}
type Steps = { steps?: { id: string; status: string }[]; doi?: string | null };

const setup = useNomadEmulator({ freshEachTest: true });
beforeAll(() => {
  ({ emu, sb } = setup);
});

const store = () => nomadUploads(emu.server.state);
const nomadLog = () => emu.server.state.log.filter((e) => e.service === 'nomad');
const clearLog = () => {
  emu.server.state.log.length = 0;
};
/** The requests that change something on NOMAD (not the GETs). */
// Requests that change something: NOMAD's entry search is a POST that only reads (POST /entries/query).
const writes = () => nomadLog().filter((e) => e.method !== 'GET' && !(e.method === 'POST' && e.path === '/entries/query')).map((e) => `${e.method} ${e.path}`);
const dsNamed = (name: string) => [...nomadDatasets(emu.server.state).datasets.values()].filter((d) => d.dataset_name === name);

const RUN = {
  'vasprun.xml': '<modeling><generator/></modeling>\n',
  'INCAR': 'ENCUT = 520\n',
  'relax/OUTCAR': 'outcar text\n',
  'meta/run.archive.json': '{"data": {"m_def": "x"}}',
};

let seq = 0;
/** A new folder (a name of its own, so that each test is a command of its own) with the files of a run. */
function makeTree(files: Record<string, string> = RUN): string {
  const name = `rerun${++seq}`;
  const root = join(sb.dir, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return name;
}

async function upload(args: string[]) {
  return sb.run(['upload', ...args, '--to', 'nomad', '--json']);
}

describe('the same command again, while its upload is unpublished', () => {
  test('run twice: one upload; the second run sends nothing, says so, and reports the same upload', async () => {
    const dir = makeTree();
    const first = await upload([dir]);
    expect(first.code, first.stderr).toBe(0);
    const a = parseJson<NomadDeposit>(first.stdout);
    expect(a).toMatchObject({ uploadAction: 'created', processStatus: 'SUCCESS', entries: 3 });
    clearLog();
    const second = await upload([dir]);
    expect(second.code, second.stderr).toBe(0);
    const b = parseJson<NomadDeposit>(second.stdout);
    expect(b).toMatchObject({ uploadId: a.uploadId, uploadAction: 'reused', bytesSent: 0, processStatus: 'SUCCESS', entries: 3, published: false });
    expect(store().uploads.size).toBe(1);
    expect(writes()).toEqual([]);
    // human output: the same id on stdout, and on stderr that nothing was sent
    const third = await sb.run(['upload', dir, '--to', 'nomad']);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe(`${a.uploadId}\n`);
    expect(third.stderr).toContain(`Upload ${a.uploadId}, which this command made on`);
    expect(third.stderr).toContain('holds these files already: nothing to send');
    expect(store().uploads.size).toBe(1);
    expect(writes()).toEqual([]);
  });

  test('run again while NOMAD still processes it: nothing sent, the processing is waited for', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 1500 });
    const dir = makeTree();
    const first = await sb.run(['upload', dir, '--to', 'nomad', '--no-wait', '--json']);
    const a = parseJson<NomadDeposit>(first.stdout);
    expect(a.processRunning).toBe(true);
    clearLog();
    const second = await upload([dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(parseJson<NomadDeposit>(second.stdout)).toMatchObject({ uploadId: a.uploadId, uploadAction: 'reused', processStatus: 'SUCCESS', processRunning: false, entries: 3 });
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(1);
  });

  test('then --publish: publishes that upload (no second upload, nothing sent again)', async () => {
    const dir = makeTree();
    const a = parseJson<NomadDeposit>((await upload([dir])).stdout);
    clearLog();
    const r = await upload([dir, '--publish']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<NomadDeposit>(r.stdout)).toMatchObject({ uploadId: a.uploadId, uploadAction: 'reused', published: true });
    expect(writes()).toEqual([`POST /uploads/${a.uploadId}/action/publish`]);
    expect(store().uploads.size).toBe(1);
  });

  test('a changed file: refused (exit 1), the upload left as it is, with the ways on; --new-upload makes a separate one on purpose', async () => {
    const dir = makeTree();
    const a = parseJson<NomadDeposit>((await upload([dir])).stdout);
    const before = new Map(store().uploads.get(a.uploadId)?.files);
    writeFileSync(join(sb.dir, dir, 'INCAR'), 'ENCUT = 600\n');
    utimesSync(join(sb.dir, dir, 'INCAR'), new Date(), new Date(Date.now() + 5000));
    clearLog();
    const r = await upload([dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('NOMAD_UPLOAD_CHANGED');
    expect(e.message).toContain(`The files changed since NOMAD upload ${a.uploadId}`);
    expect(e.message).toContain('rdp left the upload as it is');
    expect(e.hint).toContain(`--upload=${a.uploadId}`);
    expect(e.hint).toContain('--new-upload');
    expect(e.hint).toContain(`/user/uploads/upload/id/${a.uploadId}`);
    expect(writes()).toEqual([]);
    expect(store().uploads.get(a.uploadId)?.files).toEqual(before);
    // a file added is a change too (the dry run says the same, exit 1)
    writeFileSync(join(sb.dir, dir, 'extra.txt'), 'x');
    const dry = await upload([dir, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(parseJson<ErrorDoc>(dry.stderr).error.code).toBe('NOMAD_UPLOAD_CHANGED');
    // on purpose: a separate upload; the same command then goes on with that one
    const sep = await upload([dir, '--new-upload']);
    expect(sep.code, sep.stderr).toBe(0);
    const b = parseJson<NomadDeposit>(sep.stdout);
    expect(b).toMatchObject({ uploadAction: 'created' });
    expect(b.uploadId).not.toBe(a.uploadId);
    expect(store().uploads.size).toBe(2);
    clearLog();
    const again = await upload([dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<NomadDeposit>(again.stdout)).toMatchObject({ uploadId: b.uploadId, uploadAction: 'reused' });
    expect(writes()).toEqual([]);
  });

  test('the upload was deleted on NOMAD: a new one is made, and the user is told', async () => {
    const dir = makeTree();
    const a = parseJson<NomadDeposit>((await upload([dir])).stdout);
    store().uploads.delete(a.uploadId);
    const r = await sb.run(['upload', dir, '--to', 'nomad']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).not.toBe(a.uploadId);
    expect(store().uploads.has(id)).toBe(true);
    expect(r.stderr).toContain(`Upload ${a.uploadId}, which this command made on`);
    expect(r.stderr).toContain('is gone from NOMAD; making a new one');
    expect(store().uploads.size).toBe(1);
  });

  test('--dry-run says that nothing would be sent, naming the upload', async () => {
    const dir = makeTree();
    const dry0 = await upload([dir, '--dry-run']);
    expect(parseJson<NomadDryRun>(dry0.stdout)).toMatchObject({ upload: null, reuse: null, name: dir });
    const a = parseJson<NomadDeposit>((await upload([dir])).stdout);
    clearLog();
    const dry = await upload([dir, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseJson<NomadDryRun>(dry.stdout)).toMatchObject({ dryRun: true, upload: a.uploadId, reuse: 'nothing-to-send' });
    const human = await sb.run(['upload', dir, '--to', 'nomad', '--dry-run']);
    expect(human.stdout).toContain(`would send  nothing: upload ${a.uploadId}, which this command made, holds these files already`);
    const fresh = await upload([dir, '--dry-run', '--new-upload']);
    expect(parseJson<NomadDryRun>(fresh.stdout)).toMatchObject({ upload: null, reuse: null });
    expect(writes()).toEqual([]);
    // a dry run needs no working login: a token NOMAD rejects costs only the look (a note), not the plan
    const forged = signJwtHS256({ user: SEED.nomad.user_id, exp: Math.floor(Date.now() / 1000) + 3600 }, 'not-the-server-secret');
    sb.secret(forged);
    const rejected = await sb.run(['upload', dir, '--to', 'nomad', '--dry-run', '--json'], { env: { RDP_NOMAD_TOKEN: forged } });
    expect(rejected.code, rejected.stderr).toBe(0);
    const doc = parseJson<NomadDryRun>(rejected.stdout);
    expect(doc).toMatchObject({ upload: null, reuse: null, name: dir });
    expect(doc.notes.join(' ')).toMatch(/NOMAD did not accept the login .*cannot look at an upload this command made before/);
  });

  test('--new-upload does not go with --upload (exit 2)', async () => {
    const dir = makeTree();
    const r = await sb.run(['upload', dir, '--to', 'nomad', '--new-upload', '--upload', 'YXUIZpw5RJyV3LAsFI2MmQ', '--json']);
    expect(r.code).toBe(2);
    expect(parseJson<ErrorDoc>(r.stderr).error.message).toMatch(/--new-upload makes a separate upload/);
    expect(nomadLog()).toEqual([]);
  });
});

describe('the same command again, once its upload is published', () => {
  test('--publish twice: one published upload; the second run exits 1 ALREADY_PUBLISHED, sends nothing and publishes nothing', async () => {
    const dir = makeTree();
    const first = await upload([dir, '--publish']);
    expect(first.code, first.stderr).toBe(0);
    const a = parseJson<NomadDeposit>(first.stdout);
    expect(a.published).toBe(true);
    clearLog();
    const second = await upload([dir, '--publish']);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    const e = parseJson<ErrorDoc>(second.stderr).error;
    expect(e.code).toBe('ALREADY_PUBLISHED');
    expect(e.message).toContain(`This command's NOMAD upload is published already: upload ${a.uploadId}`);
    expect(e.hint).toContain('--new-upload');
    expect(e.hint).toContain(`rdp publish --on nomad --dataset NAME [--doi] -- ${a.uploadId}`);
    expect(e.details).toMatchObject({ uploadId: a.uploadId });
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(1);
    // without --publish, and as a dry run: the same refusal
    expect((await upload([dir])).code).toBe(1);
    const dry = await upload([dir, '--dry-run', '--publish']);
    expect(dry.code).toBe(1);
    expect(parseJson<ErrorDoc>(dry.stderr).error.code).toBe('ALREADY_PUBLISHED');
    expect(writes()).toEqual([]);
    // on purpose: a separate upload
    const sep = await upload([dir, '--new-upload', '--publish']);
    expect(sep.code, sep.stderr).toBe(0);
    expect(parseJson<NomadDeposit>(sep.stdout).uploadId).not.toBe(a.uploadId);
    expect(store().uploads.size).toBe(2);
  });

  test('--publish --dataset --doi --yes twice: one upload, one dataset, one DOI; the second run refuses naming the upload and the DOI', async () => {
    const dir = makeTree();
    const first = await upload([dir, '--publish', '--dataset', 'ds one', '--doi', '--yes']);
    expect(first.code, first.stderr).toBe(0);
    const a = parseJson<NomadDeposit & Steps>(first.stdout);
    expect(a.doi).toMatch(/^10\.17172\/NOMAD\//);
    clearLog();
    const second = await upload([dir, '--publish', '--dataset', 'ds one', '--doi', '--yes']);
    expect(second.code).toBe(1);
    const e = parseJson<ErrorDoc>(second.stderr).error;
    expect(e.code).toBe('ALREADY_PUBLISHED');
    expect(e.message).toContain(`upload ${a.uploadId}`);
    expect(e.message).toContain(`its dataset's DOI is ${a.doi}`);
    expect(e.hint).not.toMatch(/Run the same command again/);
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(1);
    expect([...store().uploads.values()].filter((u) => u.published)).toHaveLength(1);
    expect(dsNamed('ds one')).toHaveLength(1);
  });

  test('--publish --dataset whose step failed after publishing: the same command runs only the missing steps (no upload, no publish)', async () => {
    // a dataset that has a DOI takes no more uploads: the dataset step of the second folder fails
    const other = makeTree();
    expect((await upload([other, '--publish', '--dataset', 'fixed', '--doi', '--yes'])).code).toBe(0);
    const dir = makeTree({ ...RUN, 'INCAR': 'ENCUT = 400\n' });
    const first = await upload([dir, '--publish', '--dataset', 'fixed']);
    expect(first.code).toBe(1);
    expect(parseJson<ErrorDoc>(first.stderr).error.code).toBe('NOMAD_DATASET_FIXED');
    const published = [...store().uploads.values()].filter((u) => u.published);
    expect(published).toHaveLength(2);
    clearLog();
    // again: nothing sent, nothing published; the dataset step fails the same way, and says what to do
    const again = await upload([dir, '--publish', '--dataset', 'fixed']);
    expect(again.code).toBe(1);
    const e = parseJson<ErrorDoc>(again.stderr).error;
    expect(e.code).toBe('NOMAD_DATASET_FIXED');
    expect(e.hint).toMatch(/another --dataset name/);
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(2);
    // another dataset name: only the dataset step runs for the upload published before
    const mine = published.find((u) => u.upload_name === dir);
    expect(mine).toBeDefined();
    const r = await upload([dir, '--publish', '--dataset', 'second try']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<NomadDeposit & Steps>(r.stdout);
    expect(doc.uploadId).toBe(mine?.upload_id);
    expect(doc.steps?.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'already'],
      ['nomad.dataset', 'done'],
    ]);
    expect(writes().filter((w) => w === 'POST /uploads' || w.endsWith('/action/publish'))).toEqual([]);
    expect(store().uploads.size).toBe(2);
  });
});

describe('a lost answer to POST /uploads', () => {
  test('the connection dropped after NOMAD made the upload: rdp finds it and uses it (one upload, one POST); a re-run sends nothing', async () => {
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', action: 'drop-after' });
    const dir = makeTree();
    const r = await sb.run(['upload', dir, '--to', 'nomad']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(r.stderr).toContain('NOMAD did not answer when asked to create the upload');
    expect(r.stderr).toContain(`NOMAD had made upload ${id} before the answer was lost; using it.`);
    expect(r.stderr).toContain('3 entries found.');
    expect(store().uploads.get(id)?.process_status).toBe('SUCCESS');
    expect(nomadLog().filter((e) => e.method === 'POST' && e.path === '/uploads')).toHaveLength(1);
    expect(store().uploads.size).toBe(1);
    clearLog();
    const again = await upload([dir]);
    expect(parseJson<NomadDeposit>(again.stdout)).toMatchObject({ uploadId: id, uploadAction: 'reused' });
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(1);
  });

  test.each([
    ['the connection dropped', { action: 'drop-after' }],
    ['a 502 from a gateway', { action: 'status-after', status: 502 }],
  ])('%s after NOMAD made the upload, in --json: the result says the upload was adopted', async (_what, fault) => {
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', ...fault });
    const r = await upload([makeTree()]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<NomadDeposit>(r.stdout)).toMatchObject({ uploadAction: 'adopted', processStatus: 'SUCCESS', entries: 3 });
    expect(nomadLog().filter((e) => e.method === 'POST' && e.path === '/uploads')).toHaveLength(1);
    expect(store().uploads.size).toBe(1);
  });

  test('NOMAD refused the upload (its limit): nothing is left to look for on the next run', async () => {
    for (let i = 0; i < 10; i++) store().create(SEED.nomad.user_id, { name: `draft ${i}`, embargoLength: 0, publishDirectly: false });
    const dir = makeTree();
    const r = await upload([dir]);
    expect(parseJson<ErrorDoc>(r.stderr).error.code).toBe('NOMAD_UPLOAD_LIMIT');
    const state = JSON.parse(readFileSync(join(sb.dir, '.local', 'state', 'rdp', 'uploads.json'), 'utf8')) as { uploads: Record<string, { paths: string[] }> };
    expect(Object.values(state.uploads).filter((e) => e.paths.some((p) => p.endsWith(`/${dir}`)))).toEqual([]);
  });

  test('when rdp cannot look at once, the next run finds the upload the lost answer made and uses it', async () => {
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', action: 'drop-after' });
    emu.server.faults.add({ service: 'nomad', method: 'GET', path: '/uploads', action: 'status', status: 500, always: true });
    const dir = makeTree();
    const r = await upload([dir]);
    expect(r.code).toBe(1);
    expect(parseJson<ErrorDoc>(r.stderr).error.hint).toContain('run the same command again; it looks for that upload and uses it');
    expect(store().uploads.size).toBe(1);
    const [made] = [...store().uploads.keys()];
    emu.server.faults.clear();
    clearLog();
    const again = await sb.run(['upload', dir, '--to', 'nomad']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${made}\n`);
    expect(again.stderr).toContain('nothing to send');
    expect(again.stderr).toContain(`An earlier run of this command lost NOMAD's answer after NOMAD made upload ${made}`);
    expect(writes()).toEqual([]);
    expect(store().uploads.size).toBe(1);
  });

  test('a 500 without an upload made: the POST is sent again (one upload in the end)', async () => {
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', action: 'status', status: 500 });
    const dir = makeTree();
    const r = await sb.run(['upload', dir, '--to', 'nomad']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('NOMAD answered 500 when asked to create the upload');
    expect(r.stderr).toContain('NOMAD made no upload; sending again');
    expect(nomadLog().filter((e) => e.method === 'POST' && e.path === '/uploads')).toHaveLength(2);
    expect(store().uploads.size).toBe(1);
  });
});
