// The InvenioRDM client (src/providers/invenio) against the emulator's InvenioRDM site, in-process over
// loopback: drafts, files with the site's checksum checked, re-runs (skip, replace, resume), publish,
// new versions with files-import, the user's records, multipart uploads with a cut and an interruption,
// a site that refuses multipart, and the S3 case (part URLs on another host get no token).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { invenioStore } from '../../../../src/emulator/services/invenio/store.js';
import { AuthDeniedError, CancelledError, FailureError } from '../../../../src/errors/errors.js';
import { IO } from '../../../../src/output/io.js';
import { HttpClient } from '../../../../src/http/client.js';
import { zenodo } from '../../../../src/providers/zenodo/index.js';
import { ChecksumMismatchError, InvenioClient, type SiteNames, siteErrorMapper } from '../../../../src/providers/invenio/client.js';
import { forSave, missingForRdmPublish, rdmFingerprint, zenodoToRdm } from '../../../../src/providers/invenio/metadata.js';
import { journalPath, readJournal } from '../../../../src/providers/invenio/multipart.js';
import { planSync, syncFiles } from '../../../../src/providers/invenio/sync.js';
import { fileSource } from '../../../../src/transfer/source.js';
import { redactUrl } from '../../../../src/util/redact.js';
import { startTestEmulator, type TestEmulator } from '../../../helpers/emulator.js';

const SITE: SiteNames = { id: 'demo', name: 'Demo Repository', tokenEnv: 'RDP_DEMO_TOKEN' };
const KiB = 1024;
const agent = new Agent();
let emu: TestEmulator;
let token: string;
let work: string;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  token = emu.info.invenio.token;
  work = mkdtempSync(join(tmpdir(), 'rdp-invenio-'));
});
afterAll(async () => {
  await emu.close();
  await agent.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
  await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipart: true, multipartChecksum: 'task', checksumDelayMs: 0 }) });
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface Made {
  client: InvenioClient;
  stderr: () => string;
  sleeps: number[];
}

/** A client as the future wiring builds one: the site's base, its token, its error wording. */
function makeClient(opts: { token?: string; stateDir?: string; partSize?: number; threshold?: number; checksumWaitMs?: number; signal?: AbortSignal; realWaitMs?: number } = {}): Made {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += String(d)));
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr }, {});
  const http = new HttpClient({
    service: { id: SITE.id, name: SITE.name, urlEnv: 'RDP_DEMO_URL' },
    base: `${emu.info.invenio.url}/api`,
    log: io,
    errorBody: zenodo.errorBody, // the error-body reader of an Invenio server; messages come from siteErrorMapper
    signal: opts.signal ?? new AbortController().signal,
    dispatcher: async () => agent,
    env: { RDP_RETRY_BASE_MS: '5' },
    auth: async () => ({ authorization: `Bearer ${opts.token ?? token}` }),
    mapError: siteErrorMapper(SITE),
  });
  const sleeps: number[] = [];
  const client = new InvenioClient(http, {
    site: SITE,
    multipart: { threshold: opts.threshold ?? 256 * KiB, partSize: opts.partSize ?? 64 * KiB, concurrency: 4, stateDir: opts.stateDir ?? join(work, 'state') },
    checksumWaitMs: opts.checksumWaitMs,
    // a clock that hardly waits (it lets the site's background task run between reads)
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, opts.realWaitMs ?? 1)));
    },
  });
  return { client, stderr: () => err, sleeps };
}

function data(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}

function writeLocal(dir: string, name: string, content: Buffer) {
  writeFileSync(join(dir, name), content);
  return fileSource({ path: join(dir, name), size: content.length }, name);
}

const META = {
  title: 'Sediment cores 2024',
  upload_type: 'dataset',
  description: 'Cores from the lake.',
  publication_date: '2026-03-01',
  creators: [{ name: 'Doe, Jane', affiliation: 'Example University', orcid: '0000-0002-1825-0097' }, { name: 'Research Group' }],
  keywords: ['lakes', 'sediment'],
  license: 'cc-by-4.0',
  related_identifiers: [
    { identifier: 'https://doi.org/10.1234/abcd', relation: 'isSupplementTo', resource_type: 'publication-article' },
    { identifier: 'https://example.org/x', relation: 'isAlternateIdentifier' },
  ],
  version: '1.0',
  access_right: 'open',
};

