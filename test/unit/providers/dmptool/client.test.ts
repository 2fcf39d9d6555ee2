// The DMPTool client against scripted servers that follow providers.md in its different readings:
// `per_page` defaults of 20 (wiki) or 100 (code), `next` present or absent, a base URL with or without
// a path prefix, 404 "No Plans found", and answers that are not DMPTool's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { authError } from '../../../../src/auth/credentials.js';
import { RdpError } from '../../../../src/errors/errors.js';
import { IO } from '../../../../src/output/io.js';
import { DmptoolClient } from '../../../../src/providers/dmptool/client.js';
import { dmptool } from '../../../../src/providers/dmptool/index.js';
import { readErrorBody } from '../../../../src/http/errors.js';
import { HttpClient } from '../../../../src/http/client.js';
import { resolveEndpoints } from '../../../../src/providers/endpoints.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let handler: Handler;
let seen: { path: string; auth?: string }[] = [];
let server: Server;
let origin: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: `${url.pathname}${url.search}`, auth: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res, url));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen = [];
});

function client(base = origin): DmptoolClient {
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {});
  return new DmptoolClient(
    new HttpClient({
      service: { id: 'dmptool', name: 'DMPTool', urlEnv: 'RDP_DMPTOOL_URL' },
      base,
      log: io,
      errorBody: dmptool.errorBody,
      signal: new AbortController().signal,
      dispatcher: async () => agent,
      env: { RDP_HTTP_RETRIES: '1' },
      auth: async () => ({ authorization: 'Bearer tkn' }),
    }),
  );
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const plan = (i: number, extra: Record<string, unknown> = {}) => ({
  dmp: {
    title: `Plan ${i}`,
    modified: '2024-01-01T00:00:00Z',
    dmp_id: { type: 'doi', identifier: `https://doi.org/10.48321/D1P${i}` },
    dmproadmap_links: { get: `https://dmptool.org/api/v2/plans/${i}` },
    ...extra,
  },
});

/** A server with `total` plans that pages by its own rules. */
function planServer(total: number, opts: { defaultPerPage: number; next: 'relative' | 'none' | 'absolute-elsewhere' | 'with-prefix'; prefix?: string }): Handler {
  return (_req, res, url) => {
    const page = Number(url.searchParams.get('page') ?? 1);
    const asked = Number(url.searchParams.get('per_page') ?? 0);
    const perPage = opts.defaultPerPage === 20 ? 20 : Math.min(100, asked || 100); // the "wiki" server ignores per_page
    const pages = Math.ceil(total / perPage);
    const items = Array.from({ length: Math.max(0, Math.min(perPage, total - (page - 1) * perPage)) }, (_, k) => plan((page - 1) * perPage + k + 1));
    const body: Record<string, unknown> = { application: 'dmptool', api_version: 2, code: 200, page, per_page: perPage, total_items: total, items };
    const q = `page=${page + 1}&per_page=${perPage}`;
    if (page < pages) {
      if (opts.next === 'relative') body.next = `/api/v2/plans?${q}`;
      if (opts.next === 'with-prefix') body.next = `${opts.prefix}/api/v2/plans?${q}`;
      if (opts.next === 'absolute-elsewhere') body.next = `https://elsewhere.example/api/v2/plans?${q}`;
    }
    json(res, 200, body);
  };
}

