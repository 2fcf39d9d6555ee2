// The emulator held to the recorded facts of the services that `rdp publish` links (fixtures in
// test/contract/{dmptool/related-identifiers,orcid/works,nomad/datasets,zenodo/prereserve}.json,
// written from the services' server code; providers.md section 0). Spoken to with plain HTTP, never
// through rdp's clients.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signJwtHS256 } from '../../src/emulator/tokens.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT } from '../helpers/sandbox.js';

type Any = any;
const fixture = (rel: string): Any => JSON.parse(readFileSync(join(ROOT, 'test', 'contract', rel), 'utf8'));
const REL = fixture('dmptool/related-identifiers.json');
const WORKS = fixture('orcid/works.json');
const DS = fixture('nomad/datasets.json');
const PRE = fixture('zenodo/prereserve.json');

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
});
afterAll(async () => {
  await emu.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Any;
}

async function call(method: string, url: string, opts: { json?: unknown; raw?: string | Uint8Array; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined = opts.raw;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
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

const control = (path: string, json: unknown) => call('POST', `${emu.url}/_emulator${path}`, { json });

describe('DMPTool: POST /api/v2/related_identifiers', () => {
  const base = () => emu.env.RDP_DMPTOOL_URL as string;
  const url = () => `${base()}${REL.path}`;
  const tokenWith = async (scopes: string[]) => (await control('/tokens', { service: 'dmptool', scopes, kind: 'oauth' })).body.token as string;
  const body = (planId: number | string, items: unknown[]) => ({ dmp: { dmp_id: { type: 'url', identifier: `${base()}/api/v2/plans/${planId}` }, dmproadmap_related_identifiers: items } });
  const doiItem = (doi: string, extra: Record<string, unknown> = {}) => ({ descriptor: 'is_referenced_by', type: 'doi', work_type: 'dataset', identifier: `https://doi.org/${doi}`, ...extra });
  const firstPlan = async (token: string) => {
    const list = await call('GET', `${base()}/api/v2/plans`, { token });
    return Number(/\/plans\/(\d+)$/.exec(list.body.items[0].dmp.dmproadmap_links.get)?.[1]);
  };

  test('201 with the envelope and the whole plan; GET lists it with the stored descriptor; the same identifier again is skipped', async () => {
    const token = await tokenWith(['public', 'read_dmps', 'edit_dmps']);
    const id = await firstPlan(token);
    const before = (await call('GET', `${base()}/api/v2/plans/${id}`, { token })).body.items[0].dmp;
    const r = await call('POST', url(), { token, json: body(id, [doiItem('10.5281/zenodo.1234567')]) });
    expect(r.status).toBe(REL.created.status);
    expect(r.body).toMatchObject(REL.created.envelope);
    expect(Object.keys(r.body.items[0])).toEqual(REL.created.itemKeys);
    const related = r.body.items[0].dmp.dmproadmap_related_identifiers;
    expect(related).toEqual([{ descriptor: REL.storedDescriptor.stored, type: 'doi', identifier: 'https://doi.org/10.5281/zenodo.1234567', work_type: 'dataset' }]);
    expect(Object.keys(related[0]).sort()).toEqual([...REL.created.relatedKeys].sort());
    const got = (await call('GET', `${base()}/api/v2/plans/${id}`, { token })).body.items[0].dmp;
    expect(got.dmproadmap_related_identifiers).toEqual(related);
    expect(got.modified >= before.modified).toBe(true);
    // idempotent
    const again = await call('POST', url(), { token, json: body(id, [doiItem('10.5281/zenodo.1234567', { descriptor: 'cites' })]) });
    expect(again.status).toBe(REL.idempotent.status);
    expect(again.body.items[0].dmp.dmproadmap_related_identifiers.filter((x: Any) => x.identifier === 'https://doi.org/10.5281/zenodo.1234567')).toHaveLength(REL.idempotent.listedTimes);
  });

  test('the type is detected from the value; an unknown work_type becomes dataset', async () => {
    const token = await tokenWith(['public', 'read_dmps', 'edit_dmps']);
    const id = await firstPlan(token);
    const values = Object.keys(REL.storedDescriptor.typeDetectedFromValue);
    const r = await call('POST', url(), { token, json: body(id, values.map((v) => ({ descriptor: 'references', type: 'url', identifier: v, work_type: REL.workTypeFallback.sent }))) });
    expect(r.status).toBe(201);
    const related = r.body.items[0].dmp.dmproadmap_related_identifiers as Any[];
    for (const v of values) {
      const hit = related.find((x) => x.identifier === v);
      expect(hit?.type, v).toBe(REL.storedDescriptor.typeDetectedFromValue[v]);
      expect(hit?.work_type).toBe(REL.workTypeFallback.stored);
    }
  });

  test('without edit_dmps: 403 with an empty body, and nothing is added', async () => {
    const token = await tokenWith(['public', 'read_dmps']);
    const id = await firstPlan(token);
    const r = await call('POST', url(), { token, json: body(id, [doiItem('10.5281/zenodo.999')]) });
    expect(r.status).toBe(REL.missingScope.status);
    expect(r.text).toBe(REL.missingScope.body);
    const got = (await call('GET', `${base()}/api/v2/plans/${id}`, { token })).body.items[0].dmp;
    expect(JSON.stringify(got.dmproadmap_related_identifiers ?? [])).not.toContain('zenodo.999');
  });

  test('400s: not JSON (even before the scope check), no dmp, a missing field (errors nested)', async () => {
    const edit = await tokenWith(['public', 'read_dmps', 'edit_dmps']);
    const read = await tokenWith(['public', 'read_dmps']);
    const bad = await call('POST', url(), { token: read, raw: '{not json', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(REL.badJson.status);
    expect(bad.body.errors).toEqual(REL.badJson.errors);
    const noDmp = await call('POST', url(), { token: edit, json: { plan: {} } });
    expect(noDmp.status).toBe(REL.noDmp.status);
    expect(noDmp.body.errors).toEqual(REL.noDmp.errors);
    const id = await firstPlan(edit);
    const missing = await call('POST', url(), { token: edit, json: body(id, [{ descriptor: 'is_referenced_by', identifier: 'https://doi.org/10.1/x' }]) });
    expect(missing.status).toBe(REL.missingField.status);
    expect(missing.body.errors).toEqual(REL.missingField.errors);
  });

  test('404 Plan not found; 500 for a descriptor or type outside the vocabulary, with nothing saved', async () => {
    const token = await tokenWith(['public', 'read_dmps', 'edit_dmps']);
    const none = await call('POST', url(), { token, json: body(987654321, [doiItem('10.1/x')]) });
    expect(none.status).toBe(REL.planNotFound.status);
    expect(none.body.errors).toEqual(REL.planNotFound.errors);
    const noId = await call('POST', url(), { token, json: { dmp: { dmproadmap_related_identifiers: [doiItem('10.1/x')] } } });
    expect(noId.status).toBe(404);
    const id = await firstPlan(token);
    for (const wrong of REL.outsideVocabulary.examples) {
      const r = await call('POST', url(), { token, json: body(id, [doiItem('10.5281/zenodo.55'), doiItem('10.5281/zenodo.56', wrong)]) });
      expect(r.status, JSON.stringify(wrong)).toBe(REL.outsideVocabulary.status);
      expect(r.body.errors).toEqual(REL.outsideVocabulary.errors);
    }
    const got = (await call('GET', `${base()}/api/v2/plans/${id}`, { token })).body.items[0].dmp;
    expect(JSON.stringify(got.dmproadmap_related_identifiers ?? [])).not.toContain('zenodo.55');
  });

  test('edit_dmps only for a client an administrator enabled it for: others get invalid_scope', async () => {
    const ask = async (clientId: string, scope: string) => {
      // DMPTool's clients register the out-of-band URI (production refuses http: redirects)
      const q = new URLSearchParams({ client_id: clientId, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', response_type: 'code', scope });
      return call('GET', `${base()}/oauth/authorize?${q}`);
    };
    const plain = emu.env.RDP_DMPTOOL_CLIENT_ID as string;
    const refused = await ask(plain, 'public read_dmps edit_dmps');
    // Doorkeeper does not redirect an error to the out-of-band URI: it answers it (400, JSON)
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe(REL.missingScope.askingBeyondClientScopes);
    expect((await ask(plain, REL.missingScope.clientDefaultScopes.join(' '))).status).toBe(200);
    const admin = await control('/dmptool/api-clients', { scopes: ['public', 'read_dmps', 'edit_dmps'] });
    expect(admin.status).toBe(201);
    expect((await ask(admin.body.clientId, 'public read_dmps edit_dmps')).status).toBe(200);
    // client credentials: the same rule
    const cc = (id: string, secret: string) =>
      call('POST', `${base()}/oauth/token`, { raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'public edit_dmps' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await cc(plain, emu.env.RDP_DMPTOOL_CLIENT_SECRET as string)).body.error).toBe('invalid_scope');
    const ok = await cc(admin.body.clientId, admin.body.clientSecret);
    expect(ok.status).toBe(200);
    expect(ok.body.scope).toBe('public edit_dmps');
  });
});

describe('ORCID: works on the Member API', () => {
  const base = () => emu.env.RDP_ORCID_URL as string;
  const orcid = () => emu.info.orcid.orcid as string;
  const work = (doi: string) => JSON.parse(JSON.stringify(WORKS.request.example).replaceAll('10.5281/zenodo.1234567', doi));
  const post = (token: string, body: unknown, type = WORKS.contentTypes[0]) => call('POST', `${base()}/v3.0/${orcid()}/work`, { token, json: body, headers: { 'content-type': type, accept: 'application/vnd.orcid+json' } });
  let member: { clientId: string; clientSecret: string };
  const memberToken = async (scopes?: string[]) => (await control(`/orcid/member-clients/${member.clientId}/tokens`, scopes ? { scopes } : {})).body.token as string;

  beforeAll(async () => {
    member = (await control('/orcid/member-clients', { redirectUris: ['https://example.org/orcid/callback'], name: 'rdp member test' })).body;
  });

  test('201 with an empty body and a Location naming the put-code; GET shows the work', async () => {
    const token = await memberToken();
    for (const type of WORKS.contentTypes) {
      const doi = `10.5281/zenodo.7${WORKS.contentTypes.indexOf(type)}`;
      const r = await post(token, work(doi), type);
      expect(r.status, type).toBe(WORKS.created.status);
      expect(r.text).toBe(WORKS.created.body);
      const loc = r.headers.get('location') as string;
      const path = WORKS.created.locationPathFormat.replace('{orcid}', orcid()).replace('{putCode}', '(\\d+)');
      const m = new RegExp(`${path}$`).exec(new URL(loc).pathname);
      expect(m, loc).not.toBeNull();
      const got = await call('GET', loc, { token });
      expect(got.status).toBe(200);
      expect(got.body['put-code']).toBe(Number(m?.[1]));
      expect(got.body.type).toBe('data-set');
      expect(got.body['external-ids']['external-id'][0]['external-id-value']).toBe(doi);
    }
    const all = await call('GET', `${base()}/v3.0/${orcid()}/works`, { token });
    expect(all.body.group.length).toBeGreaterThanOrEqual(WORKS.contentTypes.length);
  });

  test('409 for the same DOI from the same client (in another spelling too), naming the put-code; another client may add it', async () => {
    const token = await memberToken();
    const first = await post(token, work('10.5281/zenodo.4242'));
    const putCode = /(\d+)$/.exec(first.headers.get('location') as string)?.[1];
    const again = await post(token, work('10.5281/ZENODO.4242'));
    expect(again.status).toBe(WORKS.duplicate.status);
    expect(again.body['error-code']).toBe(WORKS.duplicate.errorCode);
    expect(again.body['developer-message']).toBe(WORKS.duplicate.developerMessageFormat.replace('{putCode}', putCode));
    for (const k of WORKS.errorKeys) expect(again.body).toHaveProperty(k);
    const other = (await control('/orcid/member-clients', { redirectUris: ['https://other.example/cb'] })).body;
    const otherToken = (await control(`/orcid/member-clients/${other.clientId}/tokens`, {})).body.token;
    expect((await post(otherToken, work('10.5281/zenodo.4242'))).status).toBe(201);
  });

  test('403 (9038) for a member token without /activities/update; 401 (9017) for a public client token', async () => {
    const readOnly = await memberToken(['/read-limited']);
    const r = await post(readOnly, work('10.5281/zenodo.5151'));
    expect(r.status).toBe(WORKS.missingScope.status);
    expect(r.body['error-code']).toBe(WORKS.missingScope.errorCode);
    expect(r.body['developer-message']).toBe(WORKS.missingScope.developerMessage);
    const pub = await post(emu.tokens.orcid, work('10.5281/zenodo.5151'));
    expect(pub.status).toBe(WORKS.publicClientToken.status);
    expect(pub.body['error-code']).toBe(WORKS.publicClientToken.errorCode);
    expect(pub.body['developer-message']).toBe(WORKS.publicClientToken.developerMessage);
  });

  test('validation: no title, a bad type, no external ids', async () => {
    const token = await memberToken();
    const noTitle = work('10.5281/zenodo.61');
    delete noTitle.title;
    const badType = { ...work('10.5281/zenodo.62'), type: 'dataset' };
    const noIds = { ...work('10.5281/zenodo.63'), 'external-ids': { 'external-id': [] } };
    for (const [name, body] of [['noTitle', noTitle], ['badType', badType], ['noExternalIds', noIds]] as const) {
      const r = await post(token, body);
      expect(r.status, name).toBe(WORKS.validation[name].status);
      expect(r.body['error-code'], name).toBe(WORKS.validation[name].errorCode);
    }
  });

  test('/activities/update only for member clients (public: invalid_scope); member redirect URIs must be https://', async () => {
    const ask = (clientId: string, redirect: string, scope: string) =>
      call('GET', `${base()}/oauth/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: redirect, response_type: 'code', scope })}`);
    const pub = await ask(emu.env.RDP_ORCID_CLIENT_ID as string, 'http://127.0.0.1:4567/callback', '/read-limited /activities/update');
    expect(pub.status).toBe(302);
    expect(new URL(pub.headers.get('location') as string).searchParams.get('error')).toBe(WORKS.publicClientAsksMemberScope.error);
    expect((await ask(member.clientId, 'https://example.org/orcid/callback', '/read-limited /activities/update')).status).toBe(200);
    const http = await control('/orcid/member-clients', { redirectUris: ['http://127.0.0.1/callback'] });
    expect(http.status).toBe(400);
    expect(http.text).toContain('https://');
    for (const s of WORKS.publicClientAsksMemberScope.memberScopes) {
      const r = await ask(emu.env.RDP_ORCID_CLIENT_ID as string, 'http://127.0.0.1:4567/callback', s);
      expect(new URL(r.headers.get('location') as string).searchParams.get('error'), s).toBe('invalid_scope');
    }
  });
});

describe('NOMAD: datasets and DOIs', () => {
  const api = () => emu.env.RDP_NOMAD_URL as string;
  const token = () => emu.tokens.nomad;
  const waitIdle = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const u = (await call('GET', `${api()}/uploads/${id}`, { token: token() })).body.data;
      if (!u.process_running) return u;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`upload ${id} kept processing`);
  };
  /** An upload with one entry; published unless told otherwise. */
  const upload = async (publish = true) => {
    const r = await call('POST', `${api()}/uploads?file_name=run.archive.json`, { token: token(), raw: '{"results": {}}', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' } });
    const id = r.body.upload_id as string;
    await waitIdle(id);
    if (publish) {
      await call('POST', `${api()}/uploads/${id}/action/publish`, { token: token() });
      await waitIdle(id);
    }
    return id;
  };
  let n = 0;
  const name = () => `conformance dataset ${++n}`;

  test('create: POST /datasets/ answers 200 {dataset_id, data}; without the slash 307; a taken name 400', async () => {
    const nm = name();
    const r = await call('POST', `${api()}${DS.create.path}`, { token: token(), json: { dataset_name: nm, dataset_type: 'owned' } });
    expect(r.status).toBe(DS.create.status);
    expect(Object.keys(r.body).sort()).toEqual([...DS.create.keys].sort());
    for (const k of DS.create.dataKeys) expect(r.body.data).toHaveProperty(k);
    expect(r.body.data.dataset_name).toBe(nm);
    const noSlash = await call('POST', `${api()}/datasets`, { token: token(), json: { dataset_name: name() } });
    expect(noSlash.status).toBe(DS.create.withoutSlashStatus);
    expect(noSlash.headers.get('location')).toBe(`${api()}/datasets/`);
    const taken = await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: nm } });
    expect(taken.status).toBe(DS.nameTaken.status);
    expect(taken.body.detail).toBe(DS.nameTaken.detail);
    const got = await call('GET', `${api()}/datasets/${r.body.dataset_id}`);
    expect(got.status).toBe(DS.get.status);
    expect(got.body.data.dataset_id).toBe(r.body.dataset_id);
    const unknown = await call('GET', `${api()}/datasets/nope`);
    expect(unknown.status).toBe(DS.get.unknown.status);
    expect(unknown.body.detail).toBe(DS.get.unknown.detail);
  });

  test('edit a published upload into a dataset (a background process), then its DOI; a second DOI 400', async () => {
    const id = await upload();
    const ds = (await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: name() } })).body;
    const empty = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(empty.status).toBe(DS.doi.empty.status);
    expect(empty.body.detail).toBe(DS.doi.empty.detail);
    const edit = await call('POST', `${api()}/uploads/${id}/edit`, { token: token(), json: { metadata: { datasets: { add: [ds.dataset_id] } } } });
    expect(edit.status).toBe(DS.edit.status);
    expect(edit.body.data.process_running).toBe(true);
    expect(edit.body.data.current_process).toBe(DS.edit.process);
    const busy = await call('POST', `${api()}/uploads/${id}/edit`, { token: token(), json: { metadata: { datasets: { add: [ds.dataset_id] } } } });
    expect(busy.status).toBe(DS.edit.busy.status);
    expect(busy.body.detail).toBe(DS.edit.busy.detailFormat.replace('{id}', id));
    const done = await waitIdle(id);
    expect(done.process_status).toBe('SUCCESS');
    const minted = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(minted.status).toBe(DS.doi.status);
    expect(minted.body.data.doi).toMatch(new RegExp(DS.doi.format));
    expect((await call('GET', `${api()}/datasets/${ds.dataset_id}`)).body.data.doi).toBe(minted.body.data.doi);
    const again = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(again.status).toBe(DS.doi.alreadyHasDoi.status);
    expect(again.body.detail).toBe(DS.doi.alreadyHasDoi.detail);
  });

  test('the search API counts the entries that carry a dataset (datasets.dataset_id), per upload', async () => {
    const [inside, outside] = [await upload(), await upload()];
    const ds = (await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: name() } })).body;
    await call('POST', `${api()}/uploads/${inside}/edit`, { token: token(), json: { metadata: { datasets: { add: [ds.dataset_id] } } } });
    await waitIdle(inside);
    const count = async (query: Record<string, string>, auth = true) =>
      call('POST', `${api()}${DS.search.path}`, { token: auth ? token() : undefined, json: { owner: 'user', query, pagination: { page_size: 1 } } });
    const r = await count({ upload_id: inside, [DS.search.datasetQuantity]: ds.dataset_id });
    expect(r.status).toBe(DS.search.status);
    expect(Object.keys(r.body).sort()).toEqual([...DS.search.keys].sort());
    expect(r.body.pagination[DS.search.paginationTotal]).toBe(1);
    expect(r.body.data).toHaveLength(1);
    expect((await count({ upload_id: inside })).body.pagination.total).toBe(1);
    expect((await count({ upload_id: outside, [DS.search.datasetQuantity]: ds.dataset_id })).body.pagination.total).toBe(0);
    expect((await count({ upload_id: inside }, false)).status).toBe(DS.search.userWithoutLogin.status);
  });

  test('created with a query on the upload id: holds its entries at once; unpublished entries refuse a DOI', async () => {
    const id = await upload(false);
    const ds = (await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: name(), query: { upload_id: id } } })).body;
    const r = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(r.status).toBe(DS.doi.unpublished.status);
    expect(r.body.detail).toBe(DS.doi.unpublished.detail);
  });

  test('edit refusals (422): set on datasets, an unknown dataset, another user\'s dataset; DOI: unknown 404, not the owner 401', async () => {
    const id = await upload();
    const mine = (await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: name() } })).body;
    const other = signJwtHS256({ user: 'someone-else', exp: Math.floor(Date.now() / 1000) + 600 }, emu.server.state.jwtSecret);
    const theirs = (await call('POST', `${api()}/datasets/`, { token: other, json: { dataset_name: 'theirs' } })).body;
    const edit = (datasets: unknown) => call('POST', `${api()}/uploads/${id}/edit`, { token: token(), json: { metadata: { datasets } } });
    const set = await edit({ set: [mine.dataset_id] });
    expect(set.status).toBe(DS.edit.setRefused.status);
    expect(set.body.detail[0].msg).toBe(DS.edit.setRefused.msg);
    const unknown = await edit({ add: ['no-such-dataset'] });
    expect(unknown.status).toBe(DS.edit.unknownDataset.status);
    expect(unknown.body.detail[0].msg).toBe(DS.edit.unknownDataset.msgFormat.replace('{ref}', 'no-such-dataset'));
    const foreign = await edit({ add: [theirs.dataset_id] });
    expect(foreign.status).toBe(DS.edit.foreignDataset.status);
    expect(foreign.body.detail[0].msg).toBe(DS.edit.foreignDataset.msgFormat.replace('{ref}', theirs.dataset_id));
    const nope = await call('POST', `${api()}/datasets/nope/action/doi`, { token: token() });
    expect(nope.status).toBe(DS.doi.unknown.status);
    expect(nope.body.detail).toBe(DS.doi.unknown.detail);
    const notOwner = await call('POST', `${api()}/datasets/${theirs.dataset_id}/action/doi`, { token: token() });
    expect(notOwner.status).toBe(DS.doi.notOwner.status);
    expect(notOwner.body.detail).toBe(DS.doi.notOwner.detail);
  });

  test('DataCite failing: 500 with the DOI written; asking again removes the dataset (400)', async () => {
    const id = await upload();
    const ds = (await call('POST', `${api()}/datasets/`, { token: token(), json: { dataset_name: name(), query: { upload_id: id } } })).body;
    await control('/faults', { service: 'nomad', action: 'datacite-error' });
    const r = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(r.status).toBe(DS.doi.dataciteFailed.status);
    expect(r.body.detail).toBe(DS.doi.dataciteFailed.detail);
    expect((await call('GET', `${api()}/datasets/${ds.dataset_id}`)).body.data.doi).toMatch(new RegExp(DS.doi.format));
    const again = await call('POST', `${api()}/datasets/${ds.dataset_id}/action/doi`, { token: token() });
    expect(again.status).toBe(DS.doi.dataciteFailed.again.status);
    expect(again.body.detail).toBe(DS.doi.dataciteFailed.again.detail);
    expect((await call('GET', `${api()}/datasets/${ds.dataset_id}`)).status).toBe(404);
  });
});

