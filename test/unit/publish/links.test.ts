// The client pieces of `rdp publish` against the emulator, in-process over loopback, through rdp's
// HTTP layer with the same auth-failure mapping as a real run: DMPTool related identifiers, ORCID works,
// NOMAD datasets and DOIs, the Zotero library item, the Zenodo reserved DOIs; the permission cases (no
// edit_dmps, a public ORCID client), lost answers, and a chain of steps re-run after ORCID failed in
// the middle (only ORCID runs the second time).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { plansOf } from '../../../src/emulator/services/dmptool/data.js';
import { nomadDatasets } from '../../../src/emulator/services/nomad/datasets.js';
import { orcidWorks } from '../../../src/emulator/services/orcid/works.js';
import { zoteroLibrary } from '../../../src/emulator/services/zotero/items.js';
import { authError } from '../../../src/auth/credentials.js';
import { ApiError, AuthRequiredError, FailureError, NotFoundError } from '../../../src/errors/errors.js';
import { IO } from '../../../src/output/io.js';
import { linkDatasetToPlan, relatedIdentifierBody } from '../../../src/providers/dmptool/related.js';
import { HttpClient } from '../../../src/http/client.js';
import { ensureUploadDataset, mintDatasetDoi } from '../../../src/providers/nomad/datasets.js';
import { addDatasetWork, datasetWork, memberApiBase } from '../../../src/providers/orcid/works.js';
import { resolveEndpoints } from '../../../src/providers/endpoints.js';
import { getProvider } from '../../../src/providers/index.js';
import { reservedDois } from '../../../src/providers/zenodo/reserved-doi.js';
import { toDeposition } from '../../../src/providers/zenodo/types.js';
import { addLibraryItem } from '../../../src/providers/zotero/library.js';
import { type Clock, runSteps, type Step } from '../../../src/publish/steps.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

let emu: TestEmulator;
const agent = new Agent();
beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
});
afterAll(async () => {
  await agent.close();
  await emu.close();
});
afterEach(async () => {
  await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
});

/** An HttpClient as a real run builds it (apiClient): the token as a header, auth failures mapped. */
function client(id: string, token: string, env: Record<string, string> = {}): HttpClient {
  const p = getProvider(id);
  const endpoints = resolveEndpoints(p, { envUrl: emu.env[p.env.url] });
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {});
  return new HttpClient({
    service: { id: p.id, name: p.name, urlEnv: p.env.url },
    base: endpoints.api,
    log: io,
    errorBody: p.errorBody,
    signal: new AbortController().signal,
    dispatcher: async () => agent,
    env: { RDP_RETRY_BASE_MS: '1', ...env },
    auth: async () => p.auth.header(token),
    mapError: (status, parsed, res) => {
      const failure = p.auth.classify(status, parsed, res.headers);
      return failure ? authError(p, failure, status, { phase: 'use', cred: { source: 'env', envVar: p.env.token, endpoints }, scopes: res.scopes }) : undefined;
    },
  });
}

const control = async (path: string, body: unknown) => {
  const r = await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as Record<string, any>;
};
const fault = (rule: Record<string, unknown>) => control('/faults', rule);
const log = (service: string, method: string, pathRe: RegExp) => emu.server.state.log.filter((e) => e.service === service && e.method === method && pathRe.test(e.path));
const dmptoolToken = async (scopes: string[]) => (await control('/tokens', { service: 'dmptool', scopes, kind: 'oauth' })).token as string;
let doiSeq = 0;
const newDoi = () => `10.5281/zenodo.${900000 + ++doiSeq}`;

