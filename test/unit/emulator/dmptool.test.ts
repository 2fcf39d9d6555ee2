// The DMPTool stand-in against providers.md 3.3-3.6, over HTTP: the envelope, pagination (page and
// per_page only when there are items, prev/next keeping scope=, the cap of 100), who sees which plan,
// Doorkeeper's 401/403, minimal and full items, the PDF, templates, seeding, and the response cut.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { plansOf, type PlanStore } from '../../../src/emulator/services/dmptool/data.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

let emu: TestEmulator;
let base: string;
let plans: PlanStore;
beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  base = emu.info.dmptool.url;
  plans = plansOf(emu.server.state);
});
afterAll(() => emu.close());
beforeEach(() => emu.server.faults.clear());

type Env = Record<string, unknown> & { items: { dmp: Record<string, unknown> }[] };

/** `token` null: no Authorization header. */
async function get(path: string, token: string | null = emu.tokens.dmptool, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  return { status: res.status, headers: res.headers, buf, text, json: () => JSON.parse(text) as Env };
}
const token = (scopes: string[], kind: 'oauth' | 'client' = 'oauth', userId = '4711') => emu.server.state.issue({ service: 'dmptool', userId, scopes, kind }).token;

describe('GET /api/v2/plans', () => {
  test('the envelope; page and per_page only when there are items; no plans is 404 "No Plans found"', async () => {
    plans.clear();
    const empty = await get('/api/v2/plans');
    expect(empty.status).toBe(404);
    const e = empty.json();
    expect(e).toMatchObject({ application: 'dmptool', api_version: 2, source: 'GET /api/v2/plans', code: 404, message: 'Not Found', total_items: 0, items: [], errors: ['No Plans found'] });
    expect(e).not.toHaveProperty('page');
    expect(e).not.toHaveProperty('per_page');
    expect(String(e.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/);

    plans.seed(250);
    const first = (await get('/api/v2/plans')).json();
    expect(first).toMatchObject({ code: 200, message: 'OK', page: 1, per_page: 100, total_items: 250, next: '/api/v2/plans?page=2&per_page=100', caller: 'Jane Doe' });
    expect(first).not.toHaveProperty('prev');
    expect(first.items).toHaveLength(100);
    const modified = first.items.map((i) => Date.parse(String(i.dmp.modified)));
    expect(modified).toEqual([...modified].sort((a, b) => b - a));
  });

  test('prev/next keep scope=, per_page is capped at 100, a page past the end is empty', async () => {
    const mid = (await get('/api/v2/plans?scope=mine&page=2&per_page=50')).json();
    expect(mid).toMatchObject({ page: 2, per_page: 50, prev: '/api/v2/plans?scope=mine&page=1&per_page=50', next: '/api/v2/plans?scope=mine&page=3&per_page=50' });
    const last = (await get('/api/v2/plans?page=3')).json();
    expect(last.items).toHaveLength(50);
    expect(last).not.toHaveProperty('next');
    expect((await get('/api/v2/plans?per_page=500')).json().per_page).toBe(100);
    const past = await get('/api/v2/plans?page=9');
    expect(past.status).toBe(200);
    expect(past.json()).toMatchObject({ items: [], total_items: 250, prev: '/api/v2/plans?page=8&per_page=100' });
  });

  test('list items are minimal: no contributor, project, dataset or privacy; download only with read_dmps', async () => {
    const [item] = (await get('/api/v2/plans?per_page=1')).json().items;
    expect(Object.keys(item?.dmp ?? {})).toEqual(
      expect.arrayContaining(['title', 'description', 'language', 'created', 'modified', 'ethical_issues_exist', 'dmp_id', 'contact', 'dmproadmap_links']),
    );
    for (const k of ['contributor', 'project', 'dataset', 'dmproadmap_privacy', 'dmproadmap_template']) expect(item?.dmp).not.toHaveProperty(k);
    expect(item?.dmp.dmproadmap_links).toHaveProperty('download');
    const [pub] = (await get('/api/v2/plans?per_page=1', token(['public']))).json().items;
    expect(pub?.dmp.dmproadmap_links).not.toHaveProperty('download');
  });

  test('who sees what: the user\'s complete non-test plans; client_credentials with scope=public|both', async () => {
    plans.clear();
    plans.add({ title: 'mine' });
    plans.add({ title: 'draft', complete: false });
    plans.add({ title: 'mock', test: true });
    plans.add({ title: 'theirs public', ownerId: '5150', visibility: 'public' });
    plans.add({ title: 'theirs private', ownerId: '5150', visibility: 'private' });
    const titles = async (path: string, t: string = emu.tokens.dmptool) => (await get(path, t)).json().items.map((i) => i.dmp.title);
    expect(await titles('/api/v2/plans')).toEqual(['mine']);
    expect(await titles('/api/v2/plans?scope=both')).toEqual(['mine']); // scope means nothing for a user's token
    const client = token(['public'], 'client');
    expect((await titles('/api/v2/plans', client)).sort()).toEqual(['draft', 'mine']);
    expect((await titles('/api/v2/plans?scope=public', client)).sort()).toEqual(['mine', 'theirs public']);
    expect((await titles('/api/v2/plans?scope=BOTH', client)).sort()).toEqual(['draft', 'mine', 'theirs public']);
  });

  test('Doorkeeper: 401 envelope for a bad token; 403 with an empty body and WWW-Authenticate for a missing scope', async () => {
    for (const t of [null, 'not-a-token']) {
      const r = await get('/api/v2/plans', t);
      expect(r.status).toBe(401);
      expect(r.json()).toMatchObject({ code: 401, message: 'Unauthorized', total_items: 0, items: [], errors: ['token is invalid, expired or has been revoked'] });
    }
    const r = await get('/api/v2/plans', token(['create_dmps']));
    expect(r.status).toBe(403);
    expect(r.text).toBe('');
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="Doorkeeper", error="insufficient_scope"/);
  });
});

