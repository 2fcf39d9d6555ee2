// InvenioRDM sites (SPEC.md "Sites", issue 14): the built CLI against the emulator's generic InvenioRDM
// site over loopback. `rdp sites add` checks the name and the address; the site is then a provider:
// login --with-token, auth status, upload (a new draft, the same command again, a changed file,
// --publish, the refusal after publishing, --new-version), uploads list, RDP_<NAME>_TOKEN in CI,
// multipart uploads (a cut resends one part; an interrupted upload resumes the missing parts; a site
// that refuses multipart gets one stream per file). Every check reads the emulator's own record of what
// it received (the request log, the site's store).
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { invenioStore } from '../../src/emulator/services/invenio/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

interface Result {
  provider: string;
  id: string;
  url: string;
  doi: string | null;
  published: boolean;
  deposition: string;
  bytesSent: number;
  files: { name: string; size: number; action: string }[];
  multipart: { files: number; partRequests: number; refused: boolean };
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const MiB = 1024 * 1024;
/** Small parts, so that a few MiB make a multipart upload (the sizes are the environment's tuning knobs). */
const PARTS = { RDP_MULTIPART_THRESHOLD: String(2 * MiB), RDP_MULTIPART_PART_SIZE: String(MiB) };

let emu: TestEmulator;
let sb: Sandbox;
let siteUrl: string;
let token: string;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  siteUrl = emu.info.invenio.url;
  token = emu.tokens.invenio;
  sb = new Sandbox({ RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(async () => {
  emu.server.faults.clear();
  await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipart: true }) });
});

const store = () => invenioStore(emu.server.state);
const log = () => emu.server.state.log;

function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** The record holds exactly these files, each with the local content's size and MD5. */
function expectArrived(id: string, dir: string, names: string[]) {
  const r = store().records.get(id);
  expect(r, `record ${id}`).toBeDefined();
  expect([...(r?.files.keys() ?? [])].sort()).toEqual([...names].sort());
  for (const n of names) {
    const local = readFileSync(join(dir, n));
    const f = r?.files.get(n);
    expect(f?.committed, n).toBe(true);
    expect(f?.checksum, n).toBe(`md5:${md5(local)}`);
    expect(f?.size, n).toBe(local.length);
  }
}

/** The file PUTs (whole contents and parts) since log entry `from`. */
function contentPuts(from: number) {
  return log()
    .slice(from)
    .filter((e) => e.service === 'invenio' && e.method === 'PUT' && /\/draft\/files\/.+\/content(\/\d+)?$/.test(e.path));
}

/**
 * The site added and logged in, as the first describe leaves it: each later describe calls this first, so
 * that it also runs alone (\`-t\`). Adding the same address again and logging in again change nothing.
 */
async function siteReady(): Promise<void> {
  const add = await sb.run(['sites', 'add', 'demo', siteUrl, '--json']);
  expect(add.code, add.stderr).toBe(0);
  const login = await sb.run(['login', 'demo', '--with-token', '--insecure-storage', '--json'], { stdin: token });
  expect(login.code, login.stderr).toBe(0);
}

function pseudoRandom(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >>> 16;
  }
  return b;
}

