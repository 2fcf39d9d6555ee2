// The emulator held to recorded facts of the real services (providers.md section 0, written down as
// fixtures in test/contract/<service>/*.json). The emulator is spoken to with plain HTTP, never through
// rdp's clients: this is what the real servers' code does, and the emulator must do the same by
// default. (OAuth and token facts: oauth-conformance.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT } from '../helpers/sandbox.js';

const fixture = <T>(rel: string): T => JSON.parse(readFileSync(join(ROOT, 'test', 'contract', rel), 'utf8')) as T;

interface Licenses {
  accepted: Record<string, string>;
  customOnly: string[];
  refused: string[];
  answeredAs: Record<string, string>;
  defaults: { dataset: string; otherwise: string };
  error: { status: number; field: string; messageFormat: string };
  objectForm: { example: { id: string }; status: number; storedAs: string };
}
const LIC = fixture<Licenses>('zenodo/licenses.json');
const DEP = fixture<{
  newVersionAgain: { status: number; message: string; errorField: string };
  newVersionOfOlderVersion: { status: number };
  linksLatest: { pathFormat: string; status: number; locationPathFormat: string };
  conceptIdAsDeposition: { status: number };
  listSize: { maxAuthenticated: number; overMaxStatus: number; overMaxMessage: string };
  unknownMetadataKey: { status: number; example: Record<string, unknown> };
  unknownTopLevelKey: { status: number; example: Record<string, unknown>; message: string };
  publishedDeposition: { publishAgain: number; put: number; delete: number };
  rateLimitHeaders: { headers: string[]; perMinuteAuthenticated: number };
  emptyFile: { status: number; message: string };
  discard: { status: number; emptyBody: boolean; neverPublishedAfterwards: number; publishedWithoutDraft: number };
  listSort: { mostrecentOrdersBy: string; unknown: { example: string; status: number; textContains: string } };
  editOfDraft: { status: number; publishedState: string };
}>('zenodo/deposit-api.json');
const MD = fixture<{
  resourceTypes: {
    uploadTypes: string[];
    publicationTypes: string[];
    imageTypes: string[];
    softwareTypes: string[];
    subtypeOptional: string[];
    unknown: { example: Record<string, string>; status: number; message: string; ignoredSubtype: Record<string, string> };
  };
  requiredAtPublish: {
    required: string[];
    notRequired: string[];
    status: number;
    message: string;
    errorFields: Record<string, string>;
    noFiles: { status: number; field: string; message: string };
  };
  minimumLength: { fields: Record<string, number>; status: number; message: string };
  embargoWithoutDate: { status: number; field: string; message: string };
  embargoInThePast: { status: number; field: string; message: string };
  publicationDate: { accepted: string[]; refused: string[]; status: number; field: string; message: string };
  relations: { accepted: string[]; refused: string[]; refusedResourceType: string; status: number; messageFormat: string };
  language: { accepted: string[]; refused: string[]; status: number; field: string; message: string };
  communities: { accepted: unknown[]; refused: unknown[]; status: number; field: string; message: string };
  contributorType: { accepted: string[]; refused: string; status: number; messageFormat: string; missingAtPublish: { field: string; message: string } };
}>('zenodo/metadata.json');
const ZOT = fixture<{
  writeTokenReused: { status: number; body: string; contentType: string };
  failedMessageEscaping: { example: { sent: string; answered: string } };
  maxItemsPerWrite: { limit: number; status: number; message: string };
  itemKeyAlphabet: string;
  itemKeyLength: number;
}>('zotero/items-api.json');
const NOMAD = fixture<{
  appToken: { path: string; maxSeconds: number; overMaxStatus: number };
  unpublishedUploadsPerUser: { limit: number; status: number; message: string };
  rawBodyNotAnArchive: { status: number; message: string };
}>('nomad/api.json');

/** The licence a record answers with, as the fixture records it. */
const answered = (stored: string) => (LIC.customOnly.includes(stored) ? undefined : (LIC.answeredAs[stored] ?? stored));

