// The NOMAD emulator's upload API (providers.md 2.4, 2.5), spoken to over HTTP: raw and multipart
// bodies, zip/tar/tar.gz extraction, the processing states, publish, the exact `detail` texts, the
// unpublished-uploads limit (answered before the body is read) and index pagination.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../../src/emulator/services/nomad/store.js';
import { SEED } from '../../../src/emulator/state.js';
import { signJwtHS256 } from '../../../src/emulator/tokens.js';
import { readInputs } from '../../../src/transfer/local.js';
import { zipSource } from '../../../src/transfer/source.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

let emu: TestEmulator;
let base: string;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'rdp-nomad-emu-'));
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  base = emu.info.nomad.url;
  token = emu.tokens.nomad;
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => nomadUploads(emu.server.state).clear());

interface Upload {
  upload_id: string;
  upload_name?: string;
  process_running: boolean;
  process_status: string;
  entries: number;
  errors: string[];
  warnings: string[];
  published: boolean;
  embargo_length: number;
  current_process?: string;
}

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { body?: Buffer | Readable | string; headers?: Record<string, string>; auth?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.auth !== null) headers.authorization = `Bearer ${opts.auth ?? token}`;
  const r = await request(`${base}${path}`, { method, headers, body: opts.body ?? null });
  const text = await r.body.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, text, json, type: String(r.headers['content-type']) };
}

async function settle(id: string): Promise<Upload> {
  for (let i = 0; i < 200; i++) {
    const r = await call('GET', `/uploads/${id}`);
    if (!r.json.data.process_running) return r.json.data as Upload;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('processing did not end');
}

function tree(name: string): { root: string; files: Record<string, string> } {
  const root = join(dir, name);
  const files: Record<string, string> = {
    'vasprun.xml': '<modeling/>',
    'INCAR': 'ENCUT = 520\n',
    'sub/deeper/OUTCAR': 'outcar',
    'sub/notes.txt': 'n'.repeat(70_000),
    [`${'long-directory-name/'.repeat(6)}very-long-file-name.archive.json`]: '{"ok": true}',
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return { root, files };
}

const expected = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([rel, c]) => [rel, { size: Buffer.byteLength(c), md5: md5(c) }]));