describe('rdp sites add, list, remove', () => {
  test('a good address is added (the name becomes a provider); a clashing or invalid name, a non-InvenioRDM address and plain http to another machine are refused', async () => {
    const add = await sb.run(['sites', 'add', 'demo', siteUrl, '--json']);
    expect(add.code, add.stderr).toBe(0);
    expect(parseJson(add.stdout)).toMatchObject({ name: 'demo', url: siteUrl, api: `${siteUrl}/api`, tokenEnv: 'RDP_DEMO_TOKEN', addedNow: true });
    const again = await sb.run(['sites', 'add', 'demo', `${siteUrl}/`, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson(again.stdout)).toMatchObject({ addedNow: false });

    const clash = await sb.run(['sites', 'add', 'zenodo', siteUrl, '--json']);
    expect(clash.code).toBe(2);
    expect(parseJson<{ error: { code: string; message: string } }>(clash.stderr).error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/rdp's own Zenodo provider/) });
    const bad = await sb.run(['sites', 'add', 'My_Site', siteUrl, '--json']);
    expect(bad.code).toBe(2);
    expect(parseJson<{ error: { message: string } }>(bad.stderr).error.message).toMatch(/cannot be a site name.*RDP_MY_SITE_TOKEN/);
    const taken = await sb.run(['sites', 'add', 'demo', emu.info.zenodo.url, '--json']);
    expect(taken.code).toBe(2);
    expect(parseJson<{ error: { message: string } }>(taken.stderr).error.message).toMatch(/There is a site named "demo" already/);

    // The emulator's Zenodo has no RDM records API: not an InvenioRDM; nor is a JSON page of another shape.
    const notInvenio = await sb.run(['sites', 'add', 'other', emu.info.zenodo.url, '--json']);
    expect(notInvenio.code).toBe(1);
    expect(parseJson<{ error: { code: string } }>(notInvenio.stderr).error.code).toBe('NOT_INVENIO');
    const nomad = await sb.run(['sites', 'add', 'other', emu.info.nomad.url, '--json']);
    expect(parseJson<{ error: { code: string } }>(nomad.stderr).error.code).toBe('NOT_INVENIO');

    const insecure = await sb.run(['sites', 'add', 'far', 'http://repository.example.org', '--json']);
    expect(insecure.code).toBe(2);
    expect(parseJson<{ error: { code: string } }>(insecure.stderr).error.code).toBe('INSECURE_URL');
    // Nothing was sent anywhere for the refused ones, and only demo is kept.
    const list = await sb.run(['sites', 'list', '--json']);
    expect(parseJson<{ name: string }[]>(list.stdout).map((s) => s.name)).toEqual(['demo']);
    // The name now works where provider ids do.
    expect((await sb.run(['upload', '--help'])).stdout).toMatch(/--to <service>\s+where to upload: zenodo, nomad or demo/);
  });

  test('login <site> --with-token checks the token with the site; auth status shows it', async () => {
    const wrong = await sb.run(['login', 'demo', '--with-token', '--insecure-storage', '--json'], { stdin: 'not-a-token-of-this-site' });
    expect(wrong.code).toBe(4);
    expect(parseJson<{ error: { code: string } }>(wrong.stderr).error.code).toBe('AUTH_INVALID');
    const login = await sb.run(['login', 'demo', '--with-token', '--insecure-storage', '--json'], { stdin: token });
    expect(login.code, login.stderr).toBe(0);
    expect(parseJson(login.stdout)).toMatchObject({ provider: 'demo', account: emu.account('invenio').replace(/^invenio@/, 'demo@') });
    const status = await sb.run(['auth', 'status', 'demo', '--json']);
    expect(parseJson(status.stdout)).toMatchObject({ provider: 'demo', loggedIn: true, source: 'file' });
    // No browser login without an OAuth client: a clear refusal that names --with-token (test/e2e/sites-login.test.ts: with one).
    const browser = await sb.run(['login', 'demo', '--no-browser', '--json']);
    expect(browser.code).toBe(2);
    expect(parseJson<{ error: { message: string; hint: string } }>(browser.stderr).error).toMatchObject({ message: expect.stringMatching(/No OAuth client for demo is configured/), hint: expect.stringMatching(/rdp login demo --with-token/) });
  });
});

describe('rdp upload --to <site>', () => {
  beforeAll(siteReady);
  let dir: string;
  let first: Result;
  const meta = ['--title', 'Soil samples', '--creator', 'Doe, Jane;Example University;0000-0002-1825-0097'];

  test('a folder (with a subfolder) goes into a new draft, every file checked against the site', async () => {
    dir = folder('data', { 'a.csv': 'x,y\n1,2\n', 'sub/b.txt': 'hello\n' });
    const r = await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--json']);
    expect(r.code, r.stderr).toBe(0);
    first = parseJson<Result>(r.stdout);
    expect(first).toMatchObject({ provider: 'demo', deposition: 'created', published: false, bytesSent: 14 });
    expectArrived(first.id, dir, ['a.csv', 'sub/b.txt']);
    const rec = store().records.get(first.id);
    expect(rec?.metadata).toMatchObject({
      title: 'Soil samples',
      resource_type: { id: 'dataset' },
      creators: [{ person_or_org: { family_name: 'Doe', given_name: 'Jane', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }] }, affiliations: [{ name: 'Example University' }] }],
    });
  });

  test('the same command again continues the same draft and sends nothing; a changed file is replaced alone', async () => {
    const from = log().length;
    const again = parseJson<Result>((await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--json'])).stdout);
    expect(again).toMatchObject({ id: first.id, deposition: 'existing', bytesSent: 0 });
    expect(again.files.map((f) => f.action)).toEqual(['skip', 'skip']);
    expect(contentPuts(from)).toEqual([]);
    expect(log().slice(from).filter((e) => e.method === 'POST' && e.path === '/api/records')).toEqual([]);

    writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n3,4\n');
    const from2 = log().length;
    const changed = parseJson<Result>((await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--json'])).stdout);
    expect(changed.id).toBe(first.id);
    expect(changed.files).toEqual([expect.objectContaining({ name: 'a.csv', action: 'replace' }), expect.objectContaining({ name: 'sub/b.txt', action: 'skip' })]);
    expect(contentPuts(from2).map((e) => e.path)).toEqual([`/api/records/${first.id}/draft/files/a.csv/content`]);
    expectArrived(first.id, dir, ['a.csv', 'sub/b.txt']);
  });

  test('--dry-run changes nothing; --publish publishes; the same command after that refuses (ALREADY_PUBLISHED)', async () => {
    const from = log().length;
    const dry = await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--publish', '--dry-run', '--json']);
    expect(parseJson<Result & { dryRun: boolean }>(dry.stdout)).toMatchObject({ dryRun: true, id: first.id, notes: expect.arrayContaining([expect.stringMatching(/^--publish: once the files are in, the draft would be published/)]) });
    expect(log().slice(from).filter((e) => e.method !== 'GET')).toEqual([]);

    const pub = await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--publish', '--json']);
    expect(pub.code, pub.stderr).toBe(0);
    const r = parseJson<Result>(pub.stdout);
    expect(r).toMatchObject({ id: first.id, published: true, doi: expect.stringMatching(/^10\.1234\//) });
    expect(store().records.get(first.id)?.published).toBe(true);

    const twice = await sb.run(['upload', 'data', '--to', 'demo', ...meta, '--publish', '--json']);
    expect(twice.code).toBe(1);
    const err = parseJson<{ error: { code: string; hint: string } }>(twice.stderr).error;
    expect(err).toMatchObject({ code: 'ALREADY_PUBLISHED', hint: expect.stringContaining(`--new-version ${first.id}`) });
  });

  test('--new-version: a new draft of the same record with the last version\'s files imported; only what changed is sent', async () => {
    writeFileSync(join(dir, 'c.txt'), 'new in v2\n');
    const from = log().length;
    const r = await sb.run(['upload', 'data', '--to', 'demo', '--new-version', first.id, '--publish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<Result>(r.stdout);
    expect(v2.id).not.toBe(first.id);
    expect(v2).toMatchObject({ deposition: 'new-version', published: true });
    expect(store().records.get(v2.id)?.parentId).toBe(store().records.get(first.id)?.parentId);
    expect(log().slice(from).some((e) => e.method === 'POST' && e.path === `/api/records/${v2.id}/draft/actions/files-import`)).toBe(true);
    expect(contentPuts(from).map((e) => e.path)).toEqual([`/api/records/${v2.id}/draft/files/c.txt/content`]);
    expectArrived(v2.id, dir, ['a.csv', 'sub/b.txt', 'c.txt']);
    // The same command again would publish a third version: refused.
    const again = await sb.run(['upload', 'data', '--to', 'demo', '--new-version', first.id, '--publish', '--json']);
    expect(parseJson<{ error: { code: string } }>(again.stderr).error.code).toBe('ALREADY_PUBLISHED');

    const list = await sb.run(['uploads', 'list', '--on', 'demo', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = parseJson<{ id: string; state: string; doi: string | null }[]>(list.stdout);
    expect(rows[0]).toMatchObject({ id: v2.id, state: 'published', doi: expect.stringMatching(/^10\.1234\//) });
  });

  test('--new-version of a record with a licence: the licence the site answered with its title, icon and props goes back as its id alone (the site refuses both at once); no error is noted, the licence stays', async () => {
    folder('licensed', { 'l.txt': 'v1\n' });
    const v1 = await sb.run(['upload', 'licensed', '--to', 'demo', ...meta, '--license', 'cc-by-4.0', '--publish', '--json']);
    expect(v1.code, v1.stderr).toBe(0);
    const id1 = parseJson<Result>(v1.stdout).id;
    const r = await sb.run(['upload', 'licensed', '--to', 'demo', '--new-version', id1, '--title', 'Soil samples, version 2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<Result & { notes: string[] }>(r.stdout);
    expect(v2.notes.filter((n) => n.includes('rights'))).toEqual([]);
    expect(r.stderr).not.toMatch(/rights/);
    expect(store().records.get(v2.id)?.metadata.rights).toEqual([{ id: 'cc-by-4.0' }]);
  });

  test('--new-version of a record with custom fields (set on the site): the new version keeps them (a save sets what it is sent, {} when none)', async () => {
    folder('custom', { 'k.txt': 'v1\n' });
    const up = await sb.run(['upload', 'custom', '--to', 'demo', ...meta, '--json']);
    expect(up.code, up.stderr).toBe(0);
    const id1 = parseJson<Result>(up.stdout).id;
    // the site's own fields, set on the site (rdp writes none itself)
    const api = `${emu.info.invenio.url.replace(/\/$/, '')}/api`;
    const auth = { authorization: `Bearer ${emu.tokens.invenio}`, 'content-type': 'application/json' };
    const d = (await (await fetch(`${api}/records/${id1}/draft`, { headers: auth })).json()) as Record<string, unknown>;
    const custom = { 'journal:journal': { title: 'Soil Journal', volume: '3' }, 'code:codeRepository': 'https://example.org/soil.git' };
    const put = await fetch(`${api}/records/${id1}/draft`, { method: 'PUT', headers: auth, body: JSON.stringify({ metadata: d.metadata, access: d.access, files: { enabled: true }, custom_fields: custom }) });
    expect(put.status).toBe(200);
    expect((await sb.run(['publish', id1, '--on', 'demo', '--json'])).code).toBe(0);
    expect(store().records.get(id1)?.customFields).toEqual(custom);

    const r = await sb.run(['upload', 'custom', '--to', 'demo', '--new-version', id1, '--title', 'Soil samples, version 2', '--publish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<Result>(r.stdout);
    expect(store().records.get(v2.id)?.metadata.title).toBe('Soil samples, version 2');
    expect(store().records.get(v2.id)?.customFields).toEqual(custom);
  });

  test('--new-version when the answers to the new version and to the files import are lost (the site acted, then 502): sent again, one run', async () => {
    const d = folder('lost-version', { 'kept.txt': 'from version 1\n' });
    const v1 = await sb.run(['upload', 'lost-version', '--to', 'demo', ...meta, '--publish', '--json']);
    expect(v1.code, v1.stderr).toBe(0);
    const first1 = parseJson<Result>(v1.stdout);
    writeFileSync(join(d, 'added.txt'), 'new in version 2\n');
    emu.server.faults.add({ service: 'invenio', method: 'POST', path: `/api/records/${first1.id}/versions`, action: 'status-after', status: 502 });
    emu.server.faults.add({ service: 'invenio', method: 'POST', path: '/api/records/*/draft/actions/files-import', action: 'status-after', status: 502 });
    const from = log().length;
    const r = await sb.run(['upload', 'lost-version', '--to', 'demo', '--new-version', first1.id, '--json'], { env: { RDP_RETRY_BASE_MS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<Result>(r.stdout);
    const calls = (suffix: string) =>
      log()
        .slice(from)
        .filter((e) => e.method === 'POST' && e.path.endsWith(suffix))
        .map((e) => e.status);
    expect(calls('/versions')).toEqual([502, 201]);
    expect(calls('/files-import')).toEqual([502, 400]);
    expect([...store().records.values()].filter((x) => x.parentId === store().records.get(first1.id)?.parentId)).toHaveLength(2);
    expect(contentPuts(from).map((e) => e.path)).toEqual([`/api/records/${v2.id}/draft/files/added.txt/content`]);
    expectArrived(v2.id, d, ['added.txt', 'kept.txt']);
  });

  test('a 5xx on the draft-creating POST leaves no second draft: the draft that attempt made is adopted, or the POST is sent again', async () => {
    const drafts = (title: string) => [...store().records.values()].filter((r) => r.metadata.title === title);
    folder('five', { 'f.txt': 'five' });
    // The site created the draft, then a gateway answered 502.
    emu.server.faults.add({ service: 'invenio', method: 'POST', path: '/api/records', action: 'status-after', status: 502 });
    const adopted = await sb.run(['upload', 'five', '--to', 'demo', '--title', 'Made then lost', '--json']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(drafts('Made then lost')).toHaveLength(1);
    expect(parseJson<Result>(adopted.stdout).id).toBe(drafts('Made then lost')[0]?.id);
    // Nothing was made (503 before handling): asked again, one draft.
    emu.server.faults.add({ service: 'invenio', method: 'POST', path: '/api/records', action: 'status', status: 503 });
    const again = await sb.run(['upload', 'five', '--to', 'demo', '--new-record', '--title', 'Refused once', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(drafts('Refused once')).toHaveLength(1);
  });

  test('--delete-extra removes files of the draft that are not local (with --debug: the request log shows no token)', async () => {
    const d = folder('extra', { 'keep.txt': 'keep', 'drop.txt': 'drop' });
    const r = parseJson<Result>((await sb.run(['upload', 'extra', '--to', 'demo', '--title', 'Extra', '--json'])).stdout);
    expectArrived(r.id, d, ['keep.txt', 'drop.txt']);
    rmSync(join(d, 'drop.txt'));
    const kept = parseJson<Result>((await sb.run(['upload', 'extra', '--to', 'demo', '--title', 'Extra', '--json'])).stdout);
    expect(kept.files).toContainEqual(expect.objectContaining({ name: 'drop.txt', action: 'keep' }));
    const del = await sb.run(['upload', 'extra', '--to', 'demo', '--title', 'Extra', '--delete-extra', '--debug']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stderr).toMatch(/DELETE .*\/draft\/files\/drop\.txt/);
    expectArrived(r.id, d, ['keep.txt']);
  });

  test('a copy that arrives damaged once (the site\'s checksum differs) is sent again at once; the upload succeeds', async () => {
    const d = folder('damaged-once', { 'ok.txt': 'fine\n', 'hit.txt': 'damaged on the first try\n' });
    emu.server.faults.add({ service: 'invenio', method: 'PUT', path: '/api/records/*/draft/files/hit.txt/content', action: 'wrong-checksum' });
    const from = log().length;
    const r = await sb.run(['upload', 'damaged-once', '--to', 'demo', '--title', 'Damaged once', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(contentPuts(from).filter((e) => e.path.endsWith('/hit.txt/content'))).toHaveLength(2);
    expectArrived(parseJson<Result>(r.stdout).id, d, ['hit.txt', 'ok.txt']);
  });

  test('a commit whose answer is lost (the site committed, a proxy answered 502) is sent again; the upload succeeds in one run', async () => {
    const d = folder('lost-commit', { 'one.txt': 'committed once, answered twice\n', 'big.bin': pseudoRandom(3 * MiB, 19) });
    for (const key of ['one.txt', 'big.bin']) emu.server.faults.add({ service: 'invenio', method: 'POST', path: `/api/records/*/draft/files/${key}/commit`, action: 'status-after', status: 502 });
    const from = log().length;
    const r = await sb.run(['upload', 'lost-commit', '--to', 'demo', '--title', 'Lost commit', '--json'], { env: { ...PARTS, RDP_RETRY_BASE_MS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.multipart.files).toBe(1);
    const commits = log()
      .slice(from)
      .filter((e) => e.service === 'invenio' && e.method === 'POST' && e.path.endsWith('/commit'));
    expect(commits.map((e) => `${e.path.split('/').at(-2)} ${e.status}`).sort()).toEqual(['big.bin 200', 'big.bin 502', 'one.txt 200', 'one.txt 502']);
    expectArrived(res.id, d, ['big.bin', 'one.txt']);
  });

  test('a file entry whose answer is lost (created, then 502) is sent again and the stale entry replaced; a large file still goes in parts', async () => {
    for (const [name, files] of [
      ['lost-init', { 'one.txt': 'its entry was made twice\n' }],
      ['lost-init-parts', { 'big.bin': pseudoRandom(3 * MiB, 23) }],
    ] as const) {
      const d = folder(name, files);
      emu.server.faults.add({ service: 'invenio', method: 'POST', path: '/api/records/*/draft/files', action: 'status-after', status: 502 });
      const from = log().length;
      const r = await sb.run(['upload', name, '--to', 'demo', '--title', name, '--json'], { env: { ...PARTS, RDP_RETRY_BASE_MS: '1' } });
      expect(r.code, r.stderr).toBe(0);
      const res = parseJson<Result>(r.stdout);
      const inits = log()
        .slice(from)
        .filter((e) => e.service === 'invenio' && e.method === 'POST' && e.path.endsWith('/draft/files'))
        .map((e) => e.status);
      expect(inits).toEqual([502, 400, 201]);
      expect(res.multipart).toEqual(name === 'lost-init' ? { files: 0, partRequests: 0, refused: false } : { files: 1, partRequests: 3, refused: false });
      expectArrived(res.id, d, Object.keys(files));
    }
  });

  test('a site that refuses empty files (as Zenodo is configured): EMPTY_FILE (exit 2) naming the file and the ways on, its entry removed; the other files arrive', async () => {
    const d = folder('with-empty', { 'full.txt': 'something\n', 'blank.txt': '' });
    store().settings.allowEmptyFiles = false;
    try {
      const r = await sb.run(['upload', 'with-empty', '--to', 'demo', '--title', 'With an empty file', '--json']);
      expect(r.code).toBe(2);
      const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr.trim().split('\n').at(-1) ?? '').error;
      expect(err.code).toBe('EMPTY_FILE');
      expect(err.message).toBe('blank.txt is an empty file (0 bytes), and demo does not accept empty files (it answered 400 to the commit).');
      expect(err.hint).toContain("--exclude '/blank.txt'");
      const id = /--deposition (\S+)/.exec(err.hint)?.[1] as string;
      expectArrived(id, d, ['full.txt']);
      const left = await sb.run(['upload', 'with-empty', '--to', 'demo', '--title', 'With an empty file', '--exclude', '/blank.txt', '--json']);
      expect(left.code, left.stderr).toBe(0);
      expect(parseJson<Result>(left.stdout).id).toBe(id);
    } finally {
      store().settings.allowEmptyFiles = true;
    }
  });

  test('what the site notes when it saves the draft (a title too short, no creators) is in the --json notes, not only on stderr', async () => {
    folder('short-title', { 'x.txt': 'x' });
    const r = await sb.run(['upload', 'short-title', '--to', 'demo', '--title', 'ab', '--new-record', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const notes = parseJson<Result & { notes: string[] }>(r.stdout).notes;
    expect(notes).toContainEqual(expect.stringMatching(/^demo saved the draft and notes metadata\.title: Shorter than minimum length 3\. \(needed before it can be published\)\.$/));
  });

  test('uploads list shows drafts too', async () => {
    const d = folder('draft-only', { 'x.txt': 'x' });
    const r = parseJson<Result>((await sb.run(['upload', 'draft-only', '--to', 'demo', '--title', 'Just a draft', '--json'])).stdout);
    expectArrived(r.id, d, ['x.txt']);
    const rows = parseJson<{ id: string; state: string; title: string }[]>((await sb.run(['uploads', 'list', '--on', 'demo', '--status', 'draft', '--json'])).stdout);
    expect(rows).toContainEqual(expect.objectContaining({ id: r.id, state: 'draft', title: 'Just a draft' }));
    // every kind of draft (a new version's, a published record being edited), no published record
    expect(rows.every((x) => x.state !== 'published')).toBe(true);
    // --limit: the note says how many more exist (the site states its total).
    const all = parseJson<unknown[]>((await sb.run(['uploads', 'list', '--on', 'demo', '--all', '--json'])).stdout);
    expect(all.length).toBeGreaterThan(1);
    const cut = await sb.run(['uploads', 'list', '--on', 'demo', '--limit', '1']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stderr).toContain(`Showing the newest 1 of ${all.length} demo uploads (${all.length - 1} more)`);
  });
});

describe('multipart uploads to a site', () => {
  beforeAll(siteReady);
  test('a file in parts sent in parallel; a connection cut at ~60 % of the file resends that one part only', async () => {
    const content = pseudoRandom(5 * MiB, 7);
    const dir = folder('big', { 'big.bin': content });
    // Part 3 of 5 (bytes 2-3 MiB) is cut after 0.6 MiB: about 52 % of the file had gone when the cut came.
    emu.server.faults.add({ service: 'invenio', method: 'PUT', path: '/api/records/*/draft/files/big.bin/content/3', action: 'cut', afterBytes: Math.round(0.6 * MiB) });
    const from = log().length;
    const r = await sb.run(['upload', 'big', '--to', 'demo', '--title', 'Big', '--json'], { env: PARTS });
    expect(r.code, r.stderr).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.multipart).toEqual({ files: 1, partRequests: 6, refused: false });
    const parts = contentPuts(from).map((e) => Number(/content\/(\d+)$/.exec(e.path)?.[1]));
    expect(parts.filter((n) => n === 3)).toHaveLength(2);
    expect(parts.sort()).toEqual([1, 2, 3, 3, 4, 5]);
    expect(contentPuts(from).filter((e) => e.fault === undefined || !String(e.fault).includes('cut')).every((e) => e.status === 200)).toBe(true);
    expectArrived(res.id, dir, ['big.bin']);
  });

  test('an interrupted multipart upload resumes with the missing parts only', async () => {
    const dir = folder('big2', { 'big.bin': pseudoRandom(4 * MiB + 123, 11) });
    emu.server.faults.add({ service: 'invenio', method: 'PUT', path: '/api/records/*/draft/files/big.bin/content/2', action: 'cut', afterBytes: 1000 });
    const failed = await sb.run(['upload', 'big2', '--to', 'demo', '--title', 'Big 2', '--json'], { env: { ...PARTS, RDP_HTTP_RETRIES: '0' } });
    expect(failed.code).toBe(1);
    expect(parseJson<{ error: { hint: string } }>(failed.stderr).error.hint).toMatch(/--deposition \S+/);
    const from = log().length;
    const r = await sb.run(['upload', 'big2', '--to', 'demo', '--title', 'Big 2', '--json'], { env: PARTS });
    expect(r.code, r.stderr).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(contentPuts(from).map((e) => e.path)).toEqual([`/api/records/${res.id}/draft/files/big.bin/content/2`]);
    expectArrived(res.id, dir, ['big.bin']);
  });

  test('Ctrl-C keeps the draft and the parts that arrived (exit 130); the same command again sends only the missing parts', async () => {
    const dir = folder('big4', { 'big.bin': pseudoRandom(5 * MiB, 13) });
    // Every part but the first (the smallest, sent alone) waits, so that the interrupt comes mid-file.
    for (const n of [1, 2, 3, 4]) emu.server.faults.add({ service: 'invenio', method: 'PUT', path: `/api/records/*/draft/files/big.bin/content/${n}`, action: 'latency', latencyMs: 3000, always: true });
    const run = sb.start(['upload', 'big4', '--to', 'demo', '--title', 'Big 4'], { env: PARTS });
    await run.waitFor(/Uploading 1 file/);
    // The smallest part has arrived and the journal (under $XDG_STATE_HOME/rdp/multipart) records it before the interrupt.
    const journals = join(sb.dir, '.local', 'state', 'rdp', 'multipart');
    const recorded = () => (existsSync(journals) ? readdirSync(journals) : []).some((f) => /"key":"big\.bin".*"done":\[5\]/.test(readFileSync(join(journals, f), 'utf8')));
    const deadline = Date.now() + 20_000;
    while (!recorded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(recorded()).toBe(true);
    run.kill('SIGINT');
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/Interrupted\. Draft (\S+) is kept on demo/);
    const id = /Draft (\S+) is kept/.exec(done.stderr)?.[1] as string;
    expect(done.stderr).toMatch(new RegExp(`Resume with: rdp upload big4 --to demo --deposition ${id}`));
    emu.server.faults.clear();
    const from = log().length;
    const again = await sb.run(['upload', 'big4', '--to', 'demo', '--title', 'Big 4', '--json'], { env: PARTS });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<Result>(again.stdout).id).toBe(id);
    const sent = contentPuts(from).map((e) => Number(/content\/(\d+)$/.exec(e.path)?.[1]));
    expect(sent).not.toContain(5);
    expect(sent.length).toBeLessThanOrEqual(4);
    expectArrived(id, dir, ['big.bin']);
  });

  test('a file that grows while its parts go out: FILE_CHANGED (exit 1), not a checksum "mismatch" sent again; once it is still, the same command sends it', async () => {
    const dir = folder('big5', { 'big.bin': pseudoRandom(5 * MiB, 17) });
    // The smallest part goes first, alone; the others are held by the site until the file has grown.
    for (const n of [1, 2, 3, 4]) emu.server.faults.add({ service: 'invenio', method: 'PUT', path: `/api/records/*/draft/files/big.bin/content/${n}`, action: 'hold', always: true });
    const run = sb.start(['upload', 'big5', '--to', 'demo', '--title', 'Big 5', '--json'], { env: PARTS });
    const journals = join(sb.dir, '.local', 'state', 'rdp', 'multipart');
    const read = (f: string) => {
      try {
        return readFileSync(join(journals, f), 'utf8');
      } catch {
        return ''; // a journal's temporary file, renamed away meanwhile
      }
    };
    const recorded = () => (existsSync(journals) ? readdirSync(journals) : []).some((f) => /"key":"big\.bin".*"done":\[5\]/.test(read(f)));
    const deadline = Date.now() + 20_000;
    while (!recorded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(recorded()).toBe(true);
    appendFileSync(join(dir, 'big.bin'), 'more data, written while rdp sends the file\n');
    emu.server.faults.clear(); // the held parts go on
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1);
    const err = parseJson<{ error: { code: string; message: string } }>(done.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.message).toMatch(/big\.bin changed while being sent \(5242880 bytes when rdp started, 5242924 now\)/);
    expect(done.stderr).not.toMatch(/damaged|CHECKSUM_MISMATCH/);
    const again = await sb.run(['upload', 'big5', '--to', 'demo', '--title', 'Big 5', '--json'], { env: PARTS });
    expect(again.code, again.stderr).toBe(0);
    expectArrived(parseJson<Result>(again.stdout).id, dir, ['big.bin']);
  });

  test('a site that refuses multipart (403 on the parts) gets one stream per file, and the upload succeeds', async () => {
    await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipart: false }) });
    const dir = folder('big3', { 'one.bin': pseudoRandom(3 * MiB, 3), 'two.bin': pseudoRandom(3 * MiB + 1, 5) });
    const from = log().length;
    const r = await sb.run(['upload', 'big3', '--to', 'demo', '--title', 'Big 3', '--json', '--concurrency', '1'], { env: PARTS });
    expect(r.code, r.stderr).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.multipart).toEqual({ files: 0, partRequests: 0, refused: true });
    const puts = contentPuts(from);
    // One refused part (the first file's smallest), then whole streams; the second file never tries parts.
    expect(puts.filter((e) => e.status === 403)).toHaveLength(1);
    expect(puts.filter((e) => e.path.endsWith('/content') && e.status === 200)).toHaveLength(2);
    expectArrived(res.id, dir, ['one.bin', 'two.bin']);
  });
});

describe('rdp emulator and its site', () => {
  test('prints the line that adds its InvenioRDM site and the token for it; both work as printed', async () => {
    const own = new Sandbox({ RDP_RETRY_BASE_MS: '5' });
    try {
      const e = own.start(['emulator']);
      const add = await e.waitFor(/^rdp sites add demo (http:\/\/127\.0\.0\.1:\d+\/invenio)$/m);
      const tok = await e.waitFor(/RDP_DEMO_TOKEN=(\S+)/);
      expect(e.stdout()).not.toMatch(/export RDP_INVENIO_URL/);
      // Its ready-made OAuth client goes by the site's name, registered for rdp's default port.
      await e.waitFor(/^export RDP_DEMO_CLIENT_ID=\S+ RDP_DEMO_CLIENT_SECRET=\S+ +# redirect URI http:\/\/127\.0\.0\.1:21930\/callback$/m);
      expect(e.stdout()).not.toMatch(/RDP_INVENIO_CLIENT_ID/);
      expect(e.stdout()).toMatch(/^# OAuth clients for browser logins \(rdp login zenodo\|dmptool\|orcid\|zotero\|demo\)/m);
      expect((await own.run(['sites', 'add', 'demo', add[1] as string])).code).toBe(0);
      const login = await own.run(['login', 'demo', '--with-token', '--insecure-storage', '--json'], { stdin: tok[1] });
      expect(login.code, login.stderr).toBe(0);
      e.kill('SIGINT');
      expect((await e.done).code).toBe(0);
    } finally {
      own.cleanup();
    }
  });
});

describe('a site in CI and its removal', () => {
  test('RDP_<NAME>_TOKEN works without a stored login', async () => {
    const ci = new Sandbox({ RDP_RETRY_BASE_MS: '5' });
    try {
      ci.secret(token);
      expect((await ci.run(['sites', 'add', 'demo', siteUrl])).code).toBe(0);
      const none = await ci.run(['upload', 'x', '--to', 'demo', '--json']);
      expect(none.code).toBe(2); // no such path: checked before the login is looked for
      const d = join(ci.dir, 'ci');
      mkdirSync(d);
      writeFileSync(join(d, 'r.txt'), 'ci');
      const r = await ci.run(['upload', 'ci', '--to', 'demo', '--title', 'From CI', '--json'], { env: { RDP_DEMO_TOKEN: token } });
      expect(r.code, r.stderr).toBe(0);
      expectArrived(parseJson<Result>(r.stdout).id, d, ['r.txt']);
      const all = await ci.run(['uploads', 'list', '--json'], { env: { RDP_DEMO_TOKEN: token } });
      expect(all.code, all.stderr).toBe(0);
      expect(Object.keys(parseJson<Record<string, unknown>>(all.stdout))).toEqual(['demo']);
      const zd = join(ci.dir, 'tree');
      mkdirSync(join(zd, 'sub'), { recursive: true });
      writeFileSync(join(zd, 'sub', 'z.txt'), 'zipped');
      const zipped = await ci.run(['upload', 'tree', '--to', 'demo', '--zip', 'tree.zip', '--title', 'Zipped', '--json'], { env: { RDP_DEMO_TOKEN: token } });
      expect(zipped.code, zipped.stderr).toBe(0);
      const zr = parseJson<Result>(zipped.stdout);
      expect(zr.files.map((f) => f.name)).toEqual(['tree.zip']);
      expect(store().records.get(zr.id)?.files.get('tree.zip')?.committed).toBe(true);
      const noLogin = await ci.run(['uploads', 'list', '--on', 'demo', '--json']);
      expect(noLogin.code).toBe(4);
      expect(parseJson<{ error: { hint: string } }>(noLogin.stderr).error.hint).toMatch(/RDP_DEMO_TOKEN/);
      const status = await ci.run(['auth', 'status', 'demo', '--json'], { env: { RDP_DEMO_TOKEN: token } });
      expect(parseJson(status.stdout)).toMatchObject({ loggedIn: true, source: 'env', location: 'RDP_DEMO_TOKEN' });
      ci.assertNoLeaks();
    } finally {
      ci.cleanup();
    }
  });

  test('sites remove forgets the site and its stored login; the name is no provider any more', async () => {
    const r = await sb.run(['sites', 'remove', 'demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r.stdout)).toMatchObject({ name: 'demo', loggedOut: [expect.stringMatching(/^demo@127\.0\.0\.1:/)] });
    expect(parseJson((await sb.run(['sites', 'list', '--json'])).stdout)).toEqual([]);
    const gone = await sb.run(['upload', 'data', '--to', 'demo', '--json']);
    expect(gone.code).toBe(2);
    const again = await sb.run(['sites', 'remove', 'demo', '--json']);
    expect(again.code).toBe(2);
  });
});

const secretService = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');

describe.skipIf(!secretService)('rdp sites remove: its logins in the keychain and its config keys go with it', () => {
  /** What the real Secret Service holds for rdp under this account. */
  const lookup = (account: string) => spawnSync('secret-tool', ['lookup', 'service', 'rdp', 'username', account], { encoding: 'utf8', timeout: 5000 }).stdout;
  const configValues = (own: Sandbox) => (JSON.parse(readFileSync(join(own.configDir, 'rdp', 'config.json'), 'utf8')) as { values: Record<string, unknown> }).values;

  test('a keychain login, an OAuth client (its secret in the keychain), a port: all removed, and said so', async () => {
    const own = new Sandbox({ RDP_RETRY_BASE_MS: '5' });
    const clientSecret = 'kc-client-secret-4711';
    own.secret(token, clientSecret);
    try {
      expect((await own.run(['sites', 'add', 'kc', siteUrl])).code).toBe(0);
      const account = `kc@${new URL(siteUrl).host}`;
      const login = await own.run(['login', 'kc', '--with-token', '--json'], { stdin: token });
      expect(login.code, login.stderr).toBe(0);
      expect(lookup(account)).toBe(token);
      expect((await own.run(['config', 'set', 'kc.client_id', 'kc-client'])).code).toBe(0);
      expect((await own.run(['config', 'set', 'kc.client_secret'], { stdin: clientSecret })).code).toBe(0);
      expect((await own.run(['config', 'set', 'kc.port', '8123'])).code).toBe(0);
      expect(lookup('config:kc.client_secret')).toBe(clientSecret);
      // another provider's key stays
      expect((await own.run(['config', 'set', 'zenodo.port', '8124'])).code).toBe(0);

      const r = await own.run(['sites', 'remove', 'kc', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(parseJson(r.stdout)).toMatchObject({ name: 'kc', loggedOut: [account], configRemoved: ['kc.client_id', 'kc.client_secret', 'kc.port'] });
      expect(lookup(account)).toBe('');
      expect(lookup('config:kc.client_secret')).toBe('');
      expect(configValues(own)).toEqual({ 'zenodo.port': '8124' });
      // added again, it starts clean: no login, no client
      expect((await own.run(['sites', 'add', 'kc', siteUrl])).code).toBe(0);
      expect((await own.run(['auth', 'status', 'kc'])).code).toBe(4);
      expect(parseJson(((await own.run(['config', 'get', 'kc.client_id', '--json'])).stdout))).toMatchObject({ set: false });

      // in words: what went, and a token in the environment that rdp cannot remove
      expect((await own.run(['config', 'set', 'kc.client_id', 'kc-client'])).code).toBe(0);
      const said = await own.run(['sites', 'remove', 'kc'], { env: { RDP_KC_TOKEN: token } });
      expect(said.code, said.stderr).toBe(0);
      expect(said.stderr).toMatch(/Removed its config: kc\.client_id\./);
      expect(said.stderr).toMatch(/RDP_KC_TOKEN is still set.*unset RDP_KC_TOKEN/);
      own.assertNoLeaks();
    } finally {
      own.cleanup();
    }
  });
});