let emu: TestEmulator;
/** A second emulator with Zenodo's rate limit on (the first has it off for the sweeps). */
let limited: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  limited = await startTestEmulator();
});
afterAll(async () => {
  await emu.close();
  await limited.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // the JSON answer (fields are checked one by one)
  body: any;
}

async function call(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null; raw?: Uint8Array } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? emu.tokens.zenodo}`;
  let body: string | Uint8Array | undefined;
  if (opts.raw) body = opts.raw;
  else if (opts.body !== undefined) {
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

const META = { title: 'Tide gauges', upload_type: 'dataset', description: 'Daily readings.', creators: [{ name: 'Doe, Jane' }] };

describe('Zenodo: licences (Zenodo\'s own list, not all of SPDX)', () => {
  const deposit = () => `${emu.env.RDP_ZENODO_URL}/api/deposit/depositions`;

  test('the fixture is the recorded list: about 520 ids with aliases, cc-by means CC BY 4.0, unversioned NC/ND ids refused', () => {
    expect(Object.keys(LIC.accepted).length).toBeGreaterThan(500);
    expect(LIC.accepted['cc-by']).toBe('cc-by-4.0');
    expect(LIC.accepted['cc-zero']).toBe('cc0-1.0');
    for (const id of ['cc-by-nc', 'cc-by-nd', 'cc-by-nc-sa', 'cc-by-nc-nd']) expect(LIC.refused).toContain(id);
  });

  test('every accepted id, in any case, is taken and answered in Zenodo\'s spelling', async () => {
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const wrong: string[] = [];
    const ids = Object.entries(LIC.accepted);
    for (let i = 0; i < ids.length; i++) {
      const [id, stored] = ids[i] as [string, string];
      const sent = i % 2 ? id.toUpperCase() : id;
      const r = await call('PUT', d.links.self, { body: { metadata: { ...META, license: sent } } });
      if (r.status !== 200 || r.body.metadata.license !== answered(stored)) wrong.push(`${sent}: ${r.status} ${JSON.stringify(r.body?.metadata?.license)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('refused ids: 400 with the recorded message, on create and on update, and nothing is created', async () => {
    const before = (await call('GET', `${deposit()}?size=100`)).body.length;
    for (const id of LIC.refused) {
      const r = await call('POST', deposit(), { body: { metadata: { ...META, license: id } } });
      expect(r.status, id).toBe(LIC.error.status);
      expect(r.body.errors, id).toEqual([{ field: LIC.error.field, messages: [LIC.error.messageFormat.replace('{id}', id)] }]);
    }
    expect((await call('GET', `${deposit()}?size=100`)).body.length).toBe(before);
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const r = await call('PUT', d.links.self, { body: { metadata: { ...META, license: 'cc-by-nc' } } });
    expect(r.status).toBe(LIC.error.status);
  });

  test('a licence given as {"id": ...} is taken like the id itself', async () => {
    const r = await call('POST', deposit(), { body: { metadata: { ...META, license: LIC.objectForm.example } } });
    expect(r.status).toBe(LIC.objectForm.status);
    expect(r.body.metadata.license).toBe(answered(LIC.objectForm.storedAs));
  });

  test('metadata without a licence gets the recorded default (datasets cc0, the rest cc-by-4.0)', async () => {
    const ds = (await call('POST', deposit(), { body: { metadata: META } })).body;
    expect(ds.metadata.license).toBe(answered(LIC.defaults.dataset));
    const sw = (await call('POST', deposit(), { body: { metadata: { ...META, upload_type: 'software' } } })).body;
    expect(sw.metadata.license).toBe(answered(LIC.defaults.otherwise));
  });
});