describe('POST /uploads', () => {
  test('a raw zip body is answered with JSON {upload_id, data}, processed PENDING -> SUCCESS, and extracted byte for byte', async () => {
    const { root, files } = tree('zipped');
    const [input] = await readInputs([root], dir);
    const src = await zipSource(input?.files ?? [], 'run.zip', 'run');
    const r = await call('POST', '/uploads?file_name=run.zip', { body: src.open(), headers: { 'content-length': String(src.size) } });
    expect(r.status).toBe(200);
    expect(r.json.upload_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(r.json.data).toMatchObject({ upload_id: r.json.upload_id, upload_name: 'run.zip', process_running: true, process_status: 'PENDING', published: false });
    const done = await settle(r.json.upload_id);
    expect(done).toMatchObject({ process_status: 'SUCCESS', entries: 3, errors: [], warnings: [] });
    const u = nomadUploads(emu.server.state).uploads.get(r.json.upload_id);
    expect(u?.files).toEqual(expected(files));
    expect(u?.received).toEqual([expect.objectContaining({ name: 'run.zip', bytes: src.size, kind: 'zip' })]);
  });

  test('tar and tar.gz bodies (long names, as GNU tar writes them) are extracted; the first bytes decide, not the name', async () => {
    const { root, files } = tree('tarred');
    for (const [flag, name] of [['-cf', 'x.tar'], ['-czf', 'x.tgz'], ['--format=pax -cf', 'pax.tar']] as const) {
      const out = join(dir, name);
      execFileSync('sh', ['-c', `tar ${flag} "${out}" -C "${root}" .`]);
      const r = await call('POST', `/uploads?file_name=${name === 'x.tgz' ? 'whatever.bin' : name}`, { body: readFileSync(out) });
      expect(r.status).toBe(200);
      const done = await settle(r.json.upload_id);
      expect(done.process_status).toBe('SUCCESS');
      expect(nomadUploads(emu.server.state).uploads.get(r.json.upload_id)?.files).toEqual(expected(files));
    }
  });

  test('multipart/form-data with several `file` parts', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a,b\n']), 'one.csv');
    form.append('file', new Blob(['{}']), 'two.archive.json');
    const res = await fetch(`${base}/uploads`, { method: 'POST', body: form, headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { upload_id: string; data: Upload };
    expect(res.status).toBe(200);
    expect(body.data.upload_name).toBeUndefined();
    const done = await settle(body.upload_id);
    expect(done.entries).toBe(1);
    expect([...(nomadUploads(emu.server.state).uploads.get(body.upload_id)?.files.keys() ?? [])].sort()).toEqual(['one.csv', 'two.archive.json']);
  });

  test('without Accept: application/json the answer is NOMAD\'s plain-text thank-you', async () => {
    const r = await call('POST', '/uploads?file_name=a.txt', { body: 'x', headers: { accept: '*/*' } });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/text\/plain/);
    expect(r.text).toMatch(/Thanks for uploading your data to nomad/);
  });

  test.each([
    ['/uploads', 'plain text', 400, 'No file name provided, and the file does not look like a zip or tar file.'],
    ['/uploads?file_name=a%2Fb.txt', 'x', 400, 'Bad file name provided.'],
    ['/uploads?file_name=a.txt&embargo_length=37', 'x', 400, '`embargo_length` must be between 0 and 36 months.'],
  ])('%s is refused with its detail', async (path, body, status, text) => {
    const r = await call('POST', path, { body });
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ detail: text });
  });

  test('auth errors are 401 with NOMAD\'s texts', async () => {
    expect((await call('POST', '/uploads', { body: 'x', auth: null })).json).toEqual({ detail: 'Authorization required.' });
    expect((await call('POST', '/uploads', { body: 'x', auth: 'not.a.jwt' })).json).toEqual({ detail: 'Invalid token.' });
    const expired = signJwtHS256({ user: SEED.nomad.user_id, exp: Math.floor(Date.now() / 1000) - 10 }, emu.server.state.jwtSecret);
    const r = await call('POST', '/uploads', { body: 'x', auth: expired });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'Expired token.' });
  });

  test('a malformed archive ends processing in FAILURE with the reason, and cannot be published', async () => {
    const { root } = tree('broken');
    const [input] = await readInputs([root], dir);
    const src = await zipSource(input?.files ?? [], 'b.zip', 'b');
    const chunks: Buffer[] = [];
    for await (const c of src.open()) chunks.push(c as Buffer);
    const whole = Buffer.concat(chunks);
    const r = await call('POST', '/uploads?file_name=broken.zip', { body: whole.subarray(0, whole.length - 200) });
    const done = await settle(r.json.upload_id);
    expect(done.process_status).toBe('FAILURE');
    expect(done.errors[0]).toMatch(/^Could not extract broken\.zip: /);
    const p = await call('POST', `/uploads/${r.json.upload_id}/action/publish`);
    expect(p).toMatchObject({ status: 400, json: { detail: 'Cannot publish an upload that failed processing.' } });

    const tgz = join(dir, 'broken.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', root, '.']);
    const cut = readFileSync(tgz);
    const t = await call('POST', '/uploads?file_name=broken.tgz', { body: cut.subarray(0, cut.length - 40) });
    const failed = await settle(t.json.upload_id);
    expect(failed.process_status).toBe('FAILURE');
    expect(failed.errors[0]).toMatch(/^Could not extract broken\.tgz: /);
    expect(nomadUploads(emu.server.state).uploads.get(t.json.upload_id)?.files.size).toBe(0);
  });
});