async function all<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('pagination', () => {
  test('a server that ignores `page` (the same plans on every page, a `next` that always moves on) ends the walk, no endless loop', async () => {
    handler = (_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? 1);
      json(res, 200, { application: 'dmptool', api_version: 2, code: 200, page, per_page: 2, total_items: 1_000_000, items: [plan(1), plan(2)], next: `/api/v2/plans?page=${page + 1}&per_page=2` });
    };
    const pages: unknown[] = [];
    for await (const p of client().planPages({ perPage: 2 })) {
      pages.push(p);
      if (pages.length > 10) break;
    }
    expect(pages).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  test('the wiki reading: per_page defaults to 20 and no `next`: pages are requested by number from total_items', async () => {
    handler = planServer(45, { defaultPerPage: 20, next: 'none' });
    const plans = await all(client().plans());
    expect(plans.map((p) => p.id)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/plans?page=1&per_page=100', '/api/v2/plans?page=2&per_page=20', '/api/v2/plans?page=3&per_page=20']);
  });

  test('`next` links are followed; a base with a path prefix keeps it, and a prefix already in the link is not doubled', async () => {
    handler = planServer(250, { defaultPerPage: 100, next: 'relative' });
    const plans = await all(client(`${origin}/dmptool`).plans());
    expect(plans).toHaveLength(250);
    expect(seen.map((s) => s.path)).toEqual(['/dmptool/api/v2/plans?page=1&per_page=100', '/dmptool/api/v2/plans?page=2&per_page=100', '/dmptool/api/v2/plans?page=3&per_page=100']);

    seen = [];
    handler = planServer(150, { defaultPerPage: 100, next: 'with-prefix', prefix: '/dmptool' });
    expect(await all(client(`${origin}/dmptool/`).plans())).toHaveLength(150);
    expect(seen.map((s) => s.path)).toEqual(['/dmptool/api/v2/plans?page=1&per_page=100', '/dmptool/api/v2/plans?page=2&per_page=100']);
  });

  test('an absolute `next` on another host is resolved on the base, so the token never goes there', async () => {
    handler = planServer(150, { defaultPerPage: 100, next: 'absolute-elsewhere' });
    expect(await all(client().plans())).toHaveLength(150);
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/plans?page=1&per_page=100', '/api/v2/plans?page=2&per_page=100']);
    expect(seen.every((s) => s.auth === 'Bearer tkn')).toBe(true);
  });

  test('a `next` that points back at a page already read ends the walk', async () => {
    handler = (_req, res) => json(res, 200, { page: 1, per_page: 100, total_items: 500, next: '/api/v2/plans?page=1&per_page=100', items: [plan(1)] });
    expect(await all(client().plans())).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  test('a per-page size asks for exactly that; the generator stops requesting when the caller stops reading', async () => {
    handler = planServer(250, { defaultPerPage: 100, next: 'relative' });
    for await (const page of client().planPages({ perPage: 30 })) {
      expect(page).toMatchObject({ page: 1, perPage: 30, total: 250, hasMore: true });
      break;
    }
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/plans?page=1&per_page=30']);
  });

  test('404 "No Plans found" is no plans; items not shaped like a DMP are counted as skipped', async () => {
    handler = (_req, res) => json(res, 404, { application: 'dmptool', api_version: 2, code: 404, message: 'Not Found', total_items: 0, items: [], errors: ['No Plans found'] });
    expect(await all(client().planPages())).toEqual([{ items: [], page: 1, perPage: undefined, total: 0, hasMore: false, skipped: 0 }]);
    handler = (_req, res) => json(res, 200, { page: 1, per_page: 100, total_items: 2, items: [plan(1), { nope: true }] });
    const [page] = await all(client().planPages());
    expect(page?.items).toHaveLength(1);
    expect(page?.skipped).toBe(1);
  });

  test('a wrong base (HTML, or JSON that is not the envelope) is an error, not an empty list', async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Not here</body></html>');
    };
    await expect(all(client().plans())).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_req, res) => json(res, 404, { message: 'No route' });
    await expect(all(client().plans())).rejects.toMatchObject({ code: 'API_ERROR', status: 404 });
    handler = (_req, res) => json(res, 200, { hello: 'world' });
    await expect(all(client().plans())).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringMatching(/not its v2 envelope/) });
  });
});

