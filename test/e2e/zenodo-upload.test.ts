// `rdp upload --to zenodo` (the built CLI) against the emulator over loopback. Every check reads the
// emulator's own record of what it received: the request log (bytes per request) and the deposition
// store (what each file's MD5 was when it arrived).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { zoteroLibrary } from '../../src/emulator/services/zotero/items.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { BIN, parseJson, Sandbox } from '../helpers/sandbox.js';

interface Result {
  id: number;
  url: string;
  doi: string;
  doiRegistered: boolean;
  published: boolean;
  state: string;
  dryRun: boolean;
  deposition: string;
  bytesSent: number;
  metadata: Record<string, unknown>;
  files: { name: string; size: number; action: string; md5?: string }[];
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(() => emu.server.faults.clear());

const store = () => zenodoStore(emu.server.state);
const log = () => emu.server.state.log;

/** Log entries from `from` on: the file PUTs and their request-body bytes. */
function puts(from: number) {
  return log()
    .slice(from)
    .filter((e) => e.service === 'zenodo' && e.method === 'PUT' && e.path.startsWith('/api/files/'));
}
const sentBytes = (from: number) => puts(from).reduce((n, e) => n + (e.status === 201 ? e.bytesIn : 0), 0);

/** A fresh folder of files: name -> content. */
function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

function expectArrived(id: number, dir: string, names: string[]) {
  const dep = store().depositions.get(id);
  expect(dep, `deposition ${id}`).toBeDefined();
  expect([...(dep?.files.keys() ?? [])].sort()).toEqual([...names].sort());
  for (const n of names) {
    const local = readFileSync(join(dir, n));
    expect(dep?.files.get(n)?.md5, n).toBe(md5(local));
    expect(dep?.files.get(n)?.size, n).toBe(local.length);
  }
}

const big = Buffer.alloc(3 * 1024 * 1024 + 5);
for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
const META = ['--title', 'Soil samples', '--description', 'Field data.', '--creator', 'Doe, Jane;Example University'];

describe('sync semantics', () => {
  let dir: string;
  let id: number;

  test('a folder is uploaded to a new draft; every file arrives with the right MD5; --json is one document', async () => {
    dir = folder('data', { 'a.csv': 'x,y\n1,2\n', 'b.txt': 'hello\n', 'big.bin': big, 'one.dat': '1' });
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--json', ...META]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    id = res.id;
    expect(res).toMatchObject({ deposition: 'created', published: false, state: 'unsubmitted', doi: `10.5281/zenodo.${id}`, doiRegistered: false });
    expect(res.url).toBe(`${emu.env.RDP_ZENODO_URL}/deposit/${id}`);
    expectArrived(id, dir, ['a.csv', 'b.txt', 'big.bin', 'one.dat']);
    expect(sentBytes(from)).toBe(big.length + 8 + 6 + 1);
    expect(res.files.every((f) => f.action === 'upload')).toBe(true);
    expect(store().depositions.get(id)?.metadata).toMatchObject({ title: 'Soil samples', upload_type: 'dataset', creators: [{ name: 'Doe, Jane', affiliation: 'Example University' }] });
  });

  test('the human output names the id, URL and reserved DOI, and the command that publishes the draft', async () => {
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(String(id));
    expect(r.stdout).toContain(`/deposit/${id}`);
    expect(r.stdout).toContain(`10.5281/zenodo.${id} (reserved`);
    expect(r.stderr).toContain(`rdp publish ${id}`); // a hint: stderr (stdout carries data only)
    expect(r.stdout).not.toContain('rdp publish');
  });

  test('a re-run sends zero file bytes', async () => {
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--json', ...META]);
    expect(r.code).toBe(0);
    expect(puts(from)).toHaveLength(0);
    expect(parseJson<Result>(r.stdout).files.map((f) => f.action)).toEqual(['skip', 'skip', 'skip', 'skip']);
    // the metadata did not change, so it was not saved again either
    expect(log().slice(from).filter((e) => e.method !== 'GET')).toHaveLength(0);
  });

  test('a one-file change re-sends only that file', async () => {
    appendFileSync(join(dir, 'a.csv'), '3,4\n');
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--json']);
    expect(r.code).toBe(0);
    expect(puts(from).map((e) => e.path)).toEqual([expect.stringMatching(/\/a\.csv$/)]);
    expect(sentBytes(from)).toBe(12);
    expectArrived(id, dir, ['a.csv', 'b.txt', 'big.bin', 'one.dat']);
    expect(parseJson<Result>(r.stdout).files.find((f) => f.name === 'a.csv')?.action).toBe('replace');
  });

  test('a remote file that is not local is kept, and removed with --delete-extra', async () => {
    rmSync(join(dir, 'b.txt'));
    const kept = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--json']);
    expect(parseJson<Result>(kept.stdout).files.find((f) => f.name === 'b.txt')?.action).toBe('keep');
    expect(store().depositions.get(id)?.files.has('b.txt')).toBe(true);
    const del = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--delete-extra', '--json']);
    expect(del.code).toBe(0);
    expect(parseJson<Result>(del.stdout).files.find((f) => f.name === 'b.txt')?.action).toBe('delete');
    expectArrived(id, dir, ['a.csv', 'big.bin', 'one.dat']);
  });

  test('--dry-run changes nothing and shows the plan', async () => {
    appendFileSync(join(dir, 'a.csv'), '5,6\n');
    writeFileSync(join(dir, 'new.txt'), 'new');
    const before = JSON.stringify([...(store().depositions.get(id)?.files.values() ?? [])]);
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--dry-run', '--title', 'Changed']);
    expect(r.code).toBe(0);
    expect(log().slice(from).every((e) => e.method === 'GET')).toBe(true);
    expect(JSON.stringify([...(store().depositions.get(id)?.files.values() ?? [])])).toBe(before);
    expect(store().depositions.get(id)?.metadata.title).toBe('Soil samples');
    expect(r.stdout).toMatch(/Dry run/);
    expect(r.stdout).toMatch(/replace\s+a\.csv/);
    expect(r.stdout).toMatch(/upload\s+new\.txt/);
    expect(r.stdout).toMatch(/skip\s+big\.bin/);
    expect(r.stdout).not.toMatch(/--publish/);
    const json = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--dry-run', '--json']);
    expect(parseJson<Result>(json.stdout)).toMatchObject({ dryRun: true, id });
    // With --publish, the plan says that the draft would be published (nothing is, in a dry run)
    const pub = await sb.run(['upload', 'data', '--to', 'zenodo', '--deposition', String(id), '--dry-run', '--publish', '--creator', 'Doe, Jane', '--description', 'Field data.']);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toMatch(/^--publish: once the files are in, the draft would be published \(its DOI registered/m);
    expect(store().depositions.get(id)?.submitted).toBe(false);
  });

  test('--dry-run without a Zenodo login plans a new draft from the local files', async () => {
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--dry-run', '--json'], { env: { RDP_ZENODO_TOKEN: undefined } });
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.id).toBeNull();
    expect(res.files.every((f) => f.action === 'upload')).toBe(true);
    expect(log().length).toBe(from);
  });
});

describe('publishing and new versions', () => {
  test('--publish without a title fails before any byte is sent (and before any remote change)', async () => {
    folder('untitled', { 'x.csv': 'x\n' });
    const from = log().length;
    const r = await sb.run(['upload', 'untitled', '--to', 'zenodo', '--publish', '--description', 'd', '--creator', 'Doe, Jane', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
    expect(err.code).toBe('MISSING_METADATA');
    expect(err.message).toMatch(/title/);
    expect(err.hint).toMatch(/--title/);
    expect(log().slice(from).filter((e) => e.service === 'zenodo')).toHaveLength(0);
  });

  test('publish, then a new version re-sends only the changed files and carries the rest over', async () => {
    const dir = folder('versioned', { 'one.csv': '1\n', 'two.bin': big, 'three.txt': 'three\n' });
    const first = parseJson<Result>((await sb.run(['upload', 'versioned', '--to', 'zenodo', '--publish', '--json', ...META])).stdout);
    expect(first).toMatchObject({ published: true, doiRegistered: true, state: 'done' });
    expect(store().depositions.get(first.id)?.doi).toBe(first.doi);

    writeFileSync(join(dir, 'one.csv'), '1\n2\n');
    const from = log().length;
    const r = await sb.run(['upload', 'versioned', '--to', 'zenodo', '--new-version', String(first.id), '--json']);
    expect(r.code).toBe(0);
    const v2 = parseJson<Result>(r.stdout);
    expect(v2.deposition).toBe('new-version');
    expect(v2.id).not.toBe(first.id);
    expect(puts(from).map((e) => e.path)).toEqual([expect.stringMatching(/\/one\.csv$/)]);
    expectArrived(v2.id, dir, ['one.csv', 'two.bin', 'three.txt']);
    // the published version is untouched
    expect(store().depositions.get(first.id)?.files.get('one.csv')?.md5).toBe(md5('1\n'));

    // the same command again reuses the open new-version draft
    const again = parseJson<Result>((await sb.run(['upload', 'versioned', '--to', 'zenodo', '--new-version', String(first.id), '--publish', '--json'])).stdout);
    expect(again.id).toBe(v2.id);
    expect(again.published).toBe(true);
    const concept = store().concepts.get(store().depositions.get(first.id)?.conceptrecid ?? 0);
    expect(concept?.versions).toEqual([first.id, v2.id]);

    // an older version id: the new version follows the latest
    const v3 = parseJson<Result>((await sb.run(['upload', 'versioned', '--to', 'zenodo', '--new-version', String(first.id), '--dry-run', '--json'])).stdout);
    expect(v3).toMatchObject({ dryRun: true, deposition: 'new-version', id: null });
    expect(v3.files.every((f) => f.action === 'skip')).toBe(true);
  });

  test('--new-version run again: Zenodo answers the second newversion 400, the open draft is found by its conceptrecid', async () => {
    folder('nv2', { 'n.txt': 'n1' });
    const v1 = parseJson<Result>((await sb.run(['upload', 'nv2', '--to', 'zenodo', '--publish', '--json', ...META])).stdout);
    const draft = parseJson<Result>((await sb.run(['upload', 'nv2', '--to', 'zenodo', '--new-version', String(v1.id), '--json'])).stdout);
    // links.latest_draft of the record names the record itself, not the draft
    expect(store().depositions.get(draft.id)?.submitted).toBe(false);
    const from = log().length;
    const r = await sb.run(['upload', 'nv2', '--to', 'zenodo', '--new-version', String(v1.id), '--json']);
    expect(r.code).toBe(0);
    const nv = log().slice(from).filter((e) => e.path.endsWith('/actions/newversion'));
    expect(nv.map((e) => e.status)).toEqual([400]);
    expect(parseJson<Result>(r.stdout).id).toBe(draft.id);
    // so does its concept id (what a CI action may pass), and the dry run names the same draft
    const concept = store().depositions.get(v1.id)?.conceptrecid;
    const byConcept = await sb.run(['upload', 'nv2', '--to', 'zenodo', '--new-version', String(concept)]);
    expect(byConcept.code).toBe(0);
    expect(byConcept.stderr).toMatch(new RegExp(`${concept} is the concept id of a record; its latest version is ${v1.id}`));
    expect(byConcept.stdout).toMatch(new RegExp(`^deposition\\s+${draft.id} \\(draft\\)$`, 'm'));
    const dry = await sb.run(['upload', 'nv2', '--to', 'zenodo', '--new-version', String(concept), '--dry-run', '--json']);
    expect(parseJson<Result>(dry.stdout)).toMatchObject({ dryRun: true, id: draft.id, deposition: 'new-version' });
    // an id that is neither: a clear error
    const none = await sb.run(['upload', 'nv2', '--to', 'zenodo', '--new-version', '99999999']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no record 99999999 .*neither a version's id nor a concept id/);
  });

  test('a published deposition refuses --deposition with a hint to --new-version', async () => {
    folder('pub', { 'p.txt': 'p' });
    const res = parseJson<Result>((await sb.run(['upload', 'pub', '--to', 'zenodo', '--publish', '--json', ...META])).stdout);
    const r = await sb.run(['upload', 'pub', '--to', 'zenodo', '--deposition', String(res.id)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--new-version/);
  });

  test('--publish --zotero adds a dataset item; without a Zotero login it fails before uploading', async () => {
    folder('zot', { 'z.csv': 'z\n' });
    const from = log().length;
    const none = await sb.run(['upload', 'zot', '--to', 'zenodo', '--publish', '--zotero', ...META]);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/rdp login zotero/);
    expect(log().slice(from).filter((e) => e.service === 'zenodo')).toHaveLength(0);

    const env = { RDP_ZOTERO_KEY: emu.tokens.zotero, RDP_ZOTERO_USER_ID: String(SEED.zotero.userID) };
    const r = await sb.run(['upload', 'zot', '--to', 'zenodo', '--publish', '--zotero', '--keyword', 'soil', '--json', ...META], { env });
    expect(r.code).toBe(0);
    const res = parseJson<Result & { zotero: { key: string } }>(r.stdout);
    const item = zoteroLibrary(emu.server.state).items.get(res.zotero.key);
    expect(item?.data).toMatchObject({
      itemType: 'dataset',
      title: 'Soil samples',
      DOI: res.doi,
      url: `https://doi.org/${res.doi}`,
      creators: [{ creatorType: 'author', lastName: 'Doe', firstName: 'Jane' }],
      tags: [{ tag: 'soil' }],
    });
  });
});

describe('faults', () => {
  const files = { 'f1.bin': big, 'f2.csv': 'a,b\n', 'f3.txt': 'three' };

  test('uploads survive 3 x 5xx on file PUTs', async () => {
    const dir = folder('five', files);
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 503, times: 3 });
    const r = await sb.run(['upload', 'five', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(0);
    expect(log().filter((e) => e.fault === 'status 503')).toHaveLength(3);
    expectArrived(parseJson<Result>(r.stdout).id, dir, Object.keys(files));
  });

  test('uploads survive a 429 burst with Retry-After', async () => {
    const dir = folder('burst', files);
    const from = log().length;
    emu.server.faults.add({ service: 'zenodo', action: 'status', status: 429, retryAfter: 0.2, times: 4 });
    const r = await sb.run(['upload', 'burst', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(0);
    expect(log().slice(from).filter((e) => e.status === 429)).toHaveLength(4);
    expectArrived(parseJson<Result>(r.stdout).id, dir, Object.keys(files));
  });

  test('uploads survive a connection cut mid-file (the file is sent again from a fresh stream)', async () => {
    const dir = folder('cut', files);
    const from = log().length;
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/f1.bin', action: 'cut', afterBytes: 1_000_000 });
    const r = await sb.run(['upload', 'cut', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(0);
    const f1 = puts(from).filter((e) => e.path.endsWith('/f1.bin'));
    expect(f1.map((e) => e.status)).toEqual([0, 201]);
    expect(f1[0]?.fault).toMatch(/cut/);
    expectArrived(parseJson<Result>(r.stdout).id, dir, Object.keys(files));
  });

  test("a connection cut in the middle of Zenodo's answer to a file PUT (the file arrived): the PUT is repeated, the upload succeeds", async () => {
    const dir = folder('cut-answer', files);
    const from = log().length;
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/f2.csv', action: 'cut-response', afterBytes: 10 });
    const r = await sb.run(['upload', 'cut-answer', '--to', 'zenodo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const f2 = puts(from).filter((e) => e.path.endsWith('/f2.csv'));
    expect(f2).toHaveLength(2);
    expect(f2[0]?.fault).toMatch(/response cut/);
    expectArrived(parseJson<Result>(r.stdout).id, dir, Object.keys(files));
  });

  test('a copy that arrives damaged once (a wrong server checksum) is sent again at once, and the upload succeeds', async () => {
    const dir = folder('wrong-once', files);
    const from = log().length;
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/f2.csv', action: 'wrong-checksum' });
    const r = await sb.run(['upload', 'wrong-once', '--to', 'zenodo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('f2.csv arrived damaged (Zenodo\'s checksum is not that of what rdp sent); sending it again.');
    expect(puts(from).filter((e) => e.path.endsWith('/f2.csv'))).toHaveLength(2);
    const id = Number(/^deposition\s+(\d+)/m.exec(r.stdout)?.[1]);
    expectArrived(id, dir, Object.keys(files));
  });

  test('a copy damaged twice fails the command naming the file; the same command again repairs it in the same draft', async () => {
    const dir = folder('wrong', files);
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/f2.csv', action: 'wrong-checksum', always: true });
    const before = log().length;
    const r = await sb.run(['upload', 'wrong', '--to', 'zenodo', '--json']);
    emu.server.faults.clear();
    expect(puts(before).filter((e) => e.path.endsWith('/f2.csv'))).toHaveLength(2);
    expect(r.code).toBe(1);
    // stderr: the warning that it is sent again, then the error document
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr.trim().split('\n').pop() ?? '').error;
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toMatch(/^f2\.csv: /);
    const resume = /rdp upload .*--deposition (\d+)/.exec(err.hint);
    expect(resume).not.toBeNull();
    const id = Number(resume?.[1]);
    expect(store().depositions.get(id)?.files.has('f2.csv')).toBe(false);
    const from = log().length;
    const again = await sb.run(['upload', 'wrong', '--to', 'zenodo', '--json']);
    expect(again.code).toBe(0);
    expect(parseJson<Result>(again.stdout).id).toBe(id);
    expect(puts(from).map((e) => e.path)).toEqual([expect.stringMatching(/\/f2\.csv$/)]);
    expectArrived(id, dir, Object.keys(files));
    // once complete (not published), the same command keeps working on the same draft
    const third = parseJson<Result>((await sb.run(['upload', 'wrong', '--to', 'zenodo', '--json'])).stdout);
    expect(third.id).toBe(id);
  });

  test('an upload answer without a checksum is checked against the draft afterwards (a file that never arrived fails)', async () => {
    folder('nochecksum', { 'lost.txt': 'lost', 'kept.txt': 'kept' });
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/lost.txt', action: 'status', status: 201, body: { key: 'lost.txt', size: 4 } });
    const r = await sb.run(['upload', 'nochecksum', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<{ error: { code: string; message: string } }>(r.stderr).error;
    expect(err).toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/^lost\.txt is missing from the draft/) });
  });

  test('Ctrl-C aborts the transfers, keeps the draft, prints the resume command and exits 130; the resume completes', async () => {
    const dir = folder('slow', { 'a.bin': big, 'b.bin': Buffer.from(big).reverse(), 'c.txt': 'c' });
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'latency', latencyMs: 60_000, always: true });
    const child = spawn(process.execPath, [BIN, 'upload', 'slow', '--to', 'zenodo'], { cwd: sb.dir, env: sb.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const uploading = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/Uploading 3 files/.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await uploading;
    // the PUTs are in flight now, and the emulator holds them for a minute
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    for (const t of Object.values(emu.tokens)) expect(stderr + stdout).not.toContain(t);
    expect(stderr).toMatch(/Interrupted/);
    const cmd = /Resume with: (rdp upload .*)$/m.exec(stderr)?.[1];
    expect(cmd).toMatch(/^rdp upload slow --to zenodo --deposition \d+$/);
    const id = Number(/--deposition (\d+)/.exec(cmd ?? '')?.[1]);
    expect(store().depositions.get(id)?.state).toBe('unsubmitted');

    emu.server.faults.clear();
    const again = await sb.run((cmd ?? '').split(' ').slice(1));
    expect(again.code).toBe(0);
    expectArrived(id, dir, ['a.bin', 'b.bin', 'c.txt']);
  });
});

describe('folders and archives', () => {
  test('a nested folder is refused with a hint to use --zip; --zip streams one archive, and a re-run sends nothing', async () => {
    folder('tree', { 'top.txt': 'top', 'sub/inner.csv': 'i\n', 'sub/deeper/x.bin': big });
    const from = log().length;
    const refused = await sb.run(['upload', 'tree', '--to', 'zenodo']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/subfolders/);
    expect(refused.stderr).toMatch(/--zip tree\.zip/);
    expect(log().length).toBe(from);

    const r = await sb.run(['upload', 'tree', '--to', 'zenodo', '--zip', 'tree.zip', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    const f = store().depositions.get(res.id)?.files.get('tree.zip');
    expect(f?.size).toBeGreaterThan(big.length);
    expect(f?.md5).toBe(md5(readFileSync(f?.path as string)));
    // the archive holds the tree
    const { execFileSync } = await import('node:child_process');
    const names = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(" ".join(sorted(z.namelist())))', f?.path as string]).toString().trim();
    expect(names).toBe('sub/deeper/x.bin sub/inner.csv top.txt');

    const again = log().length;
    const rerun = await sb.run(['upload', 'tree', '--to', 'zenodo', '--zip', 'tree.zip', '--deposition', String(res.id)]);
    expect(rerun.code).toBe(0);
    expect(puts(again)).toHaveLength(0);
  });

  test('two inputs that would get the same name are refused before anything remote happens', async () => {
    folder('c1', { 'same.txt': '1' });
    folder('c2', { 'same.txt': '2' });
    const from = log().length;
    const r = await sb.run(['upload', 'c1', 'c2', '--to', 'zenodo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/both be uploaded as "same\.txt"/);
    expect(log().length).toBe(from);
  });

  test('more than 100 files are refused before anything remote happens', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 101; i++) many[`f${i}.txt`] = String(i);
    folder('many', many);
    const from = log().length;
    const r = await sb.run(['upload', 'many', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(2);
    expect(parseJson<{ error: { code: string; hint: string } }>(r.stderr).error).toMatchObject({ code: 'TOO_MANY_FILES', hint: expect.stringMatching(/--zip/) });
    expect(log().length).toBe(from);
  });

  test('an empty file is refused before anything remote happens (Zenodo answers 400 to one); --zip holds it', async () => {
    const dir = folder('hollow', { 'data.csv': 'a,b\n1,2\n', 'placeholder.txt': '' });
    const from = log().length;
    const r = await sb.run(['upload', 'hollow', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(2);
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
    expect(err).toMatchObject({ code: 'EMPTY_FILE', message: expect.stringMatching(/^placeholder\.txt is an empty file \(0 bytes\), and Zenodo does not accept empty files/) });
    expect(err.hint).toContain("--exclude '/placeholder.txt'");
    expect(err.hint).toContain('--zip');
    expect(log().length).toBe(from);
    const named = await sb.run(['upload', join(dir, 'placeholder.txt'), '--to', 'zenodo']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/do not name it/);
    const left = await sb.run(['upload', 'hollow', '--to', 'zenodo', '--exclude', '/placeholder.txt', '--json']);
    expect(left.code, left.stderr).toBe(0);
    expectArrived(parseJson<Result>(left.stdout).id, dir, ['data.csv']);
    const zipped = await sb.run(['upload', 'hollow', '--to', 'zenodo', '--zip', 'hollow.zip', '--new-record', '--json']);
    expect(zipped.code, zipped.stderr).toBe(0);
  });
});

describe('metadata sources', () => {
  const cff = `cff-version: 1.2.0
title: Soil carbon survey
abstract: Samples from ten sites.
version: 2.1.0
date-released: 2024-05-02
license: CC-BY-4.0
keywords: [soil, carbon]
authors:
  - family-names: Doe
    given-names: Jane
    affiliation: Example University
    orcid: https://orcid.org/0000-0002-1825-0097
  - name: The Soil Consortium
`;

  test('CITATION.cff in the folder is mapped to Zenodo metadata; flags go on top', async () => {
    folder('cffdata', { 'CITATION.cff': cff, 'd.csv': 'd\n' });
    const r = await sb.run(['upload', 'cffdata', '--to', 'zenodo', '--keyword', 'field', '--license', 'cc0-1.0', '--json', '--publish']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(store().depositions.get(res.id)?.metadata).toMatchObject({
      title: 'Soil carbon survey',
      description: 'Samples from ten sites.',
      version: '2.1.0',
      publication_date: '2024-05-02',
      license: 'cc0-1.0',
      keywords: ['soil', 'carbon', 'field'],
      upload_type: 'dataset',
      creators: [{ name: 'Doe, Jane', affiliation: 'Example University', orcid: '0000-0002-1825-0097' }, { name: 'The Soil Consortium' }],
    });
  });

  test('.zenodo.json wins over CITATION.cff; --metadata FILE wins over both', async () => {
    folder('zj', { '.zenodo.json': JSON.stringify({ title: 'From zenodo.json', upload_type: 'software' }), 'CITATION.cff': cff, 'e.csv': 'e' });
    writeFileSync(join(sb.dir, 'meta.json'), JSON.stringify({ metadata: { title: 'From --metadata' } }));
    const a = parseJson<Result>((await sb.run(['upload', 'zj', '--to', 'zenodo', '--dry-run', '--json'])).stdout);
    expect(a.metadata).toMatchObject({ title: 'From zenodo.json', upload_type: 'software' });
    const b = parseJson<Result>((await sb.run(['upload', 'zj', '--to', 'zenodo', '--dry-run', '--json', '--metadata', 'meta.json'])).stdout);
    expect(b.metadata.title).toBe('From --metadata');
  });

  test.each([
    ['a malformed CITATION.cff', { 'CITATION.cff': 'title: [unclosed\n' }, [], /not valid YAML/],
    ['an invalid ORCID iD in CITATION.cff', { 'CITATION.cff': 'title: T\nauthors:\n  - family-names: Doe\n    orcid: 0000-0002-1825-0098\n' }, [], /ORCID iD.*check character/],
    ['a malformed .zenodo.json', { '.zenodo.json': '{"title": ' }, [], /not valid JSON/],
    ['an unknown license', {}, ['--license', 'not-a-license'], /not a license id Zenodo knows/],
    ['an invalid ORCID iD in --creator', {}, ['--creator', 'Doe, Jane;0000-0002-1825-0098'], /not a valid ORCID iD/],
    ['a relation Zenodo does not know in .zenodo.json', { '.zenodo.json': JSON.stringify({ related_identifiers: [{ identifier: '10.1234/x', relation: 'isSupplementOf' }] }) }, [], /"isSupplementOf" .*is not a relation Zenodo knows/],
    ['a language that is not a code in .zenodo.json', { '.zenodo.json': JSON.stringify({ language: 'English' }) }, [], /language "English" is not a language code/],
    ['communities as a list of names in .zenodo.json', { '.zenodo.json': JSON.stringify({ communities: ['zenodo'] }) }, [], /communities must be a list of \{"identifier"/],
  ])('%s is a clear error before any remote change', async (_name, files, flags, message) => {
    folder('badmeta', { ...files, 'f.txt': 'f' });
    const from = log().length;
    const r = await sb.run(['upload', 'badmeta', '--to', 'zenodo', ...(flags as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(log().length).toBe(from);
  });

  test('what Zenodo publishes is not refused: a workflow, a publication without publication_type, no description, a year as publication_date, a licence as {id}', async () => {
    for (const [name, md] of [
      ['workflow', { upload_type: 'workflow', title: 'Soil pipeline', creators: [{ name: 'Doe, Jane' }] }],
      ['pubnosub', { upload_type: 'publication', title: 'Soil report', creators: [{ name: 'Doe, Jane' }], access_right: 'restricted' }],
      ['yearonly', { upload_type: 'dataset', title: 'Soil survey', creators: [{ name: 'Doe, Jane' }], publication_date: '2024' }],
      ['licobj', { upload_type: 'dataset', title: 'Soil licence', creators: [{ name: 'Doe, Jane' }], license: { id: 'CC-BY-4.0' } }],
    ] as const) {
      folder(name, { '.zenodo.json': JSON.stringify(md), 'w.txt': 'w' });
      const r = await sb.run(['upload', name, '--to', 'zenodo', '--publish', '--json']);
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
      const res = parseJson<Result>(r.stdout);
      expect(res.published, name).toBe(true);
      const { license, ...rest } = md as Record<string, unknown>;
      expect(store().depositions.get(res.id)?.metadata, name).toMatchObject(rest);
      if (license) expect(store().depositions.get(res.id)?.metadata.license, name).toBe('cc-by-4.0');
    }
  });

  const future = `${new Date().getUTCFullYear() + 2}-01-31`;
  test.each([
    ['embargoed without embargo_date (Zenodo refuses the draft)', { access_right: 'embargoed' }, [], /embargoed.*no embargo_date/],
    ['an embargo that has ended, with --publish', { access_right: 'embargoed', embargo_date: '2020-01-01' }, ['--publish'], /embargo_date 2020-01-01 is not in the future/],
    ['a title under 3 characters, with --publish', { title: 'QC' }, ['--publish'], /title of at least 3 characters/],
    ['a description under 3 characters, with --publish', { description: 'ok' }, ['--publish'], /description of at least 3 characters/],
    ['a contributor type Zenodo does not know', { contributors: [{ name: 'Roe, Rita', type: 'Author' }] }, [], /type "Author", which Zenodo does not know/],
    ['a contributor without a type, with --publish', { contributors: [{ name: 'Roe, Rita' }] }, ['--publish'], /contributors\[0\] \(Roe, Rita\) has no type/],
  ])('%s: a clear error before any remote change', async (_name, md, flags, message) => {
    folder('embargo', { '.zenodo.json': JSON.stringify({ title: 'Soil samples', description: 'Field data.', creators: [{ name: 'Doe, Jane' }], ...md }), 'f.txt': 'f' });
    const from = log().length;
    const r = await sb.run(['upload', 'embargo', '--to', 'zenodo', '--json', ...(flags as string[])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr.trim().split('\n').pop() ?? '').error;
    expect(err.code).toBe('BAD_METADATA');
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(/Nothing was uploaded/);
    expect(log().length).toBe(from);
  });

  test('an embargo that has ended is kept in a draft (Zenodo saves it; only publishing refuses it)', async () => {
    folder('ended', { '.zenodo.json': JSON.stringify({ access_right: 'embargoed', embargo_date: '2020-01-01' }), 'f.txt': 'f' });
    const r = await sb.run(['upload', 'ended', '--to', 'zenodo', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<Result>(r.stdout).published).toBe(false);
  });

  test('an embargo until a future day is uploaded and published', async () => {
    folder('embargoed', { '.zenodo.json': JSON.stringify({ access_right: 'embargoed', embargo_date: future }), 'f.txt': 'f' });
    const r = await sb.run(['upload', 'embargoed', '--to', 'zenodo', '--publish', '--json', ...META]);
    expect(r.code).toBe(0);
    expect(store().depositions.get(parseJson<Result>(r.stdout).id)?.metadata).toMatchObject({ access_right: 'embargoed', embargo_date: future });
  });

  test('an unknown field: a warning (Zenodo drops it without a word); a re-run does not save the metadata again', async () => {
    folder('unknownfield', { '.zenodo.json': JSON.stringify({ title: 'T', colour: 'blue' }), 'u.txt': 'u' });
    const r = await sb.run(['upload', 'unknownfield', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Zenodo ignores the unknown field colour/);
    const id = parseJson<Result>(r.stdout).id;
    expect(store().depositions.get(id)?.metadata).not.toHaveProperty('colour');
    const from = log().length;
    const again = await sb.run(['upload', 'unknownfield', '--to', 'zenodo', '--json']);
    expect(parseJson<Result>(again.stdout)).toMatchObject({ id, metadataChanged: false });
    expect(log().slice(from).filter((e) => e.method !== 'GET')).toHaveLength(0);
  });

  test('metadata Zenodo refuses is reported with its field, before any file is sent', async () => {
    folder('badcreator', { '.zenodo.json': JSON.stringify({ title: 'T', creators: [{ name: 'Doe, Jane', affiliation: 7 }] }), 'u.txt': 'u' });
    const from = log().length;
    const r = await sb.run(['upload', 'badcreator', '--to', 'zenodo', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<{ error: { code: string; message: string } }>(r.stderr.trim().split('\n').pop() ?? '').error;
    expect(err.code).toBe('METADATA_REJECTED');
    expect(err.message).toMatch(/metadata\.creators\.0\.affiliation: Not a valid string/);
    expect(puts(from)).toHaveLength(0);
  });

  test('--orcid-creator adds the logged-in ORCID identity; --dmp links the DMP', async () => {
    folder('who', { 'w.txt': 'w' });
    const env = { RDP_ORCID_TOKEN: emu.tokens.orcid, RDP_ORCID_ID: SEED.orcid.orcid };
    const r = await sb.run(['upload', 'who', '--to', 'zenodo', '--orcid-creator', '--dmp', 'https://doi.org/10.48321/D1ABCD', '--dry-run', '--json'], { env });
    expect(r.code).toBe(0);
    const md = parseJson<Result>(r.stdout).metadata;
    expect(md.creators).toEqual([{ name: `${SEED.orcid.family}, ${SEED.orcid.given}`, orcid: SEED.orcid.orcid }]);
    expect(md.related_identifiers).toEqual([{ identifier: '10.48321/D1ABCD', relation: 'isDocumentedBy', resource_type: 'publication-datamanagementplan' }]);
    // a DMPTool plan number is looked up for the plan's DMP ID (the emulator's first seeded plan)
    const dmptool = { RDP_DMPTOOL_TOKEN: emu.tokens.dmptool };
    const byNumber = await sb.run(['upload', 'who', '--to', 'zenodo', '--dmp', '89795', '--dry-run', '--json'], { env: dmptool });
    expect(byNumber.code).toBe(0);
    expect(parseJson<Result>(byNumber.stdout).metadata.related_identifiers).toEqual([{ identifier: '10.48321/D1ABCD', relation: 'isDocumentedBy', resource_type: 'publication-datamanagementplan' }]);
    const plan = await sb.run(['upload', 'who', '--to', 'zenodo', '--dmp', '999999', '--dry-run'], { env: dmptool });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/no plan 999999/);
    const bad = await sb.run(['upload', 'who', '--to', 'zenodo', '--orcid-creator', '--dry-run'], { env: { RDP_ORCID_TOKEN: emu.tokens.orcid, RDP_ORCID_ID: '0000-0002-1825-0098' } });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/RDP_ORCID_ID/);
  });
});

describe('flags', () => {
  test.each([
    [['--deposition', '1', '--new-version', '2'], /only one of --deposition and --new-version/],
    [['--zotero'], /needs --publish/],
    [['--zip', 'x.tar'], /ending in \.zip/],
    [['--concurrency', '0'], /--concurrency must be/],
    [['--deposition', 'abc'], /needs a deposition id/],
  ])('%j is a usage error', async (flags, message) => {
    folder('flags', { 'f.txt': 'f' });
    const r = await sb.run(['upload', 'flags', '--to', 'zenodo', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test.each([['upload'], ['uploads', 'list']])('%s --help has examples', async (...cmd) => {
    const r = await sb.run([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n  \$ rdp upload/);
  });

  test('without a terminal (CI) progress is plain lines on stderr, one per file, and stdout has only the result', async () => {
    folder('ci', { 'one.txt': '1', 'two.txt': '22' });
    const r = await sb.run(['upload', 'ci', '--to', 'zenodo'], { env: { CI: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^✓ one\.txt \(1 B in .*\)$/m);
    expect(r.stderr).toMatch(/^✓ two\.txt \(2 B in .*\)$/m);
    expect(r.stderr).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/^deposition\s+\d+ \(draft\)$/m);
    expect(r.stdout).not.toMatch(/✓/);
  });

  test('--to is required, and a missing path is exit 2', async () => {
    expect((await sb.run(['upload', 'flags'])).code).toBe(2);
    const r = await sb.run(['upload', 'nope', '--to', 'zenodo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file or folder/);
  });

  test('a Zenodo deposition that does not exist is a clear error', async () => {
    const r = await sb.run(['upload', 'flags', '--to', 'zenodo', '--deposition', '999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no deposition 999/);
  });
});