describe('Zenodo: the reserved DOI', () => {
  const deposit = () => `${emu.env.RDP_ZENODO_URL}/api/deposit/depositions`;
  const z = (method: string, url: string, opts: { json?: unknown; raw?: string } = {}) => call(method, url, { ...opts, token: emu.tokens.zenodo });
  const META = { title: 'Tide gauges', upload_type: 'dataset', description: 'Daily readings.', creators: [{ name: 'Doe, Jane' }] };
  const fmt = (f: string, v: Record<string, string | number>) => f.replace(/\{(\w+)\}/g, (_, k) => String(v[k]));

  test('every draft carries prereserve_doi from its id, asked for or not; a first draft has no doi or conceptdoi', async () => {
    for (const metadata of [META, { ...META, prereserve_doi: true }]) {
      const d = (await z('POST', deposit(), { json: { metadata } })).body;
      expect(d.metadata.prereserve_doi).toEqual({ doi: fmt(PRE.prereserveDoi.format.doi, { id: d.id }), recid: d.id });
      expect('doi' in d).toBe(PRE.newDraft.hasDoi);
      expect('conceptdoi' in d).toBe(PRE.newDraft.hasConceptDoi);
      expect(Boolean(d.conceptrecid)).toBe(PRE.newDraft.hasConceptRecid);
      expect((await z('GET', d.links.self)).body.metadata.prereserve_doi).toEqual(d.metadata.prereserve_doi);
    }
  });

  test('publishing mints the reserved DOI and the concept DOI; a new-version draft shows the concept DOI and its own reserved one', async () => {
    const d = (await z('POST', deposit(), { json: { metadata: META } })).body;
    await z('PUT', `${d.links.bucket}/a.txt`, { raw: 'a' });
    const p = (await z('POST', d.links.publish)).body;
    expect(p.doi).toBe(fmt(PRE.published.doiFormat, { id: d.id }));
    expect(p.doi).toBe(d.metadata.prereserve_doi.doi);
    expect(p.conceptdoi).toBe(fmt(PRE.published.conceptDoiFormat, { conceptrecid: d.conceptrecid }));
    const nv = (await z('POST', p.links.newversion)).body;
    expect('conceptdoi' in nv).toBe(PRE.newVersionDraft.hasConceptDoi);
    expect(nv.conceptdoi).toBe(p.conceptdoi);
    expect('doi' in nv).toBe(PRE.newVersionDraft.hasDoi);
    expect(nv.metadata.prereserve_doi).toEqual({ doi: fmt(PRE.prereserveDoi.format.doi, { id: nv.id }), recid: nv.id });
  });
});