async function log(): Promise<{ method: string; path: string; status: number; fault?: string }[]> {
  return (await fetch(`${emu.url}/_emulator/log?service=invenio`).then((r) => r.json())) as { method: string; path: string; status: number; fault?: string }[];
}
async function clearLog() {
  await fetch(`${emu.url}/_emulator/log`, { method: 'DELETE' });
}
async function fault(rule: Record<string, unknown>) {
  await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ service: 'invenio', ...rule }) });
}
async function settings(s: Record<string, unknown>) {
  await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify(s) });
}
const partPuts = <T extends { method: string; path: string }>(entries: T[], key: string): T[] => entries.filter((e) => e.method === 'PUT' && new RegExp(`/files/${key}/content/\\d+$`).test(e.path));

/** The MD5 the site holds for a draft file (its own store, not the client's view). */
function stored(id: string, key: string): string | undefined {
  const f = invenioStore(emu.server.state).records.get(id)?.files.get(key);
  const path = f?.content?.path;
  return path ? md5(readFileSync(path).subarray(0, f.size ?? f.declaredSize ?? 0)) : undefined;
}

describe('the site and the token', () => {
  test('probe: an InvenioRDM answers the search shape; another JSON API and an HTML page are refused clearly', async () => {
    const { client } = makeClient();
    expect(await client.probe()).toEqual({ total: expect.any(Number), guestsRefused: false });
    let body = '{"hello": "world"}';
    let type = 'application/json';
    let status = 200;
    const other: Server = createServer((_q, r) => {
      r.writeHead(status, { 'content-type': type });
      r.end(body);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {});
      const http = new HttpClient({ service: { id: SITE.id, name: SITE.name, urlEnv: 'RDP_DEMO_URL' }, errorBody: zenodo.errorBody, base: `http://127.0.0.1:${(other.address() as AddressInfo).port}/api`, log: io, signal: new AbortController().signal, dispatcher: async () => agent, env: {} });
      const c = new InvenioClient(http, { site: SITE });
      await expect(c.probe()).rejects.toMatchObject({ code: 'NOT_INVENIO' });
      body = '<!doctype html><html><body>Welcome</body></html>';
      type = 'text/html';
      await expect(c.probe()).rejects.toMatchObject({ code: 'NOT_INVENIO', message: expect.stringMatching(/not JSON/) });
      // an address where nothing answers at /api/records (another web application)
      status = 404;
      body = '{"detail": "Not Found"}';
      await expect(c.probe()).rejects.toMatchObject({ code: 'NOT_INVENIO', message: expect.stringMatching(/answers 404/) });
      // a site that shows nothing to guests still answers in InvenioRDM's error shape
      status = 403;
      body = '{"status": 403, "message": "Permission denied."}';
      type = 'application/json';
      expect(await c.probe()).toEqual({ guestsRefused: true });
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  test('userRecords: a site that answers the same full page whatever `page` says ends the walk (each record once), no endless loop', async () => {
    let requests = 0;
    const hit = (id: string) => ({ id, is_draft: true, is_published: false, status: 'draft', metadata: { title: id }, files: { enabled: true }, links: {}, parent: { id: `p-${id}` } });
    const other: Server = createServer((_q, r) => {
      requests += 1;
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(JSON.stringify({ hits: { hits: [hit('a1'), hit('b2')], total: 1_000_000 } }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {});
      const http = new HttpClient({ service: { id: SITE.id, name: SITE.name, urlEnv: 'RDP_DEMO_URL' }, errorBody: zenodo.errorBody, base: `http://127.0.0.1:${(other.address() as AddressInfo).port}/api`, log: io, signal: new AbortController().signal, dispatcher: async () => agent, env: {} });
      const ids: string[] = [];
      for await (const r of new InvenioClient(http, { site: SITE }).userRecords({ pageSize: 2 })) {
        ids.push(r.id);
        if (ids.length > 10) break;
      }
      expect(ids).toEqual(['a1', 'b2']);
      expect(requests).toBe(2);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  test('verifyToken: a bad token is the site\'s 403, an exit-4 error that says how to log in', async () => {
    expect(await makeClient().client.verifyToken()).toMatchObject({ records: expect.any(Number) });
    const bad = makeClient({ token: 'A'.repeat(60) }).client;
    const err = await bad.verifyToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthDeniedError);
    expect((err as AuthDeniedError).exitCode).toBe(4);
    expect((err as AuthDeniedError).message).toMatch(/Demo Repository refused the request \(403: Permission denied\.\)/);
    expect((err as AuthDeniedError).hint).toMatch(/rdp login demo --with-token.*RDP_DEMO_TOKEN/);
  });
});

describe('metadata: Zenodo-style to the RDM schema', () => {
  test('maps what the RDM schema has, as Zenodo maps its own legacy metadata', () => {
    const { body, unmapped } = zenodoToRdm({ ...META, communities: [{ identifier: 'x' }], notes: 'N', language: 'eng', embargo_date: '2030-01-01' });
    expect(body.metadata).toEqual({
      title: 'Sediment cores 2024',
      description: 'Cores from the lake.',
      version: '1.0',
      publication_date: '2026-03-01',
      resource_type: { id: 'dataset' },
      creators: [
        {
          person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }] },
          affiliations: [{ name: 'Example University' }],
        },
        { person_or_org: { type: 'personal', family_name: 'Research Group' } },
      ],
      subjects: [{ subject: 'lakes' }, { subject: 'sediment' }],
      rights: [{ id: 'cc-by-4.0' }],
      related_identifiers: [{ identifier: '10.1234/abcd', scheme: 'doi', relation_type: { id: 'issupplementto' }, resource_type: { id: 'publication-article' } }],
      identifiers: [{ identifier: 'https://example.org/x', scheme: 'url' }],
      additional_descriptions: [{ description: 'N', type: { id: 'other' } }],
      languages: [{ id: 'eng' }],
    });
    expect(body.access).toEqual({ record: 'public', files: 'public' });
    expect(unmapped).toEqual(['communities']);
    expect(zenodoToRdm({ upload_type: 'publication', publication_type: 'thesis' }).body.metadata.resource_type).toEqual({ id: 'publication-dissertation' });
    expect(zenodoToRdm({ upload_type: 'image', image_type: 'photo' }).body.metadata.resource_type).toEqual({ id: 'image-photo' });
    expect(zenodoToRdm({ access_right: 'embargoed', embargo_date: '2030-01-01' }).body.access).toEqual({ record: 'public', files: 'restricted', embargo: { active: true, until: '2030-01-01', reason: null } });
    expect(zenodoToRdm({ creators: [{ name: 'X', orcid: 'https://orcid.org/0000-0002-1825-0097' }] }).body.metadata.creators).toEqual([
      { person_or_org: { type: 'personal', family_name: 'X', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }] } },
    ]);
    expect(zenodoToRdm({ contributors: [{ name: 'Roe, R', type: 'DataCurator' }] }).body.metadata.contributors).toEqual([{ person_or_org: { type: 'personal', family_name: 'Roe', given_name: 'R' }, role: { id: 'datacurator' } }]);
    expect(missingForRdmPublish({ title: 'ab' })).toEqual(['resource_type', 'title', 'creators', 'publication_date']);
    // a draft holding a DOI of the site's DataCite account needs a publisher (the site refuses to publish it without one)
    const ready = { title: 'abc', resource_type: { id: 'dataset' }, creators: [{}], publication_date: '2026' };
    expect(missingForRdmPublish(ready, { doi: { identifier: '10.1234/x', provider: 'datacite' } })).toEqual(['publisher']);
    expect(missingForRdmPublish({ ...ready, publisher: 'TU Wien' }, { doi: { identifier: '10.1234/x', provider: 'datacite' } })).toEqual([]);
    expect(missingForRdmPublish(ready, { doi: { identifier: '10.1234/x', provider: 'external' } })).toEqual([]);
  });

  test('forSave: a licence, funder or award of the vocabulary goes back by id (the site answers them dereferenced and refuses that form on load); free text stays', () => {
    const body = {
      access: { record: 'public', files: 'public' },
      metadata: {
        title: 'T',
        rights: [
          { id: 'cc-by-4.0', title: { en: 'Creative Commons Attribution 4.0 International' }, description: { en: 'd' }, icon: 'cc-by-icon', props: { url: 'u', scheme: 'spdx' } },
          { title: { en: 'My own licence' }, link: 'https://example.org/l' },
        ],
        funding: [
          { funder: { id: '00k4n6c32', name: 'European Commission', identifiers: [{ scheme: 'ror', identifier: '00k4n6c32' }] }, award: { id: '00k4n6c32::101', title: { en: 'A' }, number: '101', subjects: [{ id: 'x', subject: 'y' }] } },
          { funder: { name: 'A foundation' }, award: { title: { en: 'Free' }, number: '1' } },
        ],
      },
    };
    const sent = forSave(body);
    expect(sent.metadata.rights).toEqual([{ id: 'cc-by-4.0' }, { title: { en: 'My own licence' }, link: 'https://example.org/l' }]);
    expect(sent.metadata.funding).toEqual([{ funder: { id: '00k4n6c32' }, award: { id: '00k4n6c32::101' } }, { funder: { name: 'A foundation' }, award: { title: { en: 'Free' }, number: '1' } }]);
    expect(sent.access).toBe(body.access);
    expect(body.metadata.rights[0]).toHaveProperty('icon'); // the caller's object is left as it was
  });

  test('the mapped draft is accepted by the site without errors, and reads back the same (fingerprint)', async () => {
    const { client } = makeClient();
    const { body } = zenodoToRdm(META);
    const d = await client.createDraft(body as unknown as Record<string, unknown>);
    expect(d.errors).toEqual([]);
    expect(d.isDraft).toBe(true);
    expect(rdmFingerprint(d.metadata)).toBe(rdmFingerprint(body.metadata));
    expect(rdmFingerprint({ ...d.metadata, title: 'Changed' })).not.toBe(rdmFingerprint(body.metadata));
    // what the site refuses is said with its own words
    const err = await client.createDraft({ ...body, metadata: { ...body.metadata, rights: [{ id: 'CC-BY-4.0' }] } }).catch((e: unknown) => e);
    expect((err as FailureError).message).toBe('Demo Repository answered 400: Invalid value CC-BY-4.0.');
  });
});

describe('a record from start to new version', () => {
  test('new draft, re-run skipping same-MD5 files, changed file replaced, publish, new version, list', async () => {
    const dir = mkdtempSync(join(work, 'folder-'));
    const sources = [writeLocal(dir, 'a.csv', data(1000, 1)), writeLocal(dir, 'b.txt', data(70 * KiB, 2)), writeLocal(dir, 'big.bin', data(600 * KiB, 3))];
    const { client } = makeClient();
    const draft = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);

    // first run: everything is sent (big.bin in parts), and checked against the site's checksum
    let plan = await planSync(client, draft.id, sources, await client.listFiles(draft.id), { concurrency: 4 });
    expect(plan.map((p) => [p.name, p.action])).toEqual([['a.csv', 'upload'], ['b.txt', 'upload'], ['big.bin', 'upload']]);
    let out = await syncFiles(client, draft.id, plan, { concurrency: 4 });
    expect(out.failures).toEqual([]);
    expect(out.sent.map((s) => [s.key, s.verified, s.multipart])).toEqual([['a.csv', true, false], ['b.txt', true, false], ['big.bin', true, true]]);
    for (const s of sources) expect(stored(draft.id, s.name), s.name).toBe(md5(readFileSync(s.file as string)));

    // the same again: nothing is sent
    await clearLog();
    plan = await planSync(client, draft.id, sources, await client.listFiles(draft.id), { concurrency: 4 });
    expect(plan.map((p) => p.action)).toEqual(['skip', 'skip', 'skip']);
    out = await syncFiles(client, draft.id, plan, { concurrency: 4 });
    expect(out.sent).toEqual([]);
    expect((await log()).filter((e) => e.method === 'PUT')).toEqual([]);

    // a changed file is replaced, the others stay
    const changed = writeLocal(dir, 'b.txt', data(70 * KiB, 99));
    sources[1] = changed;
    plan = await planSync(client, draft.id, sources, await client.listFiles(draft.id), { concurrency: 4 });
    expect(plan.map((p) => [p.name, p.action])).toEqual([['a.csv', 'skip'], ['b.txt', 'replace'], ['big.bin', 'skip']]);
    out = await syncFiles(client, draft.id, plan, { concurrency: 4 });
    expect(out.sent.map((s) => s.key)).toEqual(['b.txt']);
    expect(stored(draft.id, 'b.txt')).toBe(md5(data(70 * KiB, 99)));

    // publish
    const rec = await client.publish(draft.id);
    expect(rec.isPublished).toBe(true);
    expect(rec.doi).toMatch(/^10\.\d+\//);
    expect(rec.parentDoi).toMatch(/^10\.\d+\//);

    // new version: the draft, its files imported; asking again gives the same draft
    const nv = await client.newVersion(rec.id);
    expect(nv.id).not.toBe(rec.id);
    expect(nv.parentId).toBe(rec.parentId);
    expect((await client.newVersion(rec.id)).id).toBe(nv.id);
    expect((await client.importFiles(nv.id)).map((f) => f.key).sort()).toEqual(['a.csv', 'b.txt', 'big.bin']);
    sources[0] = writeLocal(dir, 'a.csv', data(1000, 42));
    plan = await planSync(client, nv.id, sources, await client.listFiles(nv.id), { concurrency: 4, deleteExtra: true });
    expect(plan.map((p) => [p.name, p.action])).toEqual([['a.csv', 'replace'], ['b.txt', 'skip'], ['big.bin', 'skip']]);
    await syncFiles(client, nv.id, plan, { concurrency: 4 });
    const v2 = await client.publish(nv.id);
    expect(await client.latestVersionId(rec.parentId as string)).toBe(v2.id);
    expect(await client.latestVersionId(rec.id)).toBe(v2.id);

    // the user's records: the latest of each; with allVersions, both versions
    const latest: string[] = [];
    for await (const r of client.userRecords({ pageSize: 2 })) latest.push(r.id);
    expect(latest).toContain(v2.id);
    expect(latest).not.toContain(rec.id);
    const all: string[] = [];
    for await (const r of client.userRecords({ allVersions: true, pageSize: 3 })) all.push(r.id);
    expect(all).toEqual(expect.arrayContaining([rec.id, v2.id]));
    expect(new Set(all).size).toBe(all.length);
  });

  test('a file whose site checksum does not match is removed from the draft and reported', async () => {
    const dir = mkdtempSync(join(work, 'bad-'));
    const { client } = makeClient();
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    await fault({ action: 'wrong-checksum', method: 'PUT', path: `/api/records/${d.id}/draft/files/x.bin/content` });
    const err = await client.uploadFile(d.id, writeLocal(dir, 'x.bin', data(5000, 5))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toMatch(/x\.bin: Demo Repository's checksum \(md5:[0-9a-f]{32}\) does not match what rdp sent/);
    expect(await client.listFiles(d.id)).toEqual([]);
  });

  test('503 on a commit and 429 on a part are retried; the upload completes', async () => {
    const dir = mkdtempSync(join(work, 'retry-'));
    const { client } = makeClient();
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    await fault({ action: 'status', status: 503, method: 'POST', path: `/api/records/${d.id}/draft/files/r.bin/commit` });
    await fault({ action: 'status', status: 429, retryAfter: 0, method: 'PUT', path: `/api/records/${d.id}/draft/files/r.bin/content/2` });
    const src = writeLocal(dir, 'r.bin', data(300 * KiB, 6));
    const done = await client.uploadFile(d.id, src);
    expect(done.verified).toBe(true);
    expect(stored(d.id, 'r.bin')).toBe(md5(data(300 * KiB, 6)));
    expect((await log()).filter((e) => e.fault).map((e) => e.fault)).toEqual(expect.arrayContaining(['status 503', 'status 429']));
  });
});

describe('multipart', () => {
  const SIZE = 640 * KiB;
  const PART = 64 * KiB; // 10 parts

  test('parts go in parallel; a connection cut at 60 % resends that one part only', async () => {
    const dir = mkdtempSync(join(work, 'cut-'));
    const { client } = makeClient();
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    const at60 = Math.floor((SIZE * 0.6) / PART) + 1; // the part that holds the byte at 60 %
    await fault({ action: 'cut', afterBytes: PART / 2, method: 'PUT', path: `/api/records/${d.id}/draft/files/big.bin/content/${at60}` });
    await clearLog();
    const restarts: number[] = [];
    const done = await client.uploadFile(d.id, writeLocal(dir, 'big.bin', data(SIZE, 7)), { onRestart: () => restarts.push(1) });
    expect(done).toMatchObject({ multipart: true, verified: true, fellBack: false, partRequests: 11 });
    const puts = partPuts(await log(), 'big.bin');
    expect(puts).toHaveLength(10 + 1); // ten parts, one resent
    const resent = puts.map((p) => Number(/(\d+)$/.exec(p.path)?.[1])).filter((n, i, all) => all.indexOf(n) !== i);
    expect(resent).toEqual([at60]);
    expect(restarts).toHaveLength(1);
    expect((await log()).some((e) => e.fault?.startsWith('cut'))).toBe(true);
    expect(stored(d.id, 'big.bin')).toBe(md5(data(SIZE, 7)));
    // the journal is gone once the file is verified
    expect(await readJournal(journalPath(join(work, 'state'), client.http.base, d.id, 'big.bin'))).toBeUndefined();
  });

  test('an interrupted upload resumes with the missing parts (journal under the state folder)', async () => {
    const dir = mkdtempSync(join(work, 'resume-'));
    const stateDir = join(work, 'state-resume');
    const src = writeLocal(dir, 'big.bin', data(SIZE, 8));
    const first = makeClient({ stateDir });
    const d = await first.client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    // parts 7, 8 and 9 hang; the others go through; then the run is interrupted (Ctrl-C)
    for (const n of [7, 8, 9]) await fault({ action: 'latency', latencyMs: 10_000, method: 'PUT', path: `/api/records/${d.id}/draft/files/big.bin/content/${n}` });
    const jpath = journalPath(stateDir, first.client.http.base, d.id, 'big.bin');
    const ctl = new AbortController();
    const watch = setInterval(() => {
      void readJournal(jpath).then((j) => {
        if ((j?.done.length ?? 0) >= 7) ctl.abort();
      });
    }, 5);
    const err = await first.client.uploadFile(d.id, src, { signal: ctl.signal }).catch((e: unknown) => e);
    clearInterval(watch);
    expect(err).toBeInstanceOf(CancelledError);
    const journal = await readJournal(journalPath(stateDir, first.client.http.base, d.id, 'big.bin'));
    expect([...(journal?.done ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 10]);
    expect(readdirSync(join(stateDir, 'multipart'))).toHaveLength(1);
    await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });

    await clearLog();
    const second = makeClient({ stateDir });
    const entry = (await second.client.listFiles(d.id)).find((f) => f.key === 'big.bin');
    expect(entry?.status).toBe('pending');
    const done = await second.client.uploadFile(d.id, src, { existing: entry });
    const missing = 10 - (journal?.done.length ?? 0);
    expect(done).toMatchObject({ verified: true, multipart: true, partRequests: missing });
    const sentNow = partPuts(await log(), 'big.bin').map((p) => Number(/(\d+)$/.exec(p.path)?.[1]));
    expect(sentNow.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => !journal?.done.includes(n)));
    expect((await log()).filter((e) => e.method === 'POST' && e.path.endsWith('/files'))).toEqual([]); // no new init
    expect(stored(d.id, 'big.bin')).toBe(md5(data(SIZE, 8)));
  });

  test('journals nobody resumed for a month are removed when a new upload starts', async () => {
    const dir = mkdtempSync(join(work, 'prune-'));
    const stateDir = join(work, 'state-prune');
    mkdirSync(join(stateDir, 'multipart'), { recursive: true });
    const stale = join(stateDir, 'multipart', 'old.json');
    const recent = join(stateDir, 'multipart', 'recent.json');
    writeFileSync(stale, '{}');
    writeFileSync(recent, '{}');
    const monthAgo = new Date(Date.now() - 31 * 86_400_000);
    utimesSync(stale, monthAgo, monthAgo);
    const { client } = makeClient({ stateDir });
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    await client.uploadFile(d.id, writeLocal(dir, 'p.bin', data(SIZE, 17)));
    expect(readdirSync(join(stateDir, 'multipart')).sort()).toEqual(['recent.json']);
  });

  test('presigned part URLs are redacted in --debug lines', () => {
    const url = 'https://bucket.s3.example.org/f?partNumber=3&uploadId=abc&X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok';
    const shown = redactUrl(url);
    expect(shown).not.toMatch(/deadbeef|AKIA|=tok/);
    expect(shown).toMatch(/partNumber=3/);
  });

  test('a changed local file does not resume: the old parts are dropped and it starts over', async () => {
    const dir = mkdtempSync(join(work, 'changed-'));
    const stateDir = join(work, 'state-changed');
    const first = makeClient({ stateDir });
    const d = await first.client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    const ctl = new AbortController();
    await first.client
      .uploadFile(d.id, writeLocal(dir, 'big.bin', data(SIZE, 9)), { signal: ctl.signal, onProgress: (n) => n >= SIZE * 0.3 && ctl.abort() })
      .catch(() => {});
    const src = writeLocal(dir, 'big.bin', data(SIZE, 10)); // same size, other content, newer mtime
    await clearLog();
    const second = makeClient({ stateDir });
    const done = await second.client.uploadFile(d.id, src);
    expect(done.partRequests).toBe(10);
    expect((await log()).some((e) => e.method === 'DELETE')).toBe(true);
    expect(stored(d.id, 'big.bin')).toBe(md5(data(SIZE, 10)));
  });

  test('a site that refuses multipart (403, as Zenodo): one probe part, then one stream; later files skip multipart', async () => {
    await settings({ multipart: false });
    const dir = mkdtempSync(join(work, 'refused-'));
    const { client, stderr } = makeClient();
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    await clearLog();
    const done = await client.uploadFile(d.id, writeLocal(dir, 'one.bin', data(SIZE, 11)));
    expect(done).toMatchObject({ fellBack: true, multipart: false, verified: true });
    const entries = await log();
    const parts = partPuts(entries, 'one.bin');
    expect(parts.map((p) => [p.path.replace(/.*\//, ''), p.status])).toEqual([['10', 403]]); // the last (smallest) part alone
    expect(entries.filter((e) => e.method === 'PUT' && e.path.endsWith('/one.bin/content')).map((e) => e.status)).toEqual([200]);
    expect(stored(d.id, 'one.bin')).toBe(md5(data(SIZE, 11)));
    expect(client.multipartRefused).toBe(true);

    await clearLog();
    const second = await client.uploadFile(d.id, writeLocal(dir, 'two.bin', data(SIZE, 12)));
    expect(second).toMatchObject({ fellBack: false, multipart: false, verified: true });
    expect(partPuts(await log(), 'two.bin')).toEqual([]);
    expect(stderr()).not.toMatch(/403|refused/i); // nothing to notice but the speed
  });

  test('S3-like storage: the multipart ETag checksum is compared with the MD5 of the local parts', async () => {
    await settings({ multipartChecksum: 'etag', checksumDelayMs: 60_000 });
    const dir = mkdtempSync(join(work, 'etag-'));
    const { client } = makeClient();
    const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    const done = await client.uploadFile(d.id, writeLocal(dir, 'e.bin', data(SIZE + 123, 13)));
    expect(done.checksum).toMatch(/^multipart:[0-9a-f]{32}-11-65536$/);
    expect(done.verified).toBe(true);
    // and a re-run compares the same way (skip)
    const plan = await planSync(client, d.id, [fileSource({ path: join(dir, 'e.bin'), size: SIZE + 123 }, 'e.bin')], await client.listFiles(d.id), { concurrency: 2 });
    expect(plan.map((p) => p.action)).toEqual(['skip']);
  });

  test('a checksum the site has not computed yet is waited for; one that never comes leaves the file unverified', async () => {
    const dir = mkdtempSync(join(work, 'wait-'));
    await settings({ checksumDelayMs: 50 });
    const a = makeClient({ realWaitMs: 20, checksumWaitMs: 600_000 });
    const d = await a.client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
    const ok = await a.client.uploadFile(d.id, writeLocal(dir, 'w.bin', data(SIZE, 14)));
    expect(ok.verified).toBe(true);
    expect(a.sleeps.length).toBeGreaterThan(0);

    await settings({ checksumDelayMs: 3_600_000 });
    const b = makeClient({ checksumWaitMs: 1000 });
    const later = await b.client.uploadFile(d.id, writeLocal(dir, 'n.bin', data(SIZE, 15)));
    expect(later).toMatchObject({ verified: false, checksum: null });
    expect(b.sleeps.reduce((s, x) => s + x, 0)).toBeGreaterThanOrEqual(1000); // the budget, on the injected clock
  });

  test('part URLs on another host (S3 presigned) get no token', async () => {
    // A stand-in for S3: takes each part, remembers whether a token came with it, and hands it on to the site.
    const seen: { auth: string | undefined; path: string }[] = [];
    const s3: Server = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, path: req.url ?? '' });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const target = decodeURIComponent((req.url ?? '').slice(1));
        const r = await fetch(target, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: Buffer.concat(chunks) });
        const body = Buffer.concat(chunks);
        res.writeHead(r.status, { etag: `"${md5(body)}"` });
        res.end();
      });
    });
    await new Promise<void>((r) => s3.listen(0, '127.0.0.1', r));
    try {
      const dir = mkdtempSync(join(work, 's3-'));
      const stateDir = join(work, 'state-s3');
      const { client } = makeClient({ stateDir });
      const d = await client.createDraft(zenodoToRdm(META).body as unknown as Record<string, unknown>);
      const src = writeLocal(dir, 's.bin', data(SIZE, 16));
      // The site's entry, as an S3-backed site would answer it: part URLs on the S3 host.
      const init = await client.initFiles(d.id, [{ key: 's.bin', size: SIZE, transfer: { type: 'M', parts: 10, part_size: PART } }]);
      const entry = init.files[0] as NonNullable<(typeof init.files)[number]>;
      const s3base = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
      entry.links.parts = (entry.links.parts ?? []).map((p) => ({ part: p.part, url: `${s3base}/${encodeURIComponent(p.url)}` }));
      const { mtimeMs } = statSync(src.file as string);
      mkdirSync(dirname(journalPath(stateDir, client.http.base, d.id, 's.bin')), { recursive: true });
      writeFileSync(
        journalPath(stateDir, client.http.base, d.id, 's.bin'),
        JSON.stringify({ version: 1, api: client.http.base, record: d.id, key: 's.bin', path: src.file, size: SIZE, mtimeMs, parts: 10, partSize: PART, done: [], updated: '' }),
        { flag: 'w' },
      );
      const done = await client.uploadFile(d.id, src, { existing: entry });
      expect(done.verified).toBe(true);
      expect(seen).toHaveLength(10);
      expect(seen.every((s) => s.auth === undefined)).toBe(true);
      expect(stored(d.id, 's.bin')).toBe(md5(data(SIZE, 16)));
    } finally {
      await new Promise<void>((r) => s3.close(() => r()));
    }
  });
});