describe('DMPTool: the dataset DOI on the plan', () => {
  const planId = () => plansOf(emu.server.state).listFor({ token: '', service: 'dmptool', userId: '4711', scopes: [], kind: 'oauth' }, 'mine')[0]?.id as number;
  const onPlan = (id: number, doi: string) => (plansOf(emu.server.state).get(id)?.related ?? []).filter((r) => r.identifier === `https://doi.org/${doi}`);

  test('with edit_dmps: done, then already without a second POST; the plan lists it once', async () => {
    const http = client('dmptool', await dmptoolToken(['public', 'read_dmps', 'edit_dmps']));
    const doi = newDoi();
    const id = planId();
    expect(await linkDatasetToPlan(http, { planId: id, doi: `https://doi.org/${doi.toUpperCase()}` })).toEqual({ outcome: 'done', planId: id, identifier: `https://doi.org/${doi.toUpperCase()}` });
    const posts = log('dmptool', 'POST', /related_identifiers/).length;
    expect(await linkDatasetToPlan(http, { planId: id, doi })).toMatchObject({ outcome: 'already' });
    expect(log('dmptool', 'POST', /related_identifiers/).length).toBe(posts);
    expect(onPlan(id, doi.toUpperCase())).toHaveLength(1);
  });

  test('without edit_dmps: the typed needs-scope outcome (message and hint), nothing added', async () => {
    const http = client('dmptool', await dmptoolToken(['public', 'read_dmps']));
    const doi = newDoi();
    const r = await linkDatasetToPlan(http, { planId: planId(), doi });
    expect(r).toMatchObject({ outcome: 'needs-scope', scope: 'edit_dmps' });
    if (r.outcome !== 'needs-scope') throw new Error('unreachable');
    expect(r.message).toMatch(/edit_dmps/);
    expect(r.hint).toMatch(/administrator/);
    expect(onPlan(planId(), doi)).toHaveLength(0);
  });

  test('edit_dmps without read_dmps: cannot look first, the POST still adds it once (DMPTool skips a repeat)', async () => {
    const http = client('dmptool', await dmptoolToken(['edit_dmps']));
    const doi = newDoi();
    expect((await linkDatasetToPlan(http, { planId: planId(), doi })).outcome).toBe('done');
    expect((await linkDatasetToPlan(http, { planId: planId(), doi })).outcome).toBe('done');
    expect(onPlan(planId(), doi)).toHaveLength(1);
  });

  test('a lost answer (502 after DMPTool acted): the repeated POST is harmless', async () => {
    const http = client('dmptool', await dmptoolToken(['public', 'read_dmps', 'edit_dmps']));
    const doi = newDoi();
    await fault({ service: 'dmptool', method: 'POST', path: '/api/v2/related_identifiers', action: 'status-after', status: 502 });
    expect((await linkDatasetToPlan(http, { planId: planId(), doi })).outcome).toBe('done');
    expect(onPlan(planId(), doi)).toHaveLength(1);
  });

  test('an unknown plan: NotFoundError; a bad token: AuthRequiredError (exit 4); a 500: ApiError with a hint', async () => {
    const http = client('dmptool', await dmptoolToken(['public', 'read_dmps', 'edit_dmps']));
    await expect(linkDatasetToPlan(http, { planId: 999999, doi: newDoi() })).rejects.toBeInstanceOf(NotFoundError);
    const bad = client('dmptool', 'not-a-token');
    await expect(linkDatasetToPlan(bad, { planId: planId(), doi: newDoi() })).rejects.toMatchObject({ code: 'AUTH_REQUIRED', exitCode: 4 });
    await fault({ service: 'dmptool', method: 'POST', path: '/api/v2/related_identifiers', action: 'status', status: 500, times: 10 });
    const err = await linkDatasetToPlan(client('dmptool', await dmptoolToken(['public', 'read_dmps', 'edit_dmps']), { RDP_HTTP_RETRIES: '1' }), { planId: planId(), doi: newDoi() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).hint).toMatch(/dmptool\.org/);
    expect(() => relatedIdentifierBody('https://dmptool.org/', 5, '10.1/x')).not.toThrow();
    expect(relatedIdentifierBody('https://dmptool.org/', 5, '10.1/x')).toEqual({
      dmp: {
        dmp_id: { type: 'url', identifier: 'https://dmptool.org/api/v2/plans/5' },
        dmproadmap_related_identifiers: [{ descriptor: 'is_referenced_by', type: 'doi', work_type: 'dataset', identifier: 'https://doi.org/10.1/x' }],
      },
    });
  });
});