describe('one plan, its PDF, a DOI', () => {
  test('plan(): the item as sent; an empty answer or a 404 envelope is "Plan not found"; a non-DMP item is a bad response', async () => {
    handler = (_req, res) => json(res, 200, { total_items: 1, items: [plan(7, { dmproadmap_privacy: 'private', extra_field: 1 })] });
    const p = await client().plan(7);
    expect(p.summary).toMatchObject({ id: 7, title: 'Plan 7', privacy: 'private', doi: '10.48321/D1P7' });
    expect(p.document).toEqual(plan(7, { dmproadmap_privacy: 'private', extra_field: 1 }));
    expect(seen.at(-1)?.path).toBe('/api/v2/plans/7');

    handler = (_req, res) => json(res, 200, { total_items: 0, items: [] });
    await expect(client().plan(7)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^Plan not found/) });
    handler = (_req, res) => json(res, 404, { application: 'dmptool', code: 404, items: [], errors: ['Plan not found'] });
    await expect(client().plan(7)).rejects.toMatchObject({ code: 'NOT_FOUND', exitCode: 1 });
    handler = (_req, res) => json(res, 200, { items: [{ not: 'a dmp' }] });
    await expect(client().plan(7)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  test('pdf(): asks for application/pdf; a JSON or HTML answer in its place is NOT_A_PDF', async () => {
    let accept = '';
    handler = (req, res) => {
      accept = String(req.headers.accept);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html>maintenance</html>');
    };
    await expect(client().pdf(3)).rejects.toMatchObject({ code: 'NOT_A_PDF' });
    expect(accept).toMatch(/^application\/pdf/);
    expect(seen.at(-1)?.path).toBe('/api/v2/plans/3.pdf');
    handler = (_req, res) => json(res, 200, { application: 'dmptool', code: 200, items: [], errors: ['PDF generation is disabled'] });
    await expect(client().pdf(3)).rejects.toMatchObject({ code: 'NOT_A_PDF', message: expect.stringMatching(/application\/json instead of a PDF for plan 3 \(PDF generation is disabled\)/) });
    handler = (_req, res) => json(res, 404, { application: 'dmptool', code: 404, items: [], errors: ['Plan not found'] });
    await expect(client().pdf(3)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Any other type (or none): the bytes decide, downstream.
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'binary/octet-stream' });
      res.end('%PDF-1.4 …');
    };
    const ok = await client().pdf(3);
    expect(ok.status).toBe(200);
    await ok.body.dump();
  });

  test('findPlanByDoi(): case-insensitive, across pages, and no page after the one that has it', async () => {
    handler = planServer(250, { defaultPerPage: 100, next: 'relative' });
    const hit = await client().findPlanByDoi('10.48321/d1p150');
    expect(hit?.id).toBe(150);
    expect(seen).toHaveLength(2);
    seen = [];
    expect(await client().findPlanByDoi('10.48321/NOPE')).toBeUndefined();
    expect(seen).toHaveLength(3);
  });
});

describe('auth failures', () => {
  const classify = (status: number, body: string, headers: Record<string, string> = {}) =>
    dmptool.auth.classify(status, readErrorBody(dmptool.errorBody, status, body, headers), headers);

  test("Doorkeeper's 403 with an empty body is a scope failure, with or without WWW-Authenticate", () => {
    expect(classify(403, '')).toMatchObject({ kind: 'scope', detail: 'insufficient_scope', scopes: undefined });
    expect(
      classify(403, '', { 'www-authenticate': 'Bearer realm="Doorkeeper", error="insufficient_scope", error_description="Access to this resource requires scope \\"read_dmps\\"."' }),
    ).toMatchObject({ kind: 'scope' });
    expect(classify(403, '', { 'www-authenticate': 'Bearer realm="Doorkeeper", error="insufficient_scope", error_description="Required scopes: public read_dmps"' })?.scopes).toEqual(['public', 'read_dmps']);
  });

  test('a 403 envelope (a policy refusal) is not a scope problem; a 401 envelope is an invalid token', () => {
    expect(classify(403, JSON.stringify({ code: 403, items: [], errors: ['The client is not authorized to perform this action.'] }))).toBeUndefined();
    expect(classify(401, JSON.stringify({ code: 401, items: [], errors: ['token is invalid, expired or has been revoked'] }))).toEqual({
      kind: 'invalid',
      detail: 'token is invalid, expired or has been revoked',
    });
  });

  test('the scope error names the scope the request needs, and how to get it, for env and stored tokens', () => {
    const endpoints = resolveEndpoints(dmptool);
    const failure = { kind: 'scope' as const, detail: 'insufficient_scope' };
    const env = authError(dmptool, failure, 403, { phase: 'use', cred: { source: 'env', envVar: 'RDP_DMPTOOL_TOKEN', endpoints }, scopes: ['read_dmps'] });
    expect(env).toBeInstanceOf(RdpError);
    expect(env).toMatchObject({ code: 'AUTH_SCOPE', exitCode: 4, details: { scopes: ['read_dmps'] } });
    expect(env.message).toBe('DMPTool refused the request: the token lacks the read_dmps scope (403: insufficient_scope).');
    expect(env.hint).toMatch(/^Give RDP_DMPTOOL_TOKEN a token with the read_dmps scope \(get API credentials from the "Developer Tools" tab/);
    const stored = authError(dmptool, failure, 403, { phase: 'use', cred: { source: 'keychain', endpoints }, scopes: ['read_dmps'] });
    expect(stored.hint).toMatch(/`rdp login dmptool --with-token`/);
    const unknown = authError(dmptool, failure, 403, { phase: 'use', cred: { source: 'keychain', endpoints } });
    expect(unknown.message).toMatch(/lacks a needed scope/);
  });
});