describe('the limit of 10 unpublished uploads', () => {
  test('the 11th is refused before its body is read, and the server keeps serving', async () => {
    for (let i = 0; i < 10; i++) expect((await call('POST', `/uploads?file_name=f${i}.txt`, { body: 'x' })).status).toBe(200);
    let sent = 0;
    const big = new Readable({
      read() {
        if (sent >= 64 << 20) this.push(null);
        else {
          sent += 1 << 20;
          this.push(Buffer.alloc(1 << 20));
        }
      },
    });
    const r = await call('POST', '/uploads?file_name=big.bin', { body: big, headers: { 'content-length': String(64 << 20) } });
    expect(r).toMatchObject({ status: 400, json: { detail: 'Limit of unpublished uploads exceeded for user.' } });
    expect(sent).toBeLessThan(64 << 20);
    expect((await call('GET', '/uploads?page_size=0')).json.pagination.total).toBe(10);
  });
});

describe('publish and later changes', () => {
  test('publish (embargo checked), the publish process, then no more writes', async () => {
    const r = await call('POST', '/uploads?file_name=vasprun.xml', { body: '<modeling/>' });
    const id = r.json.upload_id as string;
    const early = await call('POST', `/uploads/${id}/action/publish`);
    expect(early.json).toEqual({ detail: 'The upload is currently being processed, operation not allowed.' });
    await settle(id);
    expect((await call('POST', `/uploads/${id}/action/publish?embargo_length=37`)).json).toEqual({ detail: 'Invalid embargo_length. Must be between 0 and 36 months.' });
    const p = await call('POST', `/uploads/${id}/action/publish?embargo_length=6`);
    expect(p.json.data).toMatchObject({ process_running: true, current_process: 'publish_upload' });
    const done = await settle(id);
    expect(done).toMatchObject({ published: true, embargo_length: 6, process_status: 'SUCCESS' });
    expect((await call('POST', `/uploads/${id}/action/publish`)).json).toEqual({ detail: 'Upload already published.' });
    const put = await call('PUT', `/uploads/${id}/raw/?file_name=x.txt`, { body: 'x' });
    expect(put).toMatchObject({ status: 401, json: { detail: 'Upload is already published, operation not possible.' } });
  });

  test('an upload without entries cannot be published', async () => {
    const r = await call('POST', '/uploads?file_name=readme.txt', { body: 'hello' });
    await settle(r.json.upload_id);
    expect((await call('POST', `/uploads/${r.json.upload_id}/action/publish`)).json).toEqual({ detail: 'Cannot publish an upload without any resulting entries.' });
  });

  test('PUT /uploads/{id}/raw/{dir} adds files (archives are extracted into the folder) and reprocesses', async () => {
    const r = await call('POST', '/uploads?file_name=readme.txt', { body: 'hello' });
    const id = r.json.upload_id as string;
    await settle(id);
    expect((await call('PUT', `/uploads/${id}/raw/..%2Fx?file_name=a.txt`, { body: 'a' })).json).toEqual({ detail: 'Bad path provided.' });
    const put = await call('PUT', `/uploads/${id}/raw/calc?file_name=OUTCAR`, { body: 'outcar' });
    expect(put.status).toBe(200);
    const done = await settle(id);
    expect(done.entries).toBe(1);
    expect([...(nomadUploads(emu.server.state).uploads.get(id)?.files.keys() ?? [])].sort()).toEqual(['calc/OUTCAR', 'readme.txt']);
  });

  test('publish_directly publishes after processing', async () => {
    const r = await call('POST', '/uploads?file_name=OUTCAR&publish_directly=true', { body: 'o' });
    for (let i = 0; i < 200; i++) {
      const u = (await call('GET', `/uploads/${r.json.upload_id}`)).json.data as Upload;
      if (u.published && !u.process_running) return;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error('never published');
  });
});

describe('GET /uploads/{id}', () => {
  test('404 and the 401 variants', async () => {
    expect(await call('GET', '/uploads/nope')).toMatchObject({ status: 404, json: { detail: 'The specified upload_id was not found.' } });
    const other = nomadUploads(emu.server.state).create('someone-else', { embargoLength: 0, publishDirectly: false });
    expect((await call('GET', `/uploads/${other.upload_id}`)).json).toEqual({ detail: 'You do not have access to the specified upload.' });
    expect((await call('GET', `/uploads/${other.upload_id}`, { auth: null })).json).toEqual({ detail: 'You need to log in to access the specified upload.' });
    const put = await call('PUT', `/uploads/${other.upload_id}/raw/?file_name=a.txt`, { body: 'a' });
    expect(put).toMatchObject({ status: 401, json: { detail: 'You do not have write access to the specified upload.' } });
  });
});

describe('GET /uploads pagination (index based, as NOMAD computes it)', () => {
  beforeEach(() => {
    const store = nomadUploads(emu.server.state);
    for (let i = 0; i < 12; i++) store.create(SEED.nomad.user_id, { name: `u${i}`, embargoLength: 0, publishDirectly: false });
  });

  test('page_after_value / next_page_after_value over 3 pages', async () => {
    const p1 = (await call('GET', '/uploads?page_size=5')).json;
    expect(p1.pagination).toMatchObject({ page: 1, total: 12, page_size: 5, order_by: 'upload_create_time', order: 'asc', next_page_after_value: '4' });
    expect(p1.pagination.page_after_value).toBeUndefined();
    expect(p1.pagination.next_page_url).toMatch(/page_after_value=4/);
    expect(p1.data.map((u: Upload) => u.upload_name)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    const p2 = (await call('GET', '/uploads?page_size=5&page_after_value=4')).json;
    expect(p2.pagination).toMatchObject({ page: 2, page_after_value: '4', next_page_after_value: '9' });
    const p3 = (await call('GET', '/uploads?page_size=5&page_after_value=9')).json;
    expect(p3.pagination.next_page_after_value).toBeUndefined();
    expect(p3.data.map((u: Upload) => u.upload_name)).toEqual(['u10', 'u11']);
    const desc = (await call('GET', '/uploads?page_size=2&order=desc')).json;
    expect(desc.data.map((u: Upload) => u.upload_name)).toEqual(['u11', 'u10']);
  });

  test('uploads shared with the user are listed too; roles=main_author narrows to the user\'s own (providers.md 0.4)', async () => {
    const shared = nomadUploads(emu.server.state).create('someone-else', { name: 'shared with me', embargoLength: 0, publishDirectly: false });
    shared.coauthors.push(SEED.nomad.user_id);
    nomadUploads(emu.server.state).create('someone-else', { name: 'not shared', embargoLength: 0, publishDirectly: false });
    const all = (await call('GET', '/uploads?page_size=100')).json;
    expect(all.pagination.total).toBe(13);
    expect(all.data.map((u: Upload) => u.upload_name)).toContain('shared with me');
    const own = (await call('GET', '/uploads?page_size=100&roles=main_author')).json;
    expect(own.pagination.total).toBe(12);
    expect(own.data.map((u: Upload) => u.upload_name)).not.toContain('shared with me');
    const coauthored = (await call('GET', '/uploads?page_size=100&roles=coauthor')).json;
    expect(coauthored.data.map((u: Upload) => u.upload_name)).toEqual(['shared with me']);
  });

  test('out of range, conflicting parameters, filters', async () => {
    // index 12 is still on page 3 (NOMAD checks the page, not the index): an empty page
    expect((await call('GET', '/uploads?page_size=5&page_after_value=11')).json.data).toEqual([]);
    expect(await call('GET', '/uploads?page_size=5&page_after_value=14')).toMatchObject({ status: 400, json: { detail: 'Page out of range requested.' } });
    const both = await call('GET', '/uploads?page=2&page_after_value=4');
    expect(both.status).toBe(422);
    expect(both.json.detail[0].msg).toMatch(/Only one/);
    expect((await call('GET', '/uploads?is_published=true')).json.pagination.total).toBe(0);
    expect((await call('GET', '/uploads?is_published=false&page_size=0')).json).toMatchObject({ data: [], pagination: { total: 12, page: 1 } });
    expect((await call('GET', '/uploads', { auth: null })).status).toBe(401);
  });
});