describe('ORCID: the record as a data-set work', () => {
  const orcid = () => emu.info.orcid.orcid as string;
  let member: { clientId: string };
  const memberToken = async (scopes?: string[]) => (await control(`/orcid/member-clients/${member.clientId}/tokens`, scopes ? { scopes } : {})).token as string;
  const worksWith = (doi: string) => [...orcidWorks(emu.server.state).works.values()].filter((w) => w.extIds.some((e) => e.value.toLowerCase() === doi.toLowerCase()));
  beforeAll(async () => {
    member = (await control('/orcid/member-clients', { redirectUris: ['https://example.org/cb'] })) as { clientId: string };
  });

  test('member login: done with the put-code; again: already (found by reading, no second POST)', async () => {
    const http = client('orcid', await memberToken());
    const doi = newDoi();
    const r = await addDatasetWork(http, { orcid: orcid(), title: 'Soil data', doi, year: '2026' });
    expect(r.outcome).toBe('done');
    if (r.outcome !== 'done') throw new Error('unreachable');
    expect(r.location).toMatch(new RegExp(`/v3.0/${orcid()}/work/${r.putCode}$`));
    const posts = log('orcid', 'POST', /\/work$/).length;
    expect(await addDatasetWork(http, { orcid: orcid(), title: 'Soil data', doi: `doi:${doi}` })).toEqual({ outcome: 'already', putCode: r.putCode, source: 'A member integration' });
    expect(log('orcid', 'POST', /\/work$/).length).toBe(posts);
    const w = worksWith(doi);
    expect(w).toHaveLength(1);
    expect(w[0]?.body).toEqual(datasetWork({ orcid: orcid(), title: 'Soil data', doi, year: '2026' }));
  });

  test('409 from ORCID (its answer to a repeat) is already, with the put-code', async () => {
    const http = client('orcid', await memberToken());
    const doi = newDoi();
    const first = await addDatasetWork(http, { orcid: orcid(), title: 'T', doi });
    await fault({ service: 'orcid', method: 'GET', path: '/v3.0/*/works', action: 'status', status: 404, times: 5 });
    expect(await addDatasetWork(http, { orcid: orcid(), title: 'T', doi })).toEqual({ outcome: 'already', putCode: (first as { putCode: string }).putCode });
  });

  test('a lost answer (500 after ORCID made the work): the repeat gets 409, one work only', async () => {
    const http = client('orcid', await memberToken());
    const doi = newDoi();
    await fault({ service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status-after', status: 500 });
    const r = await addDatasetWork(http, { orcid: orcid(), title: 'T', doi });
    expect(r.outcome).toBe('already');
    expect((r as { putCode?: string }).putCode).toMatch(/^\d+$/);
    expect(worksWith(doi)).toHaveLength(1);
  });

  test('a public client login: needs-member (client); a member token without /activities/update: needs-member (scope)', async () => {
    const pub = await addDatasetWork(client('orcid', emu.tokens.orcid), { orcid: orcid(), title: 'T', doi: newDoi() });
    expect(pub).toMatchObject({ outcome: 'needs-member', reason: 'client' });
    expect((pub as { hint: string }).hint).toMatch(/DataCite/);
    const ro = await addDatasetWork(client('orcid', await memberToken(['/read-limited'])), { orcid: orcid(), title: 'T', doi: newDoi() });
    expect(ro).toMatchObject({ outcome: 'needs-member', reason: 'scope' });
  });

  test('an invalid token is an auth error (exit 4); the Member API host is derived from the Public API host', async () => {
    await expect(addDatasetWork(client('orcid', '00000000-0000-0000-0000-000000000000'), { orcid: orcid(), title: 'T', doi: newDoi() })).rejects.toBeInstanceOf(AuthRequiredError);
    expect(memberApiBase('https://pub.orcid.org')).toBe('https://api.orcid.org');
    expect(memberApiBase('https://pub.sandbox.orcid.org/')).toBe('https://api.sandbox.orcid.org');
    expect(memberApiBase('http://127.0.0.1:9/orcid')).toBe('http://127.0.0.1:9/orcid');
  });
});

describe('NOMAD: a dataset for an upload, and its DOI', () => {
  const api = () => emu.env.RDP_NOMAD_URL as string;
  const call = async (method: string, path: string, body?: string) => {
    const r = await fetch(`${api()}${path}`, { method, headers: { authorization: `Bearer ${emu.tokens.nomad}`, accept: 'application/json', 'content-type': 'application/octet-stream' }, body });
    return (await r.json()) as Record<string, any>;
  };
  const idle = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      if (!(await call('GET', `/uploads/${id}`)).data.process_running) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('still processing');
  };
  const upload = async (publish: boolean) => {
    const id = (await call('POST', '/uploads?file_name=run.archive.json', '{}')).upload_id as string;
    await idle(id);
    if (publish) {
      await call('POST', `/uploads/${id}/action/publish`);
      await idle(id);
    }
    return id;
  };
  let n = 0;
  const name = () => `publish-links dataset ${++n}`;
  const fast = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };

  test('made, filled through the edit process (waited for), its DOI minted; a re-run of each is already', async () => {
    const uploadId = await upload(true);
    const nm = name();
    const seen: string[] = [];
    const made = await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: nm, uploadId }, { ...fast, onProgress: (u) => seen.push(u.processStatus) });
    expect(made.outcome).toBe('done');
    expect(made.upload.processRunning).toBe(false);
    expect(made.upload.currentProcess).toBe('edit_upload_metadata');
    expect(nomadDatasets(emu.server.state).datasets.get(made.dataset.id)?.members.size).toBe(1);
    const again = await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: nm, uploadId }, fast);
    expect(again).toMatchObject({ outcome: 'already', dataset: { id: made.dataset.id } });
    expect(nomadDatasets(emu.server.state).datasets.get(made.dataset.id)?.members.size).toBe(1);
    const doi = await mintDatasetDoi(client('nomad', emu.tokens.nomad), made.dataset.id);
    expect(doi.outcome).toBe('done');
    expect(doi.doi).toMatch(/^10\.17172\/NOMAD\/\d{4}\.\d{2}\.\d{2}-\d+$/);
    expect(await mintDatasetDoi(client('nomad', emu.tokens.nomad), made.dataset.id)).toMatchObject({ outcome: 'already', doi: doi.doi });
    // a dataset with a DOI that holds the upload already (an earlier run, elsewhere): done, nothing sent
    const writes = log('nomad', 'POST', /\/uploads\/.*\/edit$/).length;
    expect(await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: nm, uploadId }, fast)).toMatchObject({ outcome: 'already', dataset: { id: made.dataset.id, doi: doi.doi } });
    expect(log('nomad', 'POST', /\/uploads\/.*\/edit$/)).toHaveLength(writes);
    // a dataset with a DOI is fixed: another upload cannot be put into it by name
    const other = await upload(true);
    await expect(ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: nm, uploadId: other }, fast)).rejects.toMatchObject({ code: 'NOMAD_DATASET_FIXED' });
  });

  test('the upload still publishing: the edit waits for that process, then runs', async () => {
    const id = (await call('POST', '/uploads?file_name=run.archive.json', '{}')).upload_id as string;
    await idle(id);
    await call('POST', `/uploads/${id}/action/publish`); // publish_upload runs now
    const r = await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: name(), uploadId: id }, fast);
    expect(r.upload.processStatus).toBe('SUCCESS');
    const edits = log('nomad', 'POST', new RegExp(`/uploads/${id}/edit$`)).map((e) => e.status);
    expect(edits).toEqual([400, 200]); // refused while publishing, then done
    expect(nomadDatasets(emu.server.state).datasets.get(r.dataset.id)?.members.size).toBe(1);
  });

  test('an unpublished upload: the dataset is made, the DOI is refused with a clear error', async () => {
    const uploadId = await upload(false);
    const made = await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: name(), uploadId }, fast);
    const err = await mintDatasetDoi(client('nomad', emu.tokens.nomad), made.dataset.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureError);
    expect((err as FailureError).code).toBe('NOMAD_DATASET_UNPUBLISHED');
    await expect(mintDatasetDoi(client('nomad', emu.tokens.nomad), 'no-such-dataset')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: name(), uploadId: 'no-such-upload' }, fast)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('waiting is bounded on the injected clock, not the wall clock', async () => {
    const uploadId = await upload(true);
    await fault({ service: 'nomad', action: 'processing-delay', latencyMs: 60_000 });
    let now = 0;
    const clockSleep = async (ms: number) => {
      now += ms;
      await new Promise((r) => setImmediate(r));
    };
    const err = await ensureUploadDataset(client('nomad', emu.tokens.nomad), { name: name(), uploadId }, { sleep: clockSleep, now: () => now, timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOMAD_TIMEOUT' });
    expect(now).toBeGreaterThanOrEqual(30_000);
  });
});

