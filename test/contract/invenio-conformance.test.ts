// The emulator's InvenioRDM site held to recorded facts of the real server code (test/contract/invenio/
// *.json, written from invenio-rdm-records, invenio-drafts-resources, invenio-records-resources,
// invenio-oauth2server and zenodo-rdm). Spoken to with plain HTTP, never through rdp's client.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT } from '../helpers/sandbox.js';

// The fixtures and answers are read field by field.
type Any = any;
const fixture = (rel: string): Any => JSON.parse(readFileSync(join(ROOT, 'test', 'contract', 'invenio', rel), 'utf8'));
const REC = fixture('records-api.json');
const FILES = fixture('files-api.json');

let emu: TestEmulator;
let limited: TestEmulator;
let token: string;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  limited = await startTestEmulator();
  token = emu.info.invenio.token;
});
afterAll(async () => {
  await emu.close();
  await limited.close();
});

const api = () => `${emu.info.invenio.url}/api`;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Any;
}

async function call(method: string, url: string, opts: { body?: unknown; token?: string | null; raw?: Uint8Array; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? token}`;
  let body: string | Uint8Array | undefined;
  if (opts.raw) {
    body = opts.raw;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, text, body: parsed };
}

const META = {
  resource_type: { id: 'dataset' },
  title: 'A data set',
  publication_date: '2026-01-02',
  publisher: 'Example Repository',
  creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }] } }],
};

async function draft(metadata: unknown = META): Promise<Any> {
  const r = await call('POST', `${api()}/records`, { body: { metadata, access: { record: 'public', files: 'public' }, files: { enabled: true } } });
  expect(r.status).toBe(201);
  return r.body;
}

async function addFile(d: Any, key: string, data: Uint8Array): Promise<Any> {
  expect((await call('POST', d.links.files, { body: [{ key }] })).status).toBe(FILES.init.status);
  const url = `${d.links.files}/${encodeURIComponent(key)}`;
  expect((await call('PUT', `${url}/content`, { raw: data })).status).toBe(FILES.content.status);
  const c = await call('POST', `${url}/commit`);
  expect(c.status).toBe(FILES.commit.status);
  return c.body;
}

async function published(files: Record<string, string> = { 'a.txt': 'a' }): Promise<Any> {
  const d = await draft();
  for (const [k, v] of Object.entries(files)) await addFile(d, k, new TextEncoder().encode(v));
  const p = await call('POST', d.links.publish);
  expect(p.status).toBe(REC.publish.status);
  return p.body;
}

describe('InvenioRDM: authentication', () => {
  test('no token and a bad token are both anonymous: 403 "Permission denied." (never 401); public search still answers', async () => {
    for (const t of [null, 'not-a-token-the-server-knows']) {
      const u = await call('GET', `${api()}/user/records`, { token: t });
      expect(u.status).toBe(REC.auth.anonymousStatus);
      expect(u.body).toEqual({ status: REC.auth.anonymousStatus, message: REC.auth.message });
      expect((await call('POST', `${api()}/records`, { token: t, body: { metadata: META } })).status).toBe(REC.auth.badTokenStatus);
      expect((await call('GET', `${api()}/records`, { token: t })).status).toBe(REC.auth.publicSearchWithBadToken);
    }
  });

  test("another user's draft: 403", async () => {
    const d = await draft();
    const other = await fetch(`${emu.url}/_emulator/tokens`, { method: 'POST', body: JSON.stringify({ service: 'invenio', userId: '2' }) }).then((r) => r.json() as Promise<{ token: string }>);
    expect((await call('GET', d.links.self, { token: other.token })).status).toBe(REC.auth.otherUsersDraft);
    expect((await call('POST', d.links.files, { token: other.token, body: [{ key: 'x' }] })).status).toBe(REC.auth.otherUsersDraft);
  });
});

describe('InvenioRDM: records and drafts', () => {
  test('search shape: hits.hits, hits.total (a number), links; default page size 25; size 0 is a 400', async () => {
    await published();
    const r = await call('GET', `${api()}/records`, { token: null });
    expect(Array.isArray(r.body.hits.hits)).toBe(true);
    expect(typeof r.body.hits.total).toBe(REC.search.totalType);
    for (const k of REC.search.links) expect(typeof r.body.links[k]).toBe('string');
    expect(new URL(r.body.links.self).searchParams.get('size')).toBe(String(REC.search.defaultPageSize));
    expect((await call('GET', `${api()}/records?size=0`)).status).toBe(REC.search.sizeZeroStatus);
  });

  test('a draft is saved with what is valid; problems come back in errors (201); unknown metadata keys are errors', async () => {
    const r = await call('POST', `${api()}/records`, { body: { metadata: { ...META, title: undefined, ...REC.createDraft.unknownMetadataKey.example }, whatever: 1 } });
    expect(r.status).toBe(REC.createDraft.status);
    expect(r.body.errors).toContainEqual(REC.createDraft.missingTitle);
    expect(r.body.errors).toContainEqual({ field: REC.createDraft.unknownMetadataKey.field, messages: REC.createDraft.unknownMetadataKey.messages });
    expect(r.body.metadata.creators[0].person_or_org.name).toBe('Doe, Jane');
    expect(r.body.is_draft).toBe(true);
    expect(r.body.status).toBe('draft');
    expect((await call('GET', r.body.links.self)).status).toBe(200);
    expect((await call('GET', `${api()}/records/nope0-nope0/draft`)).body).toEqual(REC.createDraft.status404);
  });

  test('unknown vocabulary ids (exact, no aliases): 400 "Invalid value <id>.", and nothing is created', async () => {
    const before = (await call('GET', `${api()}/user/records?allversions=true`)).body.hits.total;
    for (const id of REC.vocabularies.licenses.unknown) {
      const r = await call('POST', `${api()}/records`, { body: { metadata: { ...META, rights: [{ id }] } } });
      expect(r.status, id).toBe(REC.vocabularies.status);
      expect(r.body.message).toBe(REC.vocabularies.messageFormat.replace('{id}', id));
    }
    for (const id of REC.vocabularies.resourceTypes.unknown) {
      const r = await call('POST', `${api()}/records`, { body: { metadata: { ...META, resource_type: { id } } } });
      expect(r.body.message, id).toBe(REC.vocabularies.messageFormat.replace('{id}', id));
    }
    expect((await call('GET', `${api()}/user/records?allversions=true`)).body.hits.total).toBe(before);
    for (const id of REC.vocabularies.licenses.known) expect((await call('POST', `${api()}/records`, { body: { metadata: { ...META, rights: [{ id }] } } })).status, id).toBe(201);
    for (const id of REC.vocabularies.resourceTypes.known) expect((await call('POST', `${api()}/records`, { body: { metadata: { ...META, resource_type: { id } } } })).status, id).toBe(201);
  });

  test('person_or_org: type, family name, ORCID check digit, title length', async () => {
    const errs = async (creator: unknown, extra: Record<string, unknown> = {}) =>
      (await call('POST', `${api()}/records`, { body: { metadata: { ...META, creators: [creator], ...extra } } })).body.errors as { field: string; messages: string[] }[];
    expect(await errs({ person_or_org: { type: 'human', family_name: 'X' } })).toContainEqual({ field: 'metadata.creators.0.person_or_org.type', messages: [REC.personOrOrg.badType] });
    expect(await errs({ person_or_org: { type: 'personal', given_name: 'X' } })).toContainEqual({ field: 'metadata.creators.0.person_or_org.family_name', messages: [REC.personOrOrg.familyNameBlank] });
    expect(await errs({ person_or_org: { type: 'organizational' } })).toContainEqual({ field: 'metadata.creators.0.person_or_org.name', messages: [REC.personOrOrg.orgNameBlank] });
    expect(await errs({ person_or_org: { type: 'personal', family_name: 'X', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0098' }] } })).toContainEqual({
      field: 'metadata.creators.0.person_or_org.identifiers.0.identifier',
      messages: [REC.personOrOrg.invalidOrcid],
    });
    expect(await errs(META.creators[0], { title: 'ab' })).toContainEqual({ field: 'metadata.title', messages: [REC.titleMinLength.message] });
  });

  test('publish: strict validation, missing files, pending files; then 202 with a DOI', async () => {
    const bad = await draft({ ...META, publication_date: undefined });
    await addFile(bad, 'a.txt', new TextEncoder().encode('a'));
    const r1 = await call('POST', bad.links.publish);
    expect(r1.status).toBe(REC.errorBody.validationStatus);
    expect(r1.body.message).toBe(REC.errorBody.validationMessage);
    expect(r1.body.errors).toContainEqual({ field: 'metadata.publication_date', messages: ['Missing data for required field.'] });

    const empty = await draft();
    const r2 = await call('POST', empty.links.publish);
    expect(r2.status).toBe(400);
    expect(r2.body.errors).toEqual([REC.publish.noFiles]);

    const pending = await draft();
    await call('POST', pending.links.files, { body: [{ key: 'p.txt' }] });
    const r3 = await call('POST', pending.links.publish);
    expect(r3.body.errors).toEqual([REC.publish.pendingFile]);

    const ok = await published();
    expect(ok.is_published).toBe(true);
    expect(ok.pids.doi.identifier).toMatch(/^10\.\d+\//);
    expect(ok.parent.pids.doi.identifier).toMatch(/^10\.\d+\//);
    expect(ok.links.self).toBe(`${api()}/records/${ok.id}`);
  });

  test('DOIs: a draft reserves its own DOI; the parent (concept) DOI is minted when the first version is published, and a new-version draft shows it', async () => {
    const d = await draft();
    expect(d.parent.pids).toEqual(REC.parentDoi.firstDraftParentPids);
    const r = await call('POST', `${api()}/records/${d.id}/draft/pids/doi`);
    expect(r.status).toBe(REC.parentDoi.reserveStatus);
    const reserved = r.body.pids.doi.identifier as string;
    expect(reserved).toMatch(/^10\.\d+\//);
    expect((await call('POST', `${api()}/records/${d.id}/draft/pids/doi`)).body.pids.doi.identifier).toBe(reserved);
    expect(r.body.parent.pids).toEqual(REC.parentDoi.firstDraftParentPids);
    await addFile(d, 'a.txt', new TextEncoder().encode('a'));
    const v1 = (await call('POST', d.links.publish)).body;
    expect(v1.pids.doi.identifier).toBe(reserved);
    expect(Boolean(v1.parent.pids.doi?.identifier)).toBe(REC.parentDoi.parentDoiAfterPublish);
    expect(v1.parent.pids.doi.identifier).not.toBe(reserved);
    const nv = (await call('POST', `${api()}/records/${v1.id}/versions`)).body;
    expect(nv.parent.pids.doi?.identifier === v1.parent.pids.doi.identifier).toBe(REC.parentDoi.newVersionDraftHasParentDoi);
  });

  test('a draft holding a reserved (DataCite) DOI and no publisher: the save notes it, publishing is a 400; an external DOI needs none', async () => {
    const { publisher: _, ...noPublisher } = META;
    const d = await draft(noPublisher);
    await addFile(d, 'a.txt', new TextEncoder().encode('a'));
    expect((await call('POST', `${api()}/records/${d.id}/draft/pids/doi`)).status).toBe(REC.parentDoi.reserveStatus);
    const saved = await call('PUT', `${api()}/records/${d.id}/draft`, { body: { metadata: noPublisher, access: d.access, files: { enabled: true } } });
    expect(saved.status).toBe(REC.doiPublisher.draftSaveStatus);
    expect(saved.body.errors).toContainEqual(REC.doiPublisher.error);
    const p = await call('POST', d.links.publish);
    expect(p.status).toBe(REC.doiPublisher.publishStatus);
    expect(p.body.errors).toEqual([REC.doiPublisher.error]);
    const fixed = await call('PUT', `${api()}/records/${d.id}/draft`, { body: { metadata: META, access: d.access, files: { enabled: true } } });
    expect(fixed.body.errors ?? []).toEqual([]);
    expect((await call('POST', d.links.publish)).status).toBe(REC.publish.status);

    const ext = await draft(noPublisher);
    await addFile(ext, 'a.txt', new TextEncoder().encode('a'));
    const withExternal = await call('PUT', `${api()}/records/${ext.id}/draft`, { body: { metadata: noPublisher, access: ext.access, files: { enabled: true }, pids: { doi: { identifier: '10.5555/elsewhere', provider: 'external' } } } });
    expect((withExternal.body.errors ?? []).some((e: Any) => e.field === 'metadata.publisher')).toBe(REC.doiPublisher.externalDoiNeedsPublisher);
    expect((await call('POST', ext.links.publish)).status).toBe(REC.publish.status);
  });

  test('a licence sent back as answered (title, icon, props filled in) is noted as an error (200) and kept as its id; the id alone saves cleanly', async () => {
    const RT = REC.rightsRoundTrip;
    const d = await draft({ ...META, rights: [{ id: RT.answered.id }] });
    const answered = d.metadata.rights[0];
    expect(Object.keys(answered).sort()).toEqual([...RT.answered.keys].sort());
    expect(answered.icon).toBe(RT.answered.icon);
    const back = await call('PUT', `${api()}/records/${d.id}/draft`, { body: { metadata: d.metadata, access: d.access, files: { enabled: true } } });
    expect(back.status).toBe(RT.sentBackStatus);
    expect(back.body.errors).toContainEqual({ field: RT.sentBackErrorField, messages: RT.sentBackErrorMessages });
    const { icon: _, ...noIcon } = answered;
    const back2 = await call('PUT', `${api()}/records/${d.id}/draft`, { body: { metadata: { ...d.metadata, rights: [noIcon] }, access: d.access, files: { enabled: true } } });
    expect(back2.body.errors).toContainEqual(RT.withoutIcon);
    const stored = await call('GET', `${api()}/records/${d.id}/draft`);
    expect(stored.body.metadata.rights.map((r: Any) => ({ id: r.id }))).toEqual(RT.kept);
    const alone = await call('PUT', `${api()}/records/${d.id}/draft`, { body: { metadata: { ...d.metadata, rights: [{ id: RT.answered.id }] }, access: d.access, files: { enabled: true } } });
    expect((alone.body.errors ?? []).filter((e: Any) => e.field.startsWith('metadata.rights'))).toEqual(RT.idAloneErrors);
  });

  test('publish gates (knob publishGate): invenio-curations answers 400 with an empty message and a placeholder error; a required community is a 400 with its message', async () => {
    const setGate = (publishGate: string) => fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ publishGate }) });
    const d = await draft();
    await addFile(d, 'a.txt', new TextEncoder().encode('a'));
    try {
      await setGate('curation');
      const c = await call('POST', d.links.publish);
      expect(c.status).toBe(REC.publishGates.curation.status);
      expect(c.body).toEqual({ status: REC.publishGates.curation.status, message: REC.publishGates.curation.message, errors: REC.publishGates.curation.errors });
      await setGate('community');
      const m = await call('POST', d.links.publish);
      expect(m.status).toBe(REC.publishGates.community.status);
      expect(m.body).toEqual({ status: REC.publishGates.community.status, message: REC.publishGates.community.message });
    } finally {
      await setGate('none');
    }
    expect((await call('POST', d.links.publish)).status).toBe(REC.publish.status);
  });

  test('optional DOIs (knob doiOptional): none minted unless reserved; a new version keeps the kind of DOI the latest version has (noted at a save, 400 at publish)', async () => {
    const O = REC.optionalDoi;
    const msg = (m: string) => m.replaceAll('{sitename}', O.sitename);
    const setOptional = (on: boolean) => fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [O.knob]: on }) });
    try {
      await setOptional(true);
      // without a reserved DOI: none minted; the next version must then not take one of the site's
      const plain = await draft();
      await addFile(plain, 'a.txt', new TextEncoder().encode('a'));
      const p1 = (await call('POST', plain.links.publish)).body;
      expect(Boolean(p1.pids?.doi)).toBe(O.mintedWithoutReserve);
      const n1 = (await call('POST', `${api()}/records/${p1.id}/versions`)).body;
      await call('POST', `${api()}/records/${n1.id}/draft/actions/files-import`);
      await call('POST', `${api()}/records/${n1.id}/draft/pids/doi`);
      const r1 = await call('POST', `${api()}/records/${n1.id}/draft/actions/publish`);
      expect(r1.status).toBe(O.publishStatus);
      expect(r1.body.errors).toEqual([{ field: O.field, messages: [msg(O.mustNotHaveOwn)] }]);
      // with a reserved DOI: the next version needs one too
      const own = await draft();
      await addFile(own, 'a.txt', new TextEncoder().encode('a'));
      await call('POST', `${api()}/records/${own.id}/draft/pids/doi`);
      const p2 = (await call('POST', own.links.publish)).body;
      expect(p2.pids.doi.provider).toBe('datacite');
      const n2 = (await call('POST', `${api()}/records/${p2.id}/versions`)).body;
      await call('POST', `${api()}/records/${n2.id}/draft/actions/files-import`);
      const saved = await call('PUT', `${api()}/records/${n2.id}/draft`, { body: { metadata: n2.metadata, access: n2.access, files: { enabled: true } } });
      expect(saved.body.errors).toContainEqual({ field: O.field, messages: [msg(O.needsOwn)] });
      const r2 = await call('POST', `${api()}/records/${n2.id}/draft/actions/publish`);
      expect(r2.status).toBe(O.publishStatus);
      expect(r2.body.errors).toEqual([{ field: O.field, messages: [msg(O.needsOwn)] }]);
      await call('POST', `${api()}/records/${n2.id}/draft/pids/doi`);
      expect((await call('POST', `${api()}/records/${n2.id}/draft/actions/publish`)).status).toBe(REC.publish.status);
    } finally {
      await setOptional(false);
    }
  });

  test('custom_fields: a save sets what it is sent ({} when none); a new version copies them', async () => {
    const CF = REC.customFields;
    const r = await call('POST', `${api()}/records`, { body: { metadata: META, access: { record: 'public', files: 'public' }, files: { enabled: true }, custom_fields: CF.example } });
    expect(r.body.custom_fields).toEqual(CF.example);
    await addFile(r.body, 'a.txt', new TextEncoder().encode('a'));
    const v1 = (await call('POST', r.body.links.publish)).body;
    expect(v1.custom_fields).toEqual(CF.example);
    const nv = (await call('POST', `${api()}/records/${v1.id}/versions`)).body;
    expect(nv.custom_fields ?? {}).toEqual(CF.copiedToNewVersion ? CF.example : {});
    const saved = await call('PUT', `${api()}/records/${nv.id}/draft`, { body: { metadata: nv.metadata, access: nv.access, files: { enabled: true } } });
    expect(saved.body.custom_fields).toEqual(CF.saveWithoutThem);
  });

  test('new version: the open draft is returned again; metadata copied without version, dated today, no files; files-import', async () => {
    const v1d = await draft({ ...META, version: '1.0' });
    await addFile(v1d, 'one.txt', new TextEncoder().encode('one'));
    const v1 = (await call('POST', v1d.links.publish)).body;
    const nv = await call('POST', `${api()}/records/${v1.id}/versions`);
    expect(nv.status).toBe(REC.newVersion.status);
    expect(nv.body.id).not.toBe(v1.id);
    expect(nv.body.parent.id).toBe(v1.parent.id);
    expect(nv.body.status).toBe('new_version_draft');
    for (const k of REC.newVersion.droppedMetadata) expect(nv.body.metadata).not.toHaveProperty(k);
    expect(nv.body.metadata.publication_date).toBe(new Date().toISOString().slice(0, 10));
    expect(nv.body.pids).toEqual({});
    expect((await call('GET', nv.body.links.files)).body.entries).toEqual([]);
    const again = await call('POST', `${api()}/records/${v1.id}/versions`);
    expect(again.status).toBe(REC.newVersion.again.status);
    expect(again.body.id).toBe(nv.body.id);

    const imp = await call('POST', `${api()}/records/${nv.body.id}/draft/actions/files-import`);
    expect(imp.status).toBe(REC.filesImport.status);
    expect(imp.body.entries.map((e: { key: string }) => e.key)).toEqual(['one.txt']);
    const twice = await call('POST', `${api()}/records/${nv.body.id}/draft/actions/files-import`);
    expect(twice.status).toBe(REC.filesImport.notEmpty.status);
    expect(twice.body.errors).toEqual([{ field: REC.filesImport.notEmpty.field, messages: REC.filesImport.notEmpty.messages }]);

    const unpublished = await draft();
    expect((await call('POST', `${api()}/records/${unpublished.id}/versions`)).body).toEqual(REC.newVersion.unpublished);
  });

  test('user records: drafts included; without allversions only the latest draft of each record', async () => {
    const v1 = await published();
    const nv = (await call('POST', `${api()}/records/${v1.id}/versions`)).body;
    const latest = (await call('GET', `${api()}/user/records?size=100`)).body.hits.hits.map((h: { id: string }) => h.id);
    expect(latest).toContain(nv.id);
    expect(latest).not.toContain(v1.id);
    const all = (await call('GET', `${api()}/user/records?size=100&allversions=true`)).body.hits.hits.map((h: { id: string }) => h.id);
    expect(all).toEqual(expect.arrayContaining([nv.id, v1.id]));
  });

  test('versions/latest: 301 to the latest version, for a record id and for the parent id', async () => {
    const v1 = await published();
    const nv = (await call('POST', `${api()}/records/${v1.id}/versions`)).body;
    expect((await call('POST', `${api()}/records/${nv.id}/draft/actions/files-import`)).status).toBe(201);
    const v2 = (await call('POST', nv.links.publish)).body;
    expect(v2.id).toBe(nv.id);
    for (const id of [v1.id, v1.parent.id]) {
      const r = await call('GET', `${api()}/records/${id}/versions/latest`, { token: null });
      expect(r.status).toBe(REC.versionsLatest.status);
      expect(r.headers.get('location')).toBe(`${api()}/records/${v2.id}`);
    }
  });

  test('rate limit: 1000 a minute, headers on every response', async () => {
    const r = await fetch(`${limited.info.invenio.url}/api/user/records?size=1`, { headers: { authorization: `Bearer ${limited.info.invenio.token}` } });
    expect(r.status).toBe(200);
    for (const h of REC.rateLimit.headers) expect(r.headers.get(h), h).toMatch(/^\d+$/);
    expect(Number(r.headers.get('x-ratelimit-limit'))).toBe(REC.rateLimit.perMinuteAuthenticated);
  });
});

describe('InvenioRDM: files', () => {
  test('init -> content -> commit: pending, then completed with md5:<hex> of the bytes; a key twice is a 400', async () => {
    const d = await draft();
    const init = await call('POST', d.links.files, { body: [{ key: 'a.csv' }] });
    expect(init.status).toBe(FILES.init.status);
    expect(init.body.entries[0].status).toBe(FILES.init.pendingStatus);
    const dup = await call('POST', d.links.files, { body: [{ key: 'a.csv' }] });
    expect(dup.status).toBe(FILES.init.keyExists.status);
    expect(dup.body.message).toBe(FILES.init.keyExists.messageFormat.replace('{key}', 'a.csv'));
    const data = new TextEncoder().encode('x,y\n1,2\n');
    const c = await call('PUT', `${d.links.files}/a.csv/content`, { raw: data });
    expect(c.body.status).toBe(FILES.init.pendingStatus);
    const done = await call('POST', `${d.links.files}/a.csv/commit`);
    expect(done.body.status).toBe(FILES.commit.completedStatus);
    expect(done.body.checksum).toMatch(new RegExp(FILES.commit.checksumPattern));
    expect(done.body.checksum).toBe(`md5:${md5(data)}`);
    expect(done.body.size).toBe(data.length);
    const twice = await call('POST', `${d.links.files}/a.csv/commit`);
    expect(twice.status).toBe(FILES.commit.again.status);
    expect(twice.body.checksum).toBe(done.body.checksum);
    expect(twice.body.status).toBe(FILES.commit.completedStatus);
    const again = await call('PUT', `${d.links.files}/a.csv/content`, { raw: data });
    expect(again.status).toBe(FILES.content.afterCommit.status);
    expect(again.body.errors).toBe(FILES.content.afterCommit.errors);
    expect((await call('GET', d.links.files)).body.entries).toEqual([]);
    expect((await call('POST', d.links.files, { body: [{ key: 'b' }] })).status).toBe(201);
    expect((await call('DELETE', `${d.links.files}/b`)).status).toBe(FILES.delete.status);
  });

  test('a site that refuses empty files: the commit of one answers 400 "Empty files are not accepted." and the entry stays pending', async () => {
    await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ allowEmptyFiles: false }) });
    try {
      const d = await draft();
      await call('POST', d.links.files, { body: [{ key: 'empty.txt' }] });
      await call('PUT', `${d.links.files}/empty.txt/content`, { raw: new Uint8Array(0) });
      const c = await call('POST', `${d.links.files}/empty.txt/commit`);
      expect(c.status).toBe(FILES.commit.emptyRefused.status);
      expect(c.body.message).toBe(FILES.commit.emptyRefused.message);
      expect((await call('GET', `${d.links.files}/empty.txt`)).body.status).toBe(FILES.init.pendingStatus);
    } finally {
      await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ allowEmptyFiles: true }) });
    }
  });

  test('file keys with "/" (the route is <path:key>): init, content and commit under the nested key', async () => {
    const d = await draft();
    const key = FILES.nestedKeys.key as string;
    expect((await call('POST', d.links.files, { body: [{ key }] })).status).toBe(FILES.nestedKeys.initStatus);
    const url = `${d.links.files}/${key.split('/').map(encodeURIComponent).join('/')}`;
    expect((await call('PUT', `${url}/content`, { raw: new TextEncoder().encode('nested') })).status).toBe(FILES.content.status);
    const c = await call('POST', `${url}/commit`);
    expect(c.status).toBe(FILES.nestedKeys.commitStatus);
    expect(c.body.key).toBe(key);
  });

  test('more than 100 files: 400 with the recorded message', async () => {
    const d = await draft();
    const r = await call('POST', d.links.files, { body: Array.from({ length: FILES.init.maxFiles.limit + 1 }, (_, i) => ({ key: `f${i}` })) });
    expect(r.status).toBe(FILES.init.maxFiles.status);
    expect(r.body.message).toBe(FILES.init.maxFiles.message);
  });

  const partData = (size: number, seed: number) => {
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
    return b;
  };

  async function multipartInit(d: Any, key: string, size: number, partSize: number) {
    const parts = Math.ceil(size / partSize);
    const r = await call('POST', d.links.files, { body: [{ key, size, transfer: { type: 'M', parts, part_size: partSize } }] });
    expect(r.status).toBe(FILES.init.status);
    return r.body.entries.find((e: { key: string }) => e.key === key);
  }

  test('multipart: parts links, wrong part size, commit to L, checksum by the background task', async () => {
    const d = await draft();
    const size = 10_000;
    const partSize = 4096;
    const data = partData(size, 7);
    const e = await multipartInit(d, 'big.bin', size, partSize);
    expect(e.transfer).toEqual({ type: FILES.multipart.transferType, parts: 3, part_size: partSize });
    expect(e.links.content).toBeUndefined();
    expect(e.links.parts.map((p: { part: number; url: string }) => [p.part, p.url])).toEqual(
      [1, 2, 3].map((n) => [n, FILES.multipart.partUrlFormat.replace('{self}', e.links.self).replace('{part}', String(n))]),
    );
    const days = (Date.parse(e.links.parts[0].expiration) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(FILES.multipart.expirationDays);
    const short = await call('PUT', e.links.parts[0].url, { raw: data.subarray(0, 100) });
    expect(short.status).toBe(FILES.multipart.wrongPartSize.status);
    expect(short.body.errors).toBe(FILES.multipart.wrongPartSize.errors);
    // out of order, as parallel parts arrive
    for (const n of [3, 1, 2]) {
      const r = await call('PUT', e.links.parts[n - 1].url, { raw: data.subarray((n - 1) * partSize, Math.min(size, n * partSize)) });
      expect(r.status, `part ${n}`).toBe(200);
      expect(r.body.errors).toBeUndefined();
    }
    const c = await call('POST', e.links.commit);
    expect(c.status).toBe(200);
    expect(c.body.transfer.type).toBe(FILES.multipart.afterCommitTransferType);
    expect(c.body.checksum).toBe(FILES.multipart.checksumAtCommitLocal);
    expect((await call('POST', e.links.commit)).status).toBe(FILES.commit.again.status);
    let later: string | null = null;
    for (let i = 0; i < 200 && !later; i++) {
      later = (await call('GET', e.links.self)).body.checksum;
      if (!later) await new Promise((r) => setTimeout(r, 10));
    }
    expect(later).toMatch(new RegExp(FILES.multipart.checksumLaterPattern));
    expect(later).toBe(`md5:${md5(data)}`);
    const back = await fetch(`${e.links.self}/content`, { headers: { authorization: `Bearer ${token}` } });
    expect(Buffer.from(await back.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  });

  test('multipart on S3-like storage: multipart:<md5 of part MD5s>-<parts>-<part size> at commit', async () => {
    await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipartChecksum: 'etag', checksumDelayMs: 60_000 }) });
    try {
      const d = await draft();
      const data = partData(9000, 3);
      const e = await multipartInit(d, 's3.bin', 9000, 5000);
      await call('PUT', e.links.parts[0].url, { raw: data.subarray(0, 5000) });
      await call('PUT', e.links.parts[1].url, { raw: data.subarray(5000) });
      const c = await call('POST', e.links.commit);
      expect(c.body.checksum).toMatch(new RegExp(FILES.multipart.etagPattern));
      const etag = md5(Buffer.concat([Buffer.from(md5(data.subarray(0, 5000)), 'hex'), Buffer.from(md5(data.subarray(5000)), 'hex')]));
      expect(c.body.checksum).toBe(`multipart:${etag}-2-5000`);
    } finally {
      await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipartChecksum: 'task', checksumDelayMs: 0 }) });
    }
  });

  test('the whole content sent to an M file fails the transfer and removes the entry', async () => {
    const d = await draft();
    const e = await multipartInit(d, 'm.bin', 100, 64);
    const r = await call('PUT', `${e.links.self}/content`, { raw: partData(100, 1) });
    expect(r.status).toBe(FILES.multipart.wholeContentToMultipart.status);
    expect(r.body.errors).toBe(FILES.multipart.wholeContentToMultipart.errors);
    expect((await call('GET', d.links.files)).body.entries).toEqual([]);
  });

  test('multipart refused (Zenodo): init 201, then parts and commit 403 "Permission denied."; delete 204', async () => {
    await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipart: false }) });
    try {
      const d = await draft();
      const r = await call('POST', d.links.files, { body: [{ key: 'z.bin', size: 100, transfer: { type: 'M', parts: 2, part_size: 64 } }] });
      expect(r.status).toBe(FILES.multipartRefused.init);
      const e = r.body.entries[0];
      const part = await call('PUT', e.links.parts[0].url, { raw: partData(64, 0) });
      expect(part.status).toBe(FILES.multipartRefused.part);
      expect(part.body).toEqual({ status: 403, message: FILES.multipartRefused.message });
      expect((await call('POST', e.links.commit)).status).toBe(FILES.multipartRefused.commit);
      expect((await call('DELETE', e.links.self)).status).toBe(FILES.multipartRefused.delete);
      // one stream still works
      await addFile(d, 'z.bin', partData(100, 0));
    } finally {
      await fetch(`${emu.url}/_emulator/invenio/settings`, { method: 'POST', body: JSON.stringify({ multipart: true }) });
    }
  });

  test('multipart init without part_size (local storage) or parts: 400', async () => {
    const d = await draft();
    const noPartSize = await call('POST', d.links.files, { body: [{ key: 'a', size: 10, transfer: { type: 'M', parts: 1 } }] });
    expect(noPartSize.status).toBe(400);
    expect(noPartSize.body.message).toBe('Multipart file transfer to local storage requires part_size.');
    const noParts = await call('POST', d.links.files, { body: [{ key: 'a', size: 10, transfer: { type: 'M' } }] });
    expect(noParts.body.errors).toEqual([{ field: '0.transfer.parts', messages: ['Missing data for required field.'] }]);
  });
});