describe('Zenodo: the deposit API', () => {
  const deposit = () => `${emu.env.RDP_ZENODO_URL}/api/deposit/depositions`;
  const api = () => `${emu.env.RDP_ZENODO_URL}/api`;

  async function published(files = ['a.txt']) {
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    for (const f of files) await call('PUT', `${d.links.bucket}/${f}`, { raw: new TextEncoder().encode(f) });
    const p = await call('POST', d.links.publish);
    expect(p.status).toBe(202);
    return p.body;
  }

  test('newversion again while the new-version draft is open: 400 "Please remove all files first."; latest_draft stays the record', async () => {
    const rec = await published();
    const first = await call('POST', rec.links.newversion);
    expect(first.status).toBe(201);
    expect(first.body.id).not.toBe(rec.id);
    const again = await call('POST', rec.links.newversion);
    expect(again.status).toBe(DEP.newVersionAgain.status);
    expect(again.text).toContain(DEP.newVersionAgain.message);
    expect(again.body.errors).toEqual([{ field: DEP.newVersionAgain.errorField, messages: [DEP.newVersionAgain.message] }]);
    const now = (await call('GET', rec.links.self)).body;
    expect(now.links.latest_draft).toBe(rec.links.self);
    expect(first.body.links.latest_draft).toBe(first.body.links.self);
    // the open draft is among the user's depositions: unsubmitted, same conceptrecid
    const all = (await call('GET', `${deposit()}?size=100&all_versions=true`)).body as { id: number; conceptrecid: string; submitted: boolean }[];
    expect(all.filter((d) => d.conceptrecid === rec.conceptrecid && !d.submitted).map((d) => d.id)).toEqual([first.body.id]);
  });

  test('newversion of an older version starts from the latest', async () => {
    const v1 = await published(['one.txt']);
    const v2draft = (await call('POST', v1.links.newversion)).body;
    await call('PUT', `${v2draft.links.bucket}/two.txt`, { raw: new TextEncoder().encode('two') });
    const v2 = (await call('POST', v2draft.links.publish)).body;
    const v3 = await call('POST', v1.links.newversion);
    expect(v3.status).toBe(DEP.newVersionOfOlderVersion.status);
    expect(v3.body.files.map((f: { filename: string }) => f.filename).sort()).toEqual(['one.txt', 'two.txt']);
    expect(v3.body.conceptrecid).toBe(v2.conceptrecid);
  });

  test('links.latest redirects to the latest version, for a record id and for a concept id; a concept id is no deposition', async () => {
    const v1 = await published();
    const v2 = (await call('POST', (await call('POST', v1.links.newversion)).body.links.publish)).body;
    expect(new URL(v1.links.latest).pathname).toBe(`/zenodo${DEP.linksLatest.pathFormat.replace('{id}', String(v1.id))}`);
    for (const id of [v1.id, v2.id, v1.conceptrecid]) {
      const r = await call('GET', `${api()}/records/${id}/versions/latest`, { token: null });
      expect(r.status, String(id)).toBe(DEP.linksLatest.status);
      expect(new URL(r.headers.get('location') ?? '', emu.url).pathname).toBe(`/zenodo${DEP.linksLatest.locationPathFormat.replace('{latestId}', String(v2.id))}`);
    }
    expect((await call('GET', `${deposit()}/${v1.conceptrecid}`)).status).toBe(DEP.conceptIdAsDeposition.status);
  });

  test('the list ignores status, and takes at most 100 a page', async () => {
    await published();
    await call('POST', deposit(), { body: {} });
    for (const status of ['draft', 'published', 'anything']) {
      const list = (await call('GET', `${deposit()}?status=${status}&size=100`)).body as { submitted: boolean }[];
      expect(list.some((d) => d.submitted), status).toBe(true);
      expect(list.some((d) => !d.submitted), status).toBe(true);
    }
    const over = await call('GET', `${deposit()}?size=${DEP.listSize.maxAuthenticated + 1}`);
    expect(over.status).toBe(DEP.listSize.overMaxStatus);
    expect(over.text).toContain(DEP.listSize.overMaxMessage);
  });

  test('unknown keys inside metadata are dropped; unknown top-level keys are 400', async () => {
    const ok = await call('POST', deposit(), { body: { metadata: { ...META, ...DEP.unknownMetadataKey.example } } });
    expect(ok.status).toBe(DEP.unknownMetadataKey.status);
    for (const k of Object.keys(DEP.unknownMetadataKey.example)) expect(ok.body.metadata).not.toHaveProperty(k);
    const bad = await call('POST', deposit(), { body: { metadata: META, ...DEP.unknownTopLevelKey.example } });
    expect(bad.status).toBe(DEP.unknownTopLevelKey.status);
    expect(bad.body.errors[0].messages).toEqual([DEP.unknownTopLevelKey.message]);
  });

  test('an empty file is refused (400 "Empty files are not accepted."); one already under its key stays', async () => {
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const empty = await call('PUT', `${d.links.bucket}/nothing.txt`, { raw: new Uint8Array(0) });
    expect(empty.status).toBe(DEP.emptyFile.status);
    expect(empty.body.message).toBe(DEP.emptyFile.message);
    expect((await call('PUT', `${d.links.bucket}/kept.txt`, { raw: new TextEncoder().encode('kept') })).status).toBe(201);
    expect((await call('PUT', `${d.links.bucket}/kept.txt`, { raw: new Uint8Array(0) })).status).toBe(DEP.emptyFile.status);
    const listed = (await call('GET', d.links.bucket)).body.contents as { key: string; size: number }[];
    expect(listed.map((f) => [f.key, f.size])).toEqual([['kept.txt', 4]]);
  });

  test('a published deposition: publish again, PUT and DELETE answer 404', async () => {
    const rec = await published();
    expect((await call('POST', rec.links.publish)).status).toBe(DEP.publishedDeposition.publishAgain);
    expect((await call('PUT', rec.links.self, { body: { metadata: META } })).status).toBe(DEP.publishedDeposition.put);
    expect((await call('DELETE', rec.links.self)).status).toBe(DEP.publishedDeposition.delete);
  });

  test('list sort: mostrecent is newest created first (a later change does not move a draft up); an unknown sort name is 400', async () => {
    const S = DEP.listSort;
    const older = (await call('POST', deposit(), { body: { metadata: META } })).body;
    await new Promise((r) => setTimeout(r, 5));
    const newer = (await call('POST', deposit(), { body: { metadata: META } })).body;
    await new Promise((r) => setTimeout(r, 5));
    await call('PUT', older.links.self, { body: { metadata: { ...META, title: 'Changed later' } } });
    const ids = ((await call('GET', `${deposit()}?sort=mostrecent&size=100`)).body as { id: number }[]).map((d) => d.id);
    expect(S.mostrecentOrdersBy).toBe('created');
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    const updated = ((await call('GET', `${deposit()}?sort=updated-desc&size=100`)).body as { id: number }[]).map((d) => d.id);
    expect(updated.indexOf(older.id)).toBeLessThan(updated.indexOf(newer.id));
    const bad = await call('GET', `${deposit()}?sort=${S.unknown.example}`);
    expect(bad.status).toBe(S.unknown.status);
    expect(bad.text).toContain(S.unknown.textContains.replace('{name}', S.unknown.example));
  });

  test('actions/edit: a draft is answered as it is (201); a published record gets its edit open', async () => {
    const E = DEP.editOfDraft;
    const draft = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const r = await call('POST', draft.links.edit);
    expect(r.status).toBe(E.status);
    expect(r.body).toMatchObject({ id: draft.id, state: 'unsubmitted', submitted: false });
    const rec = await published();
    const e = await call('POST', rec.links.edit);
    expect(e.status).toBe(E.status);
    expect(e.body.state).toBe(E.publishedState);
    expect((await call('POST', rec.links.edit)).status).toBe(E.status);
  });

  test('actions/discard is DELETE under another name: 204 with no body; a new draft is gone, an edit is dropped', async () => {
    const D = DEP.discard;
    const draft = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const r = await call('POST', draft.links.discard);
    expect(r.status).toBe(D.status);
    expect(r.text === '').toBe(D.emptyBody);
    expect((await call('GET', draft.links.self)).status).toBe(D.neverPublishedAfterwards);
    const rec = await published();
    expect((await call('POST', rec.links.discard)).status).toBe(D.publishedWithoutDraft);
    expect((await call('POST', rec.links.edit)).status).toBe(201);
    expect((await call('PUT', rec.links.self, { body: { metadata: { ...META, title: 'Edited title' } } })).status).toBe(200);
    const dropped = await call('POST', rec.links.discard);
    expect(dropped.status).toBe(D.status);
    const after = (await call('GET', rec.links.self)).body;
    expect(after).toMatchObject({ state: 'done', title: META.title });
  });

  test('every response carries the rate-limit headers and Retry-After; 100 a minute', async () => {
    const r = await call('GET', `${limited.env.RDP_ZENODO_URL}/api/deposit/depositions?size=1`, { token: limited.tokens.zenodo });
    expect(r.status).toBe(200);
    for (const h of DEP.rateLimitHeaders.headers) expect(r.headers.get(h), h).toMatch(/^\d+$/);
    expect(Number(r.headers.get('x-ratelimit-limit'))).toBe(DEP.rateLimitHeaders.perMinuteAuthenticated);
  });
});