describe('Zotero: the library item', () => {
  test('done, then already (found by its DOI)', async () => {
    const http = client('zotero', emu.tokens.zotero);
    const doi = newDoi();
    const item = { itemType: 'dataset', title: 'Soil data', creators: [{ creatorType: 'author', lastName: 'Doe', firstName: 'Jane' }], DOI: doi, url: `https://doi.org/${doi}` };
    const first = await addLibraryItem(http, { item });
    expect(first.outcome).toBe('done');
    expect(await addLibraryItem(http, { item, userId: first.userId })).toEqual({ outcome: 'already', key: first.key, userId: first.userId });
    expect([...zoteroLibrary(emu.server.state).items.values()].filter((i) => (i as { data: { DOI?: string } }).data.DOI === doi)).toHaveLength(1);
  });
});

describe('Zenodo: the DOIs to write before the files are sent', () => {
  test('a first draft: version = the reserved DOI, concept from conceptrecid; after publish they are the minted ones', async () => {
    const dep = `${emu.env.RDP_ZENODO_URL}/api/deposit/depositions`;
    const h = { authorization: `Bearer ${emu.tokens.zenodo}`, 'content-type': 'application/json' };
    const draft = (await (await fetch(dep, { method: 'POST', headers: h, body: JSON.stringify({ metadata: { title: 'Soil data', upload_type: 'dataset', description: 'Samples.', creators: [{ name: 'Doe, Jane' }], prereserve_doi: true } }) })).json()) as Record<string, any>;
    const d = toDeposition(draft);
    if (!d) throw new Error('no deposition');
    const dois = reservedDois(d);
    expect(dois).toEqual({ version: `10.5281/zenodo.${draft.id}`, concept: `10.5281/zenodo.${draft.conceptrecid}` });
    await fetch(`${draft.links.bucket}/a.txt`, { method: 'PUT', headers: { authorization: h.authorization }, body: 'a' });
    const pub = (await (await fetch(draft.links.publish, { method: 'POST', headers: { authorization: h.authorization } })).json()) as Record<string, any>;
    expect({ version: pub.doi, concept: pub.conceptdoi }).toEqual(dois);
    const nv = toDeposition(await (await fetch(pub.links.newversion, { method: 'POST', headers: { authorization: h.authorization } })).json());
    expect(reservedDois(nv as NonNullable<typeof nv>)).toEqual({ version: `10.5281/zenodo.${nv?.id}`, concept: dois?.concept });
    expect(reservedDois({ reservedDoi: undefined, doi: undefined, conceptDoi: undefined, conceptrecid: '1' })).toBeUndefined();
  });
});

