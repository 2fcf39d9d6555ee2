// A published site record as the links take it (ORCID works, Zotero items): persons as "Family, Given",
// organisations by name, subjects as keywords, the first rights id as the licence, the DOI's address.
// And the plan for a published record with an open edit (which the emulator's site has no API for): a
// small server that answers like InvenioRDM; the record is linked, the edit left alone, nothing sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpClient } from '../../../../src/http/client.js';
import { IO } from '../../../../src/output/io.js';
import { siteErrorMapper } from '../../../../src/providers/invenio/client.js';
import { errorBody } from '../../../../src/providers/invenio/index.js';
import { sitePublishedRecord, sitePublishPlan } from '../../../../src/providers/invenio/publish.js';
import { toRdmRecord } from '../../../../src/providers/invenio/types.js';
import type { PublishPorts } from '../../../../src/providers/types.js';

const site = { id: 'demo', name: 'demo', tokenEnv: 'RDP_DEMO_TOKEN' };

describe('sitePublishedRecord', () => {
  test('maps the RDM metadata', () => {
    const r = toRdmRecord({
      id: 'abcde-12345',
      is_published: true,
      is_draft: false,
      created: '2026-03-04T10:00:00+00:00',
      links: { self: 'https://x.org/api/records/abcde-12345' },
      pids: { doi: { identifier: '10.1234/abcde-12345', provider: 'datacite' } },
      metadata: {
        title: 'Soil samples',
        publication_date: '2026-03-01',
        version: 'v2',
        description: '<p>Soil</p>',
        creators: [
          { person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane', name: 'Doe, Jane' } },
          { person_or_org: { type: 'personal', family_name: 'Plato' } },
          { person_or_org: { type: 'organizational', name: 'Soil Lab' } },
          { not_a_creator: true },
        ],
        subjects: [{ subject: 'soil' }, { id: 'euroscivoc:123' }],
        rights: [{ id: 'cc-by-4.0', title: { en: 'CC BY 4.0' } }],
      },
    });
    expect(r).toBeDefined();
    const out = sitePublishedRecord(site, r!, r!.doi!);
    expect(out).toEqual({
      title: 'Soil samples',
      creators: ['Doe, Jane', 'Plato', 'Soil Lab'],
      date: '2026-03-01',
      doi: '10.1234/abcde-12345',
      url: 'https://doi.org/10.1234/abcde-12345',
      repository: 'demo',
      keywords: ['soil', 'euroscivoc:123'],
      version: 'v2',
      description: '<p>Soil</p>',
      license: 'cc-by-4.0',
    });
  });

  test('without a publication date, the day it was created; without rights, no licence', () => {
    const r = toRdmRecord({ id: 'x', is_published: true, created: '2026-05-06T01:02:03Z', links: { self: 's' }, metadata: { title: 'T' } })!;
    expect(sitePublishedRecord(site, r, '10.1/x')).toMatchObject({ date: '2026-05-06', creators: [], keywords: [], license: undefined });
  });
});

describe('sitePublishPlan: a published record with an open edit', () => {
  const seen: string[] = [];
  const agent = new Agent();
  let server: Server;
  let base: string;
  const record = (edit: boolean) => ({
    id: 'ed1t0-00001',
    is_published: true,
    is_draft: edit,
    status: 'published',
    links: { self: `${base}/api/records/ed1t0-00001${edit ? '/draft' : ''}`, self_html: `${base}/${edit ? 'uploads' : 'records'}/ed1t0-00001` },
    pids: { doi: { identifier: '10.1234/ed1t0-00001', provider: 'datacite' } },
    metadata: { title: edit ? 'Soil samples (edited)' : 'Soil samples', publication_date: '2026-01-01', resource_type: { id: 'dataset' }, creators: [{ person_or_org: { type: 'personal', family_name: 'Doe' } }] },
  });
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      const body = req.method === 'GET' && req.url === '/api/records/ed1t0-00001/draft' ? record(true) : req.method === 'GET' && req.url === '/api/records/ed1t0-00001' ? record(false) : undefined;
      res.writeHead(body ? 200 : 405, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { status: 405, message: 'The method is not allowed for the requested URL.' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await agent.close();
  });

  test('the record is linked (publish: already; --dmp: skipped, PUBLISHED), the edit is left alone with a warning, nothing is sent', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += String(d)));
    const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr }, {});
    const signal = new AbortController().signal;
    const http = new HttpClient({ service: { id: site.id, name: site.name, urlEnv: 'RDP_DEMO_URL' }, base: `${base}/api`, log: io, signal, dispatcher: async () => agent, env: { RDP_HTTP_RETRIES: '0' }, errorBody, mapError: siteErrorMapper(site) });
    const host = new URL(base).host;
    const ports: PublishPorts = {
      log: io,
      terminal: io,
      clock: { now: () => 0, sleep: async () => {} },
      signal,
      login: async () => ({ http, endpoints: { provider: 'demo', name: 'demo', web: base, api: `${base}/api`, account: `demo@${host}`, host, origin: 'config', sandbox: false }, token: 't', source: 'env', loginCommand: 'rdp login demo' }),
      dmpIdentifier: async (v) => v,
    };
    const plan = await sitePublishPlan(site)(ports, { id: 'ed1t0-00001', sandbox: false, cwd: '/', read: {}, links: { dmp: '10.48321/D1ABCD', orcidWork: false, library: false }, afterUpload: false });
    expect(err).toMatch(/ed1t0-00001 is being edited on demo; rdp leaves the edit as it is/);
    expect(plan.record).toBe(`demo:${host}:ed1t0-00001`);
    const results = new Map();
    const outcomes = [];
    for (const step of plan.steps) outcomes.push([step.id, (await step.run({ signal, results })).status]);
    expect(outcomes).toEqual([
      ['site.dmp', 'skipped'],
      ['publish', 'already'],
    ]);
    expect(plan.published()).toMatchObject({ title: 'Soil samples', doi: '10.1234/ed1t0-00001' });
    expect(plan.summary()).toEqual({ url: `${base}/records/ed1t0-00001`, doi: '10.1234/ed1t0-00001', published: true });
    expect(seen.filter((s) => !s.startsWith('GET '))).toEqual([]);
  });
});