describe('Zenodo: deposition metadata as zenodo-rdm loads and publishes it', () => {
  const deposit = () => `${emu.env.RDP_ZENODO_URL}/api/deposit/depositions`;
  const future = `${new Date().getUTCFullYear() + 2}-01-31`;
  /** A draft with one file, then its publish answer. */
  async function publishWith(metadata: Record<string, unknown>): Promise<Answer> {
    const d = await call('POST', deposit(), { body: { metadata } });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    await call('PUT', `${d.body.links.bucket}/a.txt`, { raw: new TextEncoder().encode('a') });
    return call('POST', d.body.links.publish);
  }

  test('every recorded upload type and subtype is taken; publication and image need no subtype', async () => {
    const R = MD.resourceTypes;
    const combos: Record<string, unknown>[] = [
      ...R.uploadTypes.map((t) => ({ upload_type: t })),
      ...R.publicationTypes.map((t) => ({ upload_type: 'publication', publication_type: t })),
      ...R.imageTypes.map((t) => ({ upload_type: 'image', image_type: t })),
      ...R.softwareTypes.map((t) => ({ upload_type: 'software', software_type: t })),
    ];
    const refused: string[] = [];
    for (const c of combos) {
      const r = await call('POST', deposit(), { body: { metadata: { ...META, ...c } } });
      if (r.status !== 201) refused.push(`${JSON.stringify(c)}: ${r.status}`);
    }
    expect(refused).toEqual([]);
    for (const t of R.subtypeOptional) expect((await publishWith({ ...META, upload_type: t })).status, t).toBe(202);
    const bad = await call('POST', deposit(), { body: { metadata: { ...META, ...R.unknown.example } } });
    expect(bad.status).toBe(R.unknown.status);
    expect(bad.body.message).toBe(R.unknown.message);
    expect((await call('POST', deposit(), { body: { metadata: { ...META, ...R.unknown.ignoredSubtype } } })).status).toBe(201);
  });

  test('publish requires upload_type, title and creators, not a description, a subtype or access conditions', async () => {
    const bare = await publishWith({ license: 'cc-by-4.0' });
    expect(bare.status).toBe(MD.requiredAtPublish.status);
    const fields = (bare.body.errors as { field: string; messages: string[] }[]).map((e) => e.field);
    for (const f of MD.requiredAtPublish.required) expect(fields, f).toContain(MD.requiredAtPublish.errorFields[f]);
    expect(fields).not.toContain('metadata.upload_type');
    for (const f of MD.requiredAtPublish.notRequired) expect(fields, f).not.toContain(`metadata.${f}`);
    expect(bare.body.errors[0].messages).toEqual([MD.requiredAtPublish.message]);
    const N = MD.requiredAtPublish.noFiles;
    const empty = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const nofiles = await call('POST', empty.links.publish);
    expect(nofiles.status).toBe(N.status);
    expect(nofiles.body.errors).toEqual([{ field: N.field, messages: [N.message] }]);
    const { description: _d, ...noDescription } = META;
    expect((await publishWith({ ...noDescription, access_right: 'restricted' })).status).toBe(202);
  });

  test('a title or description under 3 characters: the draft keeps it, publishing answers 400', async () => {
    for (const [field, min] of Object.entries(MD.minimumLength.fields)) {
      const r = await publishWith({ ...META, [field]: 'x'.repeat(min - 1) });
      expect(r.status, field).toBe(MD.minimumLength.status);
      expect(r.body.errors, field).toEqual([{ field: `metadata.${field}`, messages: [MD.minimumLength.message] }]);
    }
  });

  test('publication_date: an EDTF level 0 date or interval publishes; other text is kept in the draft and refused at publish', async () => {
    const P = MD.publicationDate;
    for (const v of P.accepted) expect((await publishWith({ ...META, publication_date: v })).status, v).toBe(202);
    for (const v of P.refused) {
      const r = await publishWith({ ...META, publication_date: v });
      expect(r.status, v).toBe(P.status);
      expect(r.body.errors, v).toEqual([{ field: P.field, messages: [P.message] }]);
    }
  });

  test('relations: DataCite\'s, in any case; an unknown relation or related resource type is 400 "Invalid value <id>."', async () => {
    const R = MD.relations;
    const rel = (relation: string, extra: Record<string, unknown> = {}) => ({ ...META, related_identifiers: [{ identifier: '10.1234/abc', relation, ...extra }] });
    for (const r of R.accepted) expect((await call('POST', deposit(), { body: { metadata: rel(r) } })).status, r).toBe(201);
    for (const r of R.refused) {
      const a = await call('POST', deposit(), { body: { metadata: rel(r) } });
      expect(a.status, r).toBe(R.status);
      expect(a.body.message, r).toBe(R.messageFormat.replace('{id}', r.toLowerCase()));
    }
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const bad = await call('PUT', d.links.self, { body: { metadata: rel('isPartOf', { resource_type: R.refusedResourceType }) } });
    expect(bad.status).toBe(R.status);
    expect(bad.body.message).toBe(R.messageFormat.replace('{id}', R.refusedResourceType));
    expect((await call('PUT', d.links.self, { body: { metadata: rel('isPartOf', { resource_type: 'publication-datamanagementplan' }) } })).status).toBe(200);
  });

  test('communities: a list of {identifier} objects; anything else is 400 on the field communities', async () => {
    const C = MD.communities;
    for (const v of C.accepted) expect((await call('POST', deposit(), { body: { metadata: { ...META, communities: v } } })).status, JSON.stringify(v)).toBe(201);
    for (const v of C.refused) {
      const r = await call('POST', deposit(), { body: { metadata: { ...META, communities: v } } });
      expect(r.status, JSON.stringify(v)).toBe(C.status);
      expect(r.body.errors, JSON.stringify(v)).toEqual([{ field: C.field, messages: [C.message] }]);
    }
  });

  test('contributor type: a role in any case; an unknown one is 400 on save; none is saved and refused at publish', async () => {
    const C = MD.contributorType;
    const withType = (type?: string) => ({ ...META, contributors: [{ name: 'Roe, Rita', ...(type === undefined ? {} : { type }) }] });
    for (const t of C.accepted) expect((await call('POST', deposit(), { body: { metadata: withType(t) } })).status, t).toBe(201);
    const bad = await call('POST', deposit(), { body: { metadata: withType(C.refused) } });
    expect(bad.status).toBe(C.status);
    expect(bad.body.message).toBe(C.messageFormat.replace('{type}', C.refused.toLowerCase()));
    const untyped = await publishWith(withType());
    expect(untyped.status).toBe(C.status);
    expect(untyped.body.errors).toEqual([{ field: C.missingAtPublish.field, messages: [C.missingAtPublish.message] }]);
  });

  test('language: a 2- or 3-letter code; other text is 400 on create', async () => {
    const L = MD.language;
    for (const v of L.accepted) expect((await call('POST', deposit(), { body: { metadata: { ...META, language: v } } })).status, v).toBe(201);
    for (const v of L.refused) {
      const r = await call('POST', deposit(), { body: { metadata: { ...META, language: v } } });
      expect(r.status, v).toBe(L.status);
      expect(r.body.errors, v).toEqual([{ field: L.field, messages: [L.message] }]);
    }
  });

  test('embargoed without embargo_date: 400 on create and update; an embargo date not in the future fails at publish', async () => {
    const E = MD.embargoWithoutDate;
    const create = await call('POST', deposit(), { body: { metadata: { ...META, access_right: 'embargoed' } } });
    expect(create.status).toBe(E.status);
    expect(create.body.errors).toEqual([{ field: E.field, messages: [E.message] }]);
    const d = (await call('POST', deposit(), { body: { metadata: META } })).body;
    const update = await call('PUT', d.links.self, { body: { metadata: { ...META, access_right: 'embargoed' } } });
    expect(update.status).toBe(E.status);
    expect((await call('PUT', d.links.self, { body: { metadata: { ...META, access_right: 'embargoed', embargo_date: future } } })).status).toBe(200);
    const past = await publishWith({ ...META, access_right: 'embargoed', embargo_date: '2020-01-01' });
    expect(past.status).toBe(MD.embargoInThePast.status);
    expect(past.body.errors).toEqual([{ field: MD.embargoInThePast.field, messages: [MD.embargoInThePast.message] }]);
    expect((await publishWith({ ...META, access_right: 'embargoed', embargo_date: future })).status).toBe(202);
  });
});