describe('GET /api/v2/plans/{id}', () => {
  let id: number;
  beforeAll(() => {
    plans.clear();
    id = plans.add({ title: 'Full plan', visibility: 'private', doi: undefined }).id;
  });

  test('one full item (privacy, project, dataset…); .json is the same; a plan without DMP ID has its URL as dmp_id', async () => {
    const r = (await get(`/api/v2/plans/${id}`)).json();
    expect(r).toMatchObject({ code: 200, source: `GET /api/v2/plans/${id}`, total_items: 1 });
    expect(r.items).toHaveLength(1);
    const dmp = r.items[0]?.dmp ?? {};
    expect(dmp).toMatchObject({ title: 'Full plan', dmproadmap_privacy: 'private', dmp_id: { type: 'url', identifier: `${base}/api/v2/plans/${id}` } });
    for (const k of ['contributor', 'project', 'dataset', 'dmproadmap_template', 'dmproadmap_links']) expect(dmp).toHaveProperty(k);
    expect((await get(`/api/v2/plans/${id}.json`)).json().items).toEqual(r.items);
  });

  test('missing, not visible, or not a number: 404 "Plan not found"; read_dmps is required', async () => {
    const other = plans.add({ ownerId: '5150', visibility: 'private' }).id;
    for (const path of ['/api/v2/plans/1', `/api/v2/plans/${other}`, '/api/v2/plans/abc', '/api/v2/plans/1.pdf']) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(r.json()).toMatchObject({ code: 404, items: [], errors: ['Plan not found'] });
    }
    const r = await get(`/api/v2/plans/${id}`, token(['public']));
    expect(r.status).toBe(403);
    expect(r.text).toBe('');
  });

  test('.pdf (or Accept: application/pdf) is a PDF named after the plan; a cut-response fault sends half and drops', async () => {
    const r = await get(`/api/v2/plans/${id}.pdf`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe('inline; filename="Full_plan.pdf"');
    expect(r.buf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(r.buf.subarray(-6).toString()).toBe('%%EOF\n');
    expect(Number(r.headers.get('content-length'))).toBe(r.buf.length);
    const viaAccept = await get(`/api/v2/plans/${id}.pdf`, null);
    expect(viaAccept.status).toBe(401);
    expect((await get(`/api/v2/plans/${id}`, emu.tokens.dmptool, { accept: 'application/pdf' })).buf.equals(r.buf)).toBe(true);

    emu.server.faults.add({ service: 'dmptool', action: 'cut-response', path: '/api/v2/plans/*.pdf', afterBytes: 500 });
    await expect(get(`/api/v2/plans/${id}.pdf`)).rejects.toThrow();
    const entry = emu.server.state.log.filter((e) => e.service === 'dmptool').at(-1);
    expect(entry).toMatchObject({ status: 200, fault: 'response cut after 500 bytes' });
    expect((await get(`/api/v2/plans/${id}.pdf`)).buf.equals(r.buf)).toBe(true); // the fault was used up
  });
});

describe('GET /api/v2/templates', () => {
  test('needs public; dmp_template items, paginated; show_phases=true adds phases', async () => {
    const r = (await get('/api/v2/templates?per_page=2')).json();
    expect(r).toMatchObject({ page: 1, per_page: 2, next: '/api/v2/templates?page=2&per_page=2' });
    const t = (r.items[0] as unknown as { dmp_template: Record<string, unknown> }).dmp_template;
    expect(Object.keys(t)).toEqual(['title', 'description', 'version', 'created', 'modified', 'affiliation', 'template_id']);
    const phased = (await get('/api/v2/templates?show_phases=true')).json().items[0] as unknown as { dmp_template: Record<string, unknown> };
    expect(phased.dmp_template).toHaveProperty('phases');
    expect((await get('/api/v2/templates', token(['read_dmps']))).status).toBe(403);
  });
});

describe('control API', () => {
  test('POST /_emulator/dmptool/plans seeds (or replaces), GET lists, DELETE empties', async () => {
    const post = (body: unknown) => fetch(`${emu.url}/_emulator/dmptool/plans`, { method: 'POST', body: JSON.stringify(body) });
    plans.clear();
    const a = await post({ count: 3 });
    expect(a.status).toBe(201);
    expect(((await a.json()) as { ids: number[] }).ids).toHaveLength(3);
    const b = (await (await post({ replace: true, plans: [{ title: 'Only one', visibility: 'private' }] })).json()) as { total: number };
    expect(b.total).toBe(1);
    const list = (await (await fetch(`${emu.url}/_emulator/dmptool/plans`)).json()) as { title: string; privacy: string }[];
    expect(list).toEqual([expect.objectContaining({ title: 'Only one', privacy: 'private' })]);
    expect((await post({ count: -1 })).status).toBe(400);
    expect((await fetch(`${emu.url}/_emulator/dmptool/plans`, { method: 'DELETE' })).status).toBe(204);
    expect(plans.all()).toEqual([]);
    expect((await fetch(`${emu.url}/_emulator/dmptool/nothing`)).status).toBe(404);
  });

  test('a fresh emulator starts with a few realistic plans, private and public, with and without a DMP ID', async () => {
    const fresh = await startTestEmulator();
    try {
      const r = await fetch(`${fresh.info.dmptool.url}/api/v2/plans`, { headers: { authorization: `Bearer ${fresh.tokens.dmptool}` } });
      const items = ((await r.json()) as Env).items.map((i) => i.dmp);
      expect(items.length).toBeGreaterThanOrEqual(3);
      expect(items.some((d) => (d.dmp_id as { type: string }).type === 'doi')).toBe(true);
      expect(items.some((d) => (d.dmp_id as { type: string }).type === 'url')).toBe(true);
      const mine = plansOf(fresh.server.state).all().filter((p) => p.ownerId === '4711');
      expect(new Set(mine.map((p) => p.visibility))).toEqual(new Set(['public', 'private']));
    } finally {
      await fresh.close();
    }
  });
});
