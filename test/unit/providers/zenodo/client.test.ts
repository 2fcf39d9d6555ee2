// The Zenodo client against a scripted server answering as Zenodo's code does, from the recorded facts
// in test/contract/zenodo/deposit-api.json (the same facts the emulator is held to in
// test/contract/api-conformance.test.ts): the client must work with the real answers, not with the
// emulator's reading of them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ZenodoClient } from '../../../../src/providers/zenodo/client.js';
import { publishDraft } from '../../../../src/providers/zenodo/deposit/publish.js';
import { zenodo } from '../../../../src/providers/zenodo/index.js';
import { type Deposition, toDeposition } from '../../../../src/providers/zenodo/types.js';
import { fixture, json, type Scripted, scriptedServer } from '../../../helpers/scripted-server.js';

const DEP = fixture<{
  newVersionAgain: { status: number; message: string; errorField: string };
  latestDraft: { pointsAt: string };
  linksLatest: { pathFormat: string; status: number; locationPathFormat: string };
  conceptIdAsDeposition: { status: number };
  listStatus: { filters: boolean };
  publishedDeposition: { publishAgain: number };
}>('zenodo/deposit-api.json');

let srv: Scripted;
beforeAll(async () => {
  srv = await scriptedServer();
});
afterAll(() => srv.close());

const api = () => `${srv.origin}/api`;
const client = () => new ZenodoClient(srv.client(zenodo, api()));
function deposition(id: number, extra: Record<string, unknown> = {}) {
  const self = `${api()}/deposit/depositions/${id}`;
  return {
    id,
    conceptrecid: '100',
    state: 'done',
    submitted: true,
    metadata: { title: `v${id}` },
    // links.latest_draft names the deposition itself, never the open new-version draft.
    links: { self, latest_draft: DEP.latestDraft.pointsAt === 'self' ? self : 'elsewhere', html: `${srv.origin}/deposit/${id}` },
    ...extra,
  };
}

describe('ZenodoClient against the recorded facts', () => {
  test('newversion again (400 "Please remove all files first."): the open draft is found by conceptrecid', async () => {
    srv.on((req, res, url) => {
      if (req.method === 'POST' && url.pathname.endsWith('/actions/newversion')) {
        json(res, DEP.newVersionAgain.status, { status: DEP.newVersionAgain.status, message: DEP.newVersionAgain.message, errors: [{ field: DEP.newVersionAgain.errorField, messages: ['x'] }] });
      } else if (url.pathname === '/api/deposit/depositions') {
        json(res, 200, [deposition(7), deposition(9, { state: 'unsubmitted', submitted: false })]);
      } else res.writeHead(404).end();
    });
    const draft = await client().newVersion(toDeposition(deposition(7)) as Deposition);
    expect(draft.id).toBe(9);
    expect(srv.seen.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['POST /api/deposit/depositions/7/actions/newversion', 'GET /api/deposit/depositions']);
  });

  test('the latest version (of a version id or a concept id) through the redirect of /records/{id}/versions/latest', async () => {
    srv.on((_req, res, url) => {
      const m = /^\/api\/records\/(\d+)\/versions\/latest$/.exec(url.pathname);
      if (m) {
        res.writeHead(DEP.linksLatest.status, { location: `${srv.origin}${DEP.linksLatest.locationPathFormat.replace('{latestId}', '12')}` });
        res.end();
      } else res.writeHead(404).end();
    });
    expect(DEP.linksLatest.pathFormat).toBe('/api/records/{id}/versions/latest');
    expect(await client().latestVersionId(100)).toBe(12);
  });

  test('a concept id is no deposition: NotFoundError, not a crash', async () => {
    srv.on((_req, res) => json(res, DEP.conceptIdAsDeposition.status, { status: 404, message: 'PID does not exist.' }));
    await expect(client().get(100)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('publishing what is published already answers 404: read again, and published means success', async () => {
    let published = false;
    srv.on((req, res, url) => {
      if (req.method === 'POST' && url.pathname.endsWith('/actions/publish')) {
        published = true;
        json(res, DEP.publishedDeposition.publishAgain, { status: 404, message: 'Not found' });
      } else json(res, 200, deposition(7, { state: published ? 'done' : 'unsubmitted', submitted: published, doi: '10.5281/zenodo.7' }));
    });
    const dep = await publishDraft(client(), toDeposition(deposition(7, { state: 'unsubmitted', submitted: false })) as Deposition, 'rdp upload x --to zenodo --deposition 7');
    expect(dep).toMatchObject({ id: 7, submitted: true, doi: '10.5281/zenodo.7' });
  });

  test("the list's status parameter filters nothing, so depositions() sends none (rdp filters)", async () => {
    expect(DEP.listStatus.filters).toBe(false);
    srv.on((_req, res) => json(res, 200, [deposition(1), deposition(2, { state: 'unsubmitted', submitted: false })]));
    const all = [];
    for await (const d of client().depositions({ pageSize: 100 })) all.push(d);
    expect(all.map((d) => d.id)).toEqual([1, 2]);
    expect(srv.seen[0]?.path).not.toMatch(/status=/);
  });
});
