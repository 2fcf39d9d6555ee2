// Re-runs never duplicate a record (SPEC.md, Upload to Zenodo): the built CLI against the emulator.
// The same command (same host, same set of paths) keeps working on the draft it created until that
// draft is published, whatever happened to the earlier run (interrupted, failed, completed); after
// publication it refuses, naming the DOI and the ways on. A lost answer to the draft-creating POST
// leaves no second draft; a retried Zotero write that was already written counts as done.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { zoteroLibrary } from '../../src/emulator/services/zotero/items.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

interface Result {
  id: number;
  doi: string;
  published: boolean;
  deposition: string;
  bytesSent: number;
  files: { name: string; action: string }[];
  zotero?: { key: string };
}
interface ErrorDoc {
  error: { code: string; message: string; hint: string; details?: { id?: number; doi?: string } };
}

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
/** Drafts created (POST /deposit/depositions answered or not) since log index `from`. */
const creates = (from: number) => log().slice(from).filter((e) => e.service === 'zenodo' && e.method === 'POST' && e.path === '/api/deposit/depositions');
/** Depositions in the emulator with this title. */
const titled = (title: string) => [...store().depositions.values()].filter((d) => d.metadata.title === title);

function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const meta = (title: string) => ['--title', title, '--description', 'Field data.', '--creator', 'Doe, Jane'];
const big = Buffer.alloc(2 * 1024 * 1024, 7);

describe('the same command again keeps working on its draft', () => {
  test('after an interrupted run (Ctrl-C mid-upload): continues the draft, sends the rest, one record', async () => {
    folder('intr', { 'a.bin': big, 'b.bin': Buffer.from(big).fill(3), 'c.txt': 'c' });
    const cmd = ['upload', 'intr', '--to', 'zenodo', ...meta('Interrupted run')];
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'latency', latencyMs: 60_000, always: true });
    const from = log().length;
    const run = sb.start(cmd);
    await run.waitFor(/Uploading 3 files/);
    // the PUTs are held by the emulator now
    await new Promise((r) => setTimeout(r, 300));
    run.kill('SIGINT');
    const first = await run.done;
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/Interrupted/);
    const [draft] = titled('Interrupted run');
    expect(draft?.state).toBe('unsubmitted');
    emu.server.faults.clear();

    const again = await sb.run([...cmd, '--json']);
    expect(again.code).toBe(0);
    const res = parseJson<Result>(again.stdout);
    expect(res.id).toBe(draft?.id);
    expect(res.deposition).toBe('existing');
    expect(titled('Interrupted run')).toHaveLength(1);
    expect(creates(from)).toHaveLength(1);
    expect([...(store().depositions.get(res.id)?.files.keys() ?? [])].sort()).toEqual(['a.bin', 'b.bin', 'c.txt']);
  });

  test('after a failed run (5xx on a file until the retries ran out): continues the draft, sends only what is missing', async () => {
    folder('failed', { 'ok.txt': 'fine', 'bad.txt': 'fails first' });
    const cmd = ['upload', 'failed', '--to', 'zenodo', '--json', ...meta('Failed run')];
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*/bad.txt', action: 'status', status: 500, always: true });
    const from = log().length;
    const first = await sb.run(cmd);
    expect(first.code).toBe(1);
    const [draft] = titled('Failed run');
    expect(draft?.files.has('ok.txt')).toBe(true);
    expect(draft?.files.has('bad.txt')).toBe(false);
    emu.server.faults.clear();

    const again = await sb.run(cmd);
    expect(again.code).toBe(0);
    const res = parseJson<Result>(again.stdout);
    expect(res.id).toBe(draft?.id);
    expect(Object.fromEntries(res.files.map((f) => [f.name, f.action]))).toEqual({ 'ok.txt': 'skip', 'bad.txt': 'upload' });
    expect(creates(from)).toHaveLength(1);
    expect(titled('Failed run')).toHaveLength(1);
  });

  test('after a completed run (a draft, not published): the same draft, nothing sent; --publish then publishes that draft', async () => {
    folder('done', { 'x.csv': 'x\n1\n' });
    const cmd = ['upload', 'done', '--to', 'zenodo', '--json', ...meta('Completed run')];
    const from = log().length;
    const first = parseJson<Result>((await sb.run(cmd)).stdout);
    const second = await sb.run(cmd);
    expect(second.code).toBe(0);
    expect(parseJson<Result>(second.stdout)).toMatchObject({ id: first.id, bytesSent: 0 });
    const published = await sb.run([...cmd, '--publish']);
    expect(published.code).toBe(0);
    expect(parseJson<Result>(published.stdout)).toMatchObject({ id: first.id, published: true });
    expect(creates(from)).toHaveLength(1);
    expect(titled('Completed run')).toHaveLength(1);
  });

  test('the set of paths decides, not their order or spelling; another folder is another command', async () => {
    folder('setA', { 'a.txt': 'a' });
    writeFileSync(join(sb.dir, 'note.txt'), 'note');
    const first = parseJson<Result>((await sb.run(['upload', 'setA', 'note.txt', '--to', 'zenodo', '--json', ...meta('Path set')])).stdout);
    const swapped = parseJson<Result>((await sb.run(['upload', './note.txt', 'setA/', '--to', 'zenodo', '--json'])).stdout);
    expect(swapped.id).toBe(first.id);
    folder('setB', { 'b.txt': 'b' });
    const other = parseJson<Result>((await sb.run(['upload', 'setB', '--to', 'zenodo', '--json'])).stdout);
    expect(other.id).not.toBe(first.id);
  });

  test('what rdp remembers lives in $XDG_STATE_HOME/rdp/uploads.json, without secrets', async () => {
    folder('where', { 'w.txt': 'w' });
    const state = join(sb.dir, 'state-home');
    const r = await sb.run(['upload', 'where', '--to', 'zenodo', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(0);
    const file = join(state, 'rdp', 'uploads.json');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`"id": ${parseJson<Result>(r.stdout).id}`);
    for (const t of Object.values(emu.tokens)) expect(text).not.toContain(t);
    // without XDG_STATE_HOME: ~/.local/state/rdp
    rmSync(join(sb.dir, '.local', 'state'), { recursive: true, force: true });
    expect((await sb.run(['upload', 'where', '--to', 'zenodo'])).code).toBe(0);
    expect(existsSync(join(sb.dir, '.local', 'state', 'rdp', 'uploads.json'))).toBe(true);
  });
});