describe('Zotero: item writes', () => {
  const items = () => `${emu.env.RDP_ZOTERO_URL}/users/${emu.info.zotero.userID}/items`;
  const write = (body: unknown, token: string) =>
    call('POST', items(), { body, token: emu.tokens.zotero, headers: { 'zotero-api-version': '3', 'zotero-write-token': token } });
  const token = () => Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);

  test('a reused write token: 412 "Write token already used" (plain text), and nothing is written twice', async () => {
    const t = token();
    const first = await write([{ itemType: 'dataset', title: 'Once' }], t);
    expect(first.status).toBe(200);
    const key = first.body.successful['0'].key as string;
    expect(key).toMatch(new RegExp(`^[${ZOT.itemKeyAlphabet}]{${ZOT.itemKeyLength}}$`));
    const again = await write([{ itemType: 'dataset', title: 'Once' }], t);
    expect(again.status).toBe(ZOT.writeTokenReused.status);
    expect(again.text).toBe(ZOT.writeTokenReused.body);
    expect(again.headers.get('content-type')).toMatch(ZOT.writeTokenReused.contentType);
    const list = await call('GET', `${items()}?itemType=dataset&limit=100`, { token: emu.tokens.zotero });
    expect((list.body as { data: { title: string } }[]).filter((i) => i.data.title === 'Once')).toHaveLength(1);
  });

  test('a refused write does not use up its token; more than 50 items is 413', async () => {
    const t = token();
    const many = Array.from({ length: ZOT.maxItemsPerWrite.limit + 1 }, () => ({ itemType: 'dataset', title: 'x' }));
    const r = await write(many, t);
    expect(r.status).toBe(ZOT.maxItemsPerWrite.status);
    expect(r.text).toBe(ZOT.maxItemsPerWrite.message);
    expect((await write([{ itemType: 'dataset', title: 'after 413' }], t)).status).toBe(200);
  });

  test('failed[].message is HTML-escaped as htmlspecialchars(ENT_COMPAT) does', async () => {
    const { sent, answered } = ZOT.failedMessageEscaping.example;
    const field = /'(.*)' for item type/.exec(sent)?.[1] as string;
    const r = await write([{ itemType: 'dataset', [field]: 'x' }], token());
    expect(r.status).toBe(200);
    expect(r.body.failed['0'].message).toBe(answered);
  });
});