describe('the chain: re-run after ORCID failed in the middle does only ORCID', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rdp-publish-links-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const clock: Clock = { now: () => Date.UTC(2026, 11, 1) };

  async function chain(opts: { dmp: string; orcid: string; doi: string; record: string }) {
    const planId = plansOf(emu.server.state).all().find((p) => p.ownerId === '4711')?.id as number;
    const orcidId = emu.info.orcid.orcid as string;
    const steps: Step[] = [
      {
        id: 'dmptool.link',
        run: async () => {
          const r = await linkDatasetToPlan(client('dmptool', opts.dmp), { planId, doi: opts.doi });
          return r.outcome === 'needs-scope' ? { status: 'skipped', reason: r.message, code: 'NEEDS_EDIT_DMPS' } : { status: r.outcome, detail: { planId } };
        },
      },
      {
        id: 'orcid.work',
        run: async () => {
          // one attempt per request, so a single 500 fails the step (the default retries would absorb it)
          const r = await addDatasetWork(client('orcid', opts.orcid, { RDP_HTTP_RETRIES: '1' }), { orcid: orcidId, title: 'Chain', doi: opts.doi });
          if (r.outcome === 'needs-member') return { status: 'skipped', reason: r.message, code: 'NEEDS_ORCID_MEMBER' };
          return { status: r.outcome, detail: r.putCode ? { putCode: r.putCode } : undefined };
        },
      },
      {
        id: 'zotero.item',
        run: async () => {
          const r = await addLibraryItem(client('zotero', emu.tokens.zotero), { item: { itemType: 'dataset', title: 'Chain', creators: [], DOI: opts.doi } });
          return { status: r.outcome, detail: { key: r.key } };
        },
      },
    ];
    return runSteps({ record: opts.record, steps, journal: join(dir, 'publish.json'), clock, signal: new AbortController().signal });
  }

  test('ORCID 500 once: first run done/failed/done; the second run sends requests to ORCID only', async () => {
    const member = (await control('/orcid/member-clients', { redirectUris: ['https://example.org/cb'] })) as { clientId: string };
    const orcid = (await control(`/orcid/member-clients/${member.clientId}/tokens`, {})).token as string;
    const dmp = await dmptoolToken(['public', 'read_dmps', 'edit_dmps']);
    const doi = newDoi();
    await fault({ service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status', status: 500, times: 1 });
    const first = await chain({ dmp, orcid, doi, record: 'zenodo:emulator:1' });
    expect(first.steps.map((s) => [s.id, s.status])).toEqual([
      ['dmptool.link', 'done'],
      ['orcid.work', 'failed'],
      ['zotero.item', 'done'],
    ]);
    expect(first.steps[1]?.error).toMatchObject({ code: 'API_ERROR', exitCode: 1 });
    const mark = emu.server.state.log.length;
    const second = await chain({ dmp, orcid, doi, record: 'zenodo:emulator:1' });
    expect(second.steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['dmptool.link', 'already', 'journal'],
      ['orcid.work', 'done', 'run'],
      ['zotero.item', 'already', 'journal'],
    ]);
    const services = new Set(emu.server.state.log.slice(mark).map((e) => e.service));
    expect([...services]).toEqual(['orcid']);
    expect([...orcidWorks(emu.server.state).works.values()].filter((w) => w.extIds.some((e) => e.value === doi))).toHaveLength(1);
  });

  test('the permission cases: no edit_dmps and a public ORCID client are skipped with their reasons, Zotero still done; re-run tries them again', async () => {
    const dmp = await dmptoolToken(['public', 'read_dmps']);
    const doi = newDoi();
    const r = await chain({ dmp, orcid: emu.tokens.orcid, doi, record: 'zenodo:emulator:2' });
    expect(r.steps.map((s) => [s.id, s.status, s.code])).toEqual([
      ['dmptool.link', 'skipped', 'NEEDS_EDIT_DMPS'],
      ['orcid.work', 'skipped', 'NEEDS_ORCID_MEMBER'],
      ['zotero.item', 'done', undefined],
    ]);
    const mark = emu.server.state.log.length;
    const again = await chain({ dmp: await dmptoolToken(['public', 'read_dmps', 'edit_dmps']), orcid: emu.tokens.orcid, doi, record: 'zenodo:emulator:2' });
    expect(again.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'already']);
    expect(emu.server.state.log.slice(mark).some((e) => e.service === 'zotero')).toBe(false);
  });
});