describe('after publication the same command refuses', () => {
  test('--publish again: exit 1 naming the DOI, --new-version <id> and --new-record; no second record, no second DOI', async () => {
    folder('pubd', { 'p.txt': 'p' });
    const cmd = ['upload', 'pubd', '--to', 'zenodo', '--publish', ...meta('Published once')];
    const from = log().length;
    const first = parseJson<Result>((await sb.run([...cmd, '--json'])).stdout);
    expect(first.published).toBe(true);

    const again = await sb.run(cmd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(first.doi);
    expect(again.stderr).toContain(`--new-version ${first.id}`);
    expect(again.stderr).toContain('--new-record');
    const json = await sb.run([...cmd, '--json']);
    expect(json.code).toBe(1);
    expect(parseJson<ErrorDoc>(json.stderr).error).toMatchObject({ code: 'ALREADY_PUBLISHED', details: { id: first.id, doi: first.doi } });
    // without --publish it would still start a second record: refused too; a dry run says so as well
    expect((await sb.run(['upload', 'pubd', '--to', 'zenodo'])).code).toBe(1);
    expect((await sb.run(['upload', 'pubd', '--to', 'zenodo', '--dry-run'])).code).toBe(1);
    expect(creates(from)).toHaveLength(1);
    expect(titled('Published once')).toHaveLength(1);

    // the two ways on: the next version, or a separate record on purpose
    const next = await sb.run(['upload', 'pubd', '--to', 'zenodo', '--new-version', String(first.id), '--json']);
    expect(next.code).toBe(0);
    expect(parseJson<Result>(next.stdout).deposition).toBe('new-version');
    const separate = await sb.run([...cmd, '--new-record', '--json']);
    expect(separate.code).toBe(0);
    const rec = parseJson<Result>(separate.stdout);
    expect(rec).toMatchObject({ deposition: 'created', published: true });
    expect(rec.id).not.toBe(first.id);
    expect(store().depositions.get(rec.id)?.conceptrecid).not.toBe(store().depositions.get(first.id)?.conceptrecid);
  });

  test('--new-version ID --publish again: refused once this command published the latest version; naming that version goes on', async () => {
    folder('ver', { 'v.txt': 'v1' });
    const v1 = parseJson<Result>((await sb.run(['upload', 'ver', '--to', 'zenodo', '--publish', '--json', ...meta('Versioned')])).stdout);
    writeFileSync(join(sb.dir, 'ver', 'v.txt'), 'v2');
    const cmd = ['upload', 'ver', '--to', 'zenodo', '--new-version', String(v1.id), '--publish'];
    const v2 = parseJson<Result>((await sb.run([...cmd, '--json'])).stdout);
    expect(v2).toMatchObject({ published: true, deposition: 'new-version' });
    const from = log().length;
    const again = await sb.run(cmd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(v2.doi);
    expect(again.stderr).toContain(`--new-version ${v2.id}`);
    expect(log().slice(from).some((e) => e.path.endsWith('/actions/newversion'))).toBe(false);
    writeFileSync(join(sb.dir, 'ver', 'v.txt'), 'v3');
    const v3 = await sb.run(['upload', 'ver', '--to', 'zenodo', '--new-version', String(v2.id), '--publish', '--json']);
    expect(v3.code).toBe(0);
    const concept = store().concepts.get(store().depositions.get(v1.id)?.conceptrecid ?? 0);
    expect(concept?.versions).toEqual([v1.id, v2.id, parseJson<Result>(v3.stdout).id]);
  });

  test('--new-version when the answer to newversion is lost (Zenodo opened it, then 502): sent again, the open draft found, one run', async () => {
    folder('lostver', { 'l.txt': 'v1' });
    const v1 = parseJson<Result>((await sb.run(['upload', 'lostver', '--to', 'zenodo', '--publish', '--json', ...meta('Lost version')])).stdout);
    writeFileSync(join(sb.dir, 'lostver', 'l.txt'), 'v2');
    emu.server.faults.add({ service: 'zenodo', method: 'POST', path: `/api/deposit/depositions/${v1.id}/actions/newversion`, action: 'status-after', status: 502 });
    const from = log().length;
    const r = await sb.run(['upload', 'lostver', '--to', 'zenodo', '--new-version', String(v1.id), '--json'], { env: { RDP_RETRY_BASE_MS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<Result>(r.stdout);
    expect(v2).toMatchObject({ deposition: 'new-version', published: false });
    expect(log().slice(from).filter((e) => e.path.endsWith('/actions/newversion')).map((e) => e.status)).toEqual([502, 400]);
    const concept = store().concepts.get(store().depositions.get(v1.id)?.conceptrecid ?? 0);
    expect(concept?.versions).toEqual([v1.id]);
    expect([...store().depositions.values()].filter((d) => d.conceptrecid === store().depositions.get(v1.id)?.conceptrecid && !d.submitted).map((d) => d.id)).toEqual([v2.id]);
  });

  test('--new-record goes with neither --deposition nor --new-version', async () => {
    folder('nr', { 'n.txt': 'n' });
    for (const flag of ['--deposition', '--new-version']) {
      const r = await sb.run(['upload', 'nr', '--to', 'zenodo', '--new-record', flag, '5']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--new-record/);
    }
  });
});

describe('a lost answer to the draft-creating POST leaves no second draft', () => {
  test.each([
    ['a 500 after the server created it', { action: 'status-after', status: 500 }, 1],
    ['a connection dropped after the server created it', { action: 'drop-after' }, 1],
    ['a 502 before the server acted', { action: 'status', status: 502 }, 2],
  ])('%s', async (name, fault, posts) => {
    const title = `Lost answer: ${name}`;
    folder('lost', { 'l.txt': name });
    emu.server.faults.add({ service: 'zenodo', method: 'POST', path: '/api/deposit/depositions', ...fault });
    const from = log().length;
    const r = await sb.run(['upload', 'lost', '--to', 'zenodo', '--new-record', ...meta(title)]);
    expect(r.code).toBe(0);
    expect(creates(from)).toHaveLength(posts);
    expect(titled(title)).toHaveLength(1);
    expect(r.stderr).toMatch(posts === 1 ? /had created draft \d+ before the error; using it/ : /No draft was made; asking again/);
    expect([...(titled(title)[0]?.files.keys() ?? [])]).toEqual(['l.txt']);
  });

  test('a draft that is not fresh, or not empty, or titled otherwise, is never adopted', async () => {
    // none of these is what the failed attempt made: an hour-old empty draft with the same title, a
    // fresh one with the same title that holds a file, a fresh empty one with another title
    const old = store().create(SEED.zenodo.id, { title: 'Not adopted' });
    old.created = new Date(Date.now() - 3_600_000).toISOString();
    const full = store().create(SEED.zenodo.id, { title: 'Not adopted' });
    full.files.set('x', { id: 'x', key: 'x', size: 1, md5: '0'.repeat(32), mimetype: 'text/plain', created: full.created, updated: full.created });
    const other = store().create(SEED.zenodo.id, { title: 'Another title' });
    folder('notadopted', { 'n.txt': 'n' });
    emu.server.faults.add({ service: 'zenodo', method: 'POST', path: '/api/deposit/depositions', action: 'status', status: 503 });
    const from = log().length;
    const r = await sb.run(['upload', 'notadopted', '--to', 'zenodo', '--new-record', '--json', ...meta('Not adopted')]);
    expect(r.code).toBe(0);
    expect(creates(from)).toHaveLength(2);
    expect([old.id, full.id, other.id]).not.toContain(parseJson<Result>(r.stdout).id);
  });
});

describe('a publish that went through but whose answer got lost', () => {
  test.each([
    ['a 502 after publishing (read back: published)', 502, [502]],
    ['a 503 after publishing, retried by rdp: the retry gets 404 (published already), read back: published', 503, [503, 404]],
  ])('%s', async (_name, status, answers) => {
    const title = `Publish answer lost ${status}`;
    folder('publost', { 'p.txt': String(status) });
    emu.server.faults.add({ service: 'zenodo', method: 'POST', path: '/api/deposit/depositions/*/actions/publish', action: 'status-after', status });
    const from = log().length;
    const r = await sb.run(['upload', 'publost', '--to', 'zenodo', '--new-record', '--publish', '--json', ...meta(title)]);
    expect(r.code).toBe(0);
    expect(parseJson<Result>(r.stdout).published).toBe(true);
    expect(log().slice(from).filter((e) => e.path.endsWith('/actions/publish')).map((e) => e.status)).toEqual(answers);
    expect(titled(title)).toHaveLength(1);
  });
});

describe('Zotero: a retried write that was already written', () => {
  test('the answer to the item POST is lost; the retry gets 412 "Write token already used"; the item is found, not added twice', async () => {
    folder('zot412', { 'z.csv': 'z\n' });
    emu.server.faults.add({ service: 'zotero', method: 'POST', path: '/users/*/items', action: 'drop-after' });
    const env = { RDP_ZOTERO_KEY: emu.tokens.zotero, RDP_ZOTERO_USER_ID: String(SEED.zotero.userID) };
    const from = log().length;
    const r = await sb.run(['upload', 'zot412', '--to', 'zenodo', '--publish', '--zotero', '--json', ...meta('Zotero retry')], { env });
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    const posts = log().slice(from).filter((e) => e.service === 'zotero' && e.method === 'POST');
    expect(posts.map((e) => e.status)).toEqual([0, 412]);
    const items = [...zoteroLibrary(emu.server.state).items.values()].filter((i) => i.data.DOI === res.doi);
    expect(items).toHaveLength(1);
    expect(res.zotero?.key).toBe(items[0]?.key);
  });
});

describe('the same command twice at the same time', () => {
  test('the second run is refused while the first holds the paths (no second draft); after the first ends the same command continues its draft', async () => {
    folder('concurrent', { 'a.bin': big, 'b.txt': 'b' });
    const cmd = ['upload', 'concurrent', '--to', 'zenodo', ...meta('Concurrent runs')];
    emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'latency', latencyMs: 60_000, always: true });
    const from = log().length;
    const first = sb.start(cmd);
    await first.waitFor(/Uploading 2 files/);

    const second = await sb.run([...cmd, '--json']);
    expect(second.code).toBe(1);
    const err = parseJson<ErrorDoc>(second.stderr).error;
    expect(err.code).toBe('UPLOAD_IN_PROGRESS');
    expect(err.hint).toMatch(/run this command again/);
    expect(creates(from)).toHaveLength(1);
    // A dry run changes nothing remote, so it is not held up.
    expect((await sb.run([...cmd, '--dry-run'])).code).toBe(0);

    first.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    emu.server.faults.clear();
    const again = await sb.run([...cmd, '--json']);
    expect(again.code).toBe(0);
    expect(parseJson<Result>(again.stdout)).toMatchObject({ deposition: 'existing' });
    expect(creates(from)).toHaveLength(1);
    expect(titled('Concurrent runs')).toHaveLength(1);
  });
});
