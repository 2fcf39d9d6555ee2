// The Zenodo emulator itself, spoken to with plain HTTP the way providers.md section 1 describes:
// validation errors in the current server's shape, publish/newversion rules, the bucket API and the
// old multipart files API, published records refusing file changes. (The facts of providers.md
// section 0 are held against recorded fixtures in test/contract/api-conformance.test.ts.)
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

let emu: TestEmulator;
let api: string;
let auth: Record<string, string>;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  api = `${emu.env.RDP_ZENODO_URL}/api`;
  auth = { authorization: `Bearer ${emu.tokens.zenodo}` };
});
afterAll(() => emu.close());

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...auth, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof FormData || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    if (!(body instanceof FormData) && !(body instanceof Uint8Array)) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const META = { title: 'Tide gauges', upload_type: 'dataset', description: 'Daily readings.', creators: [{ name: 'Doe, Jane' }] };

describe('Zenodo emulator', () => {
  test('a draft: reserved DOI, absolute links, validation errors with messages[]', async () => {
    const bad = await call('POST', `${api}/deposit/depositions`, { metadata: { title: 'x', colour: 'blue', creators: [{ affiliation: 'x' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'metadata.creators.0.name', messages: ['Name is required.'] }]);
    const d = await call('POST', `${api}/deposit/depositions`, {});
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ state: 'unsubmitted', submitted: false, files: [], metadata: { prereserve_doi: { doi: `10.5281/zenodo.${d.body.id}` } } });
    expect(d.body.links.bucket).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zenodo\/api\/files\/[0-9a-f-]{36}$/);
    expect(d.body.links.latest_draft).toBe(d.body.links.self);
    const noFiles = await call('POST', d.body.links.publish);
    expect(noFiles.status).toBe(400);
    // InvenioRDM's field names (upload_type is resource_type); the files are checked once the metadata passes
    expect(noFiles.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['metadata.creators', 'metadata.resource_type', 'metadata.title']);
  });

  test('bucket API and old multipart API; published records refuse file changes; newversion copies files once', async () => {
    const d = (await call('POST', `${api}/deposit/depositions`, { metadata: META })).body;
    const put = await call('PUT', `${d.links.bucket}/a.csv`, new TextEncoder().encode('a,b\n'));
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ key: 'a.csv', size: 4, checksum: `md5:${md5('a,b\n')}` });
    const form = new FormData();
    form.append('name', 'b.txt');
    form.append('file', new Blob(['hello multipart']), 'local.txt');
    const mp = await call('POST', `${api}/deposit/depositions/${d.id}/files`, form);
    expect(mp.status).toBe(201);
    expect(mp.body).toMatchObject({ filename: 'b.txt', filesize: 15, checksum: md5('hello multipart') });
    const list = await call('GET', d.links.bucket);
    expect(list.body.contents.map((o: { key: string }) => o.key).sort()).toEqual(['a.csv', 'b.txt']);
    const content = await fetch(`${d.links.bucket}/b.txt`, { headers: auth });
    expect(await content.text()).toBe('hello multipart');

    const pub = await call('POST', d.links.publish);
    expect(pub.status).toBe(202);
    expect(pub.body).toMatchObject({ submitted: true, state: 'done', doi: `10.5281/zenodo.${d.id}`, doi_url: `https://doi.org/10.5281/zenodo.${d.id}` });
    expect((await call('PUT', `${d.links.bucket}/c.txt`, new TextEncoder().encode('c'))).status).toBe(403);
    expect((await call('DELETE', `${d.links.bucket}/a.csv`)).status).toBe(403);
    expect((await call('DELETE', d.links.self)).status).toBe(404);

    const nv = await call('POST', d.links.newversion);
    expect(nv.status).toBe(201);
    expect(nv.body.id).not.toBe(d.id);
    expect(nv.body.files.map((f: { filename: string }) => f.filename).sort()).toEqual(['a.csv', 'b.txt']);
    expect((await call('GET', d.links.self)).body.links.latest_draft).toBe(d.links.self);
    const again = await call('POST', d.links.newversion);
    expect(again.status).toBe(400);
    expect(again.body.message).toBe('Please remove all files first.');
    await call('POST', nv.body.links.publish);
    // an older version's newversion starts from the latest version
    const old = await call('POST', d.links.newversion);
    expect(old.status).toBe(201);
    expect(old.body.id).not.toBe(nv.body.id);
    expect(old.body.conceptrecid).toBe(d.conceptrecid);
  });

  test('listing: status does not filter (providers.md section 0), page and size (at most 100)', async () => {
    expect((await call('GET', `${api}/deposit/depositions?size=101`)).status).toBe(400);
    const all = await call('GET', `${api}/deposit/depositions?size=100`);
    const drafts = await call('GET', `${api}/deposit/depositions?status=draft&size=100`);
    expect(all.body.some((d: { state: string }) => d.state === 'done')).toBe(true);
    expect(drafts.body).toEqual(all.body);
    const one = await call('GET', `${api}/deposit/depositions?size=1&page=2`);
    expect(one.body).toHaveLength(1);
    expect((await call('GET', `${api}/deposit/depositions`, undefined, { authorization: '' })).status).toBe(403);
  });
});

describe('an injected 429', () => {
  // Zenodo sends Retry-After on every response (providers.md 0.1): an injected 429 does too, unless the
  // rule says otherwise (`null` leaves it out, to test a client's own backoff).
  const get = async () => fetch(`${api}/deposit/depositions`, { headers: auth });
  test('carries Retry-After (1 s, or the rule\'s), or none when the rule says null', async () => {
    emu.server.faults.add({ service: 'zenodo', method: 'GET', path: '/api/deposit/depositions', action: 'status', status: 429 });
    const plain = await get();
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).toBe('1');
    emu.server.faults.add({ service: 'zenodo', method: 'GET', path: '/api/deposit/depositions', action: 'status', status: 429, retryAfter: 7 });
    expect((await get()).headers.get('retry-after')).toBe('7');
    emu.server.faults.add({ service: 'zenodo', method: 'GET', path: '/api/deposit/depositions', action: 'status', status: 429, retryAfter: null });
    const none = await get();
    expect(none.status).toBe(429);
    expect(none.headers.get('retry-after')).toBeNull();
  });
});