describe('NOMAD', () => {
  const api = () => emu.env.RDP_NOMAD_URL as string;

  test('app tokens live at most 30 days (2592000 s)', async () => {
    const ok = await call('GET', `${api()}${NOMAD.appToken.path}?expires_in=${NOMAD.appToken.maxSeconds}`, { token: emu.tokens.nomad });
    expect(ok.status).toBe(200);
    const over = await call('GET', `${api()}${NOMAD.appToken.path}?expires_in=${NOMAD.appToken.maxSeconds + 1}`, { token: emu.tokens.nomad });
    expect(over.status).toBe(NOMAD.appToken.overMaxStatus);
  });

  test('a raw body that is not a zip or tar needs a file name (decided by content)', async () => {
    const r = await call('POST', `${api()}/uploads`, { token: emu.tokens.nomad, raw: new TextEncoder().encode('plain text, named nothing'), headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status).toBe(NOMAD.rawBodyNotAnArchive.status);
    expect(r.body.detail).toBe(NOMAD.rawBodyNotAnArchive.message);
  });

  test('at most 10 unpublished uploads per user', async () => {
    const make = () => call('POST', `${api()}/uploads?file_name=x.txt`, { token: emu.tokens.nomad, raw: new TextEncoder().encode('x'), headers: { 'content-type': 'application/octet-stream' } });
    const statuses: number[] = [];
    for (let i = 0; i < NOMAD.unpublishedUploadsPerUser.limit + 1; i++) statuses.push((await make()).status);
    const refused = await make();
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(NOMAD.unpublishedUploadsPerUser.limit);
    expect(refused.status).toBe(NOMAD.unpublishedUploadsPerUser.status);
    expect(refused.body.detail).toBe(NOMAD.unpublishedUploadsPerUser.message);
  });
});
