// The emulator's OAuth servers held to recorded facts of the real services (providers.md section 0,
// and the services' own server code: invenio-oauth2server for Zenodo, Doorkeeper as DMPTool configures
// it, ORCID, Zotero). Each fixture in test/contract/<service>/oauth-*.json states one fact, where it
// comes from, and the observable cases; this file drives the emulator over HTTP, as a client would,
// and checks each case. The emulator shares no code with rdp's clients, and this test imports none.
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OAuth from 'oauth-1.0a';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { type ClientInfo, client, registerClient } from '../helpers/oauth.js';

type Service = 'zenodo' | 'dmptool' | 'orcid' | 'zotero' | 'invenio';
interface Fixture {
  service: Service;
  kind: string;
  fact: string;
  sources: unknown[];
  [key: string]: unknown;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FIXTURES: [string, Fixture][] = [];
for (const service of ['zenodo', 'dmptool', 'orcid', 'zotero', 'invenio']) {
  for (const name of readdirSync(join(HERE, service)).filter((n) => /^oauth-.*\.json$/.test(n)).sort()) {
    FIXTURES.push([`${service}/${name}`, JSON.parse(readFileSync(join(HERE, service, name), 'utf8')) as Fixture]);
  }
}

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const LOOPBACK = 'http://127.0.0.1:4321/callback';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const DEFAULT_SCOPE: Record<Service, string> = { zenodo: 'deposit:write deposit:actions', dmptool: 'public read_dmps', orcid: '/authenticate', zotero: '', invenio: 'user:email' };

const base = (s: Service) => emu.info[s].url;
const control = (path: string, body: unknown) => fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) });
const clock = (body: { advanceMs?: number; offsetMs?: number }) => control('/clock', body);

function authorizeUrl(s: Service, c: ClientInfo, redirectUri: string, extra: Record<string, string> = {}): string {
  const u = new URL(`${base(s)}/oauth/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: c.clientId, redirect_uri: redirectUri, scope: DEFAULT_SCOPE[s], state: 'st-1', ...extra })) u.searchParams.set(k, v);
  return u.toString();
}

/** Press Approve or Deny on the consent page; the raw answer of the form post. */
async function decide(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<Response> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  expect(page.status, html.slice(0, 200)).toBe(200);
  const action = (/<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
  const id = /name="request_id" value="([^"]*)"/.exec(html)?.[1] ?? '';
  return fetch(action, { method: 'POST', body: new URLSearchParams({ request_id: id, decision }), redirect: 'manual' });
}

async function codeFor(s: Service, c: ClientInfo, redirectUri: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await decide(authorizeUrl(s, c, redirectUri, extra), 'approve');
  const loc = new URL(res.headers.get('location') ?? '', base(s));
  const code = loc.searchParams.get('code');
  expect(code).toBeTruthy();
  return code as string;
}

async function tokenRequest(s: Service, c: ClientInfo | { clientId: string; clientSecret?: string }, form: Record<string, string | null | undefined>) {
  const body = new URLSearchParams({ client_id: c.clientId });
  if (c.clientSecret) body.set('client_secret', c.clientSecret);
  for (const [k, v] of Object.entries(form)) if (v !== undefined && v !== null) body.set(k, v);
  const r = await fetch(`${base(s)}/oauth/token`, { method: 'POST', body });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: r.status, json };
}

const exchange = (s: Service, c: ClientInfo, code: string, redirectUri: string, verifier?: string | null) =>
  tokenRequest(s, c, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });

/** A client of the service that can use `redirectUri` (DMPTool's: out-of-band, as on dmptool.org). */
async function testClient(s: Service, redirectUri = LOOPBACK, opts: { confidential?: boolean } = {}): Promise<ClientInfo> {
  return registerClient(emu, { service: s as 'zenodo', redirectUris: [redirectUri], ...opts });
}

const KINDS: Record<string, (f: Fixture) => Promise<void>> = {
  async 'redirect-match'(f) {
    const c = await testClient(f.service, (f.registered as string[])[0]);
    for (const k of f.cases as { redirect_uri: string; accepted: boolean }[]) {
      const r = await fetch(authorizeUrl(f.service, c, k.redirect_uri), { redirect: 'manual' });
      const loc = r.headers.get('location');
      if (k.accepted) {
        expect(r.status, k.redirect_uri).toBe(200);
        expect(await r.text()).toMatch(/id="approve"/);
        continue;
      }
      // Never an authorization response to the unregistered URI.
      expect(r.status, k.redirect_uri).not.toBe(200);
      expect(loc?.startsWith(k.redirect_uri) ?? false).toBe(false);
      const m = f.mismatch as { status: number; location_path: string; location_query: Record<string, string> } | undefined;
      if (m) {
        expect(r.status).toBe(m.status);
        const u = new URL(loc ?? '', base(f.service));
        expect(u.href.startsWith(`${base(f.service)}${m.location_path}`)).toBe(true);
        for (const [q, v] of Object.entries(m.location_query)) expect(u.searchParams.get(q)).toBe(v);
        expect((await fetch(u)).status).toBe(200);
      }
    }
  },

  async 'redirect-registration'(f) {
    for (const uri of f.accepted as string[]) {
      const r = await control('/oauth/clients', { service: f.service, redirectUris: [uri] });
      expect(r.status, uri).toBe(201);
    }
    for (const uri of f.refused as string[]) {
      const r = await control('/oauth/clients', { service: f.service, redirectUris: [uri] });
      expect(r.status, uri).toBe(400);
      if (f.refusal_text) expect(((await r.json()) as { message: string }).message).toContain(f.refusal_text as string);
    }
  },

  async 'code-lifetime'(f) {
    const redirect = f.service === 'dmptool' ? OOB : LOOPBACK;
    const c = await testClient(f.service, redirect);
    const err = f.expired_error as { status: number; error: string };
    try {
      const early = await codeFor(f.service, c, redirect);
      await clock({ advanceMs: (f.valid_at_seconds as number) * 1000 });
      expect((await exchange(f.service, c, early, redirect)).status).toBe(200);
      const late = await codeFor(f.service, c, redirect);
      await clock({ advanceMs: (f.expired_at_seconds as number) * 1000 });
      const r = await exchange(f.service, c, late, redirect);
      expect(r.status).toBe(err.status);
      expect(r.json.error).toBe(err.error);
    } finally {
      await clock({ offsetMs: 0 });
    }
  },

  async pkce(f) {
    const redirect = f.service === 'dmptool' ? OOB : LOOPBACK;
    const c = await testClient(f.service, redirect);
    for (const k of f.exchange as { code_verifier: string | null; status: number }[]) {
      const code = await codeFor(f.service, c, redirect, { code_challenge: CHALLENGE, code_challenge_method: 'S256' });
      expect((await exchange(f.service, c, code, redirect, k.code_verifier)).status).toBe(k.status);
    }
  },

  async 'one-token-per-client'(f) {
    const c = await testClient(f.service);
    const tokens = new Map<string, { access: string; refresh: string }>();
    const api = f.api as { method: string; path: string };
    for (const step of f.steps as { do?: string; expect?: string; as?: string; token?: string; status?: number; error?: string }[]) {
      if (step.do === 'code-grant') {
        const r = await exchange(f.service, c, await codeFor(f.service, c, LOOPBACK), LOOPBACK);
        expect(r.status).toBe(200);
        tokens.set(step.as as string, { access: r.json.access_token as string, refresh: r.json.refresh_token as string });
      } else if (step.do === 'refresh') {
        const r = await tokenRequest(f.service, c, { grant_type: 'refresh_token', refresh_token: tokens.get(step.token as string)?.refresh });
        expect(r.status).toBe(200);
        tokens.set(step.as as string, { access: r.json.access_token as string, refresh: r.json.refresh_token as string });
      } else if (step.expect === 'api') {
        const r = await fetch(`${base(f.service)}${api.path}`, { method: api.method, headers: { authorization: `Bearer ${tokens.get(step.token as string)?.access}` } });
        expect(r.status, JSON.stringify(step)).toBe(step.status);
      } else if (step.expect === 'refresh') {
        const r = await tokenRequest(f.service, c, { grant_type: 'refresh_token', refresh_token: tokens.get(step.token as string)?.refresh });
        expect(r.status, JSON.stringify(step)).toBe(step.status);
        expect(r.json.error).toBe(step.error);
      }
    }
  },

  async 'invalid-token'(f) {
    const req = f.request as { method: string; path: string };
    const c = await testClient(f.service);
    const first = await exchange(f.service, c, await codeFor(f.service, c, LOOPBACK), LOOPBACK);
    await exchange(f.service, c, await codeFor(f.service, c, LOOPBACK), LOOPBACK); // revokes the first
    for (const k of f.cases as { authorization: string | null; status: number }[]) {
      const headers: Record<string, string> = {};
      if (k.authorization === 'revoked') headers.authorization = `Bearer ${first.json.access_token as string}`;
      else if (k.authorization) headers.authorization = k.authorization;
      const r = await fetch(`${base(f.service)}${req.path}`, { method: req.method, headers });
      expect(r.status, String(k.authorization)).toBe(k.status);
    }
  },

  async 'public-client'(f) {
    const pub = await testClient(f.service, LOOPBACK, { confidential: false });
    const p = await exchange(f.service, { clientId: pub.clientId, clientSecret: '' }, await codeFor(f.service, pub, LOOPBACK), LOOPBACK);
    expect(p.status).toBe(200);
    expect('refresh_token' in p.json).toBe((f.public as { refresh_token: boolean }).refresh_token);
    const conf = await testClient(f.service);
    const c = await exchange(f.service, conf, await codeFor(f.service, conf, LOOPBACK), LOOPBACK);
    const want = f.confidential as { refresh_token: boolean; expires_in: number };
    expect(typeof c.json.refresh_token === 'string').toBe(want.refresh_token);
    expect(c.json.expires_in).toBe(want.expires_in);
  },

  async 'out-of-band'(f) {
    const c = await testClient(f.service, OOB);
    const approve = f.approve as { status: number; location_path: string; page_selector: string };
    const res = await decide(authorizeUrl(f.service, c, OOB), 'approve');
    expect(res.status).toBe(approve.status);
    const loc = new URL(res.headers.get('location') ?? '', base(f.service));
    expect(loc.href.startsWith(`${base(f.service)}${approve.location_path}?`)).toBe(true);
    expect(loc.searchParams.has('state')).toBe(false);
    const code = loc.searchParams.get('code') ?? '';
    const page = await (await fetch(loc)).text();
    const [tag, id] = approve.page_selector.split('#') as [string, string];
    expect(page).toContain(`<${tag} id="${id}">${code}</${tag}>`);
    const ex = f.exchange as { redirect_uri: string; status: number };
    expect((await exchange(f.service, c, code, ex.redirect_uri)).status).toBe(ex.status);

    const deny = f.deny as { status: number; body: Record<string, string> };
    const denied = await decide(authorizeUrl(f.service, c, OOB), 'deny');
    expect(denied.status).toBe(deny.status);
    expect(denied.headers.get('location')).toBeNull();
    expect(await denied.json()).toMatchObject(deny.body);
  },

  async 'scopes-per-endpoint'(f) {
    const token = async (scopes: string[]) =>
      ((await (await control('/tokens', { service: f.service, scopes, kind: 'oauth' })).json()) as { token: string }).token;
    const get = (path: string, t: string) => fetch(`${base(f.service)}${path}`, { headers: { authorization: `Bearer ${t}`, accept: 'application/json' } });
    // A plan of the token's user, by its API link (`dmproadmap_links.get`: …/api/v2/plans/<id>).
    const list = (await (await get('/api/v2/plans', await token(['read_dmps']))).json()) as { items: { dmp: { dmproadmap_links?: { get?: string } } }[] };
    const id = /\/plans\/(\d+)/.exec(list.items[0]?.dmp.dmproadmap_links?.get ?? '')?.[1];
    expect(id).toBeTruthy();
    for (const k of f.cases as { scopes: string[]; path: string; status: number | number[] }[]) {
      const r = await get(k.path.replace('{id}', id as string), await token(k.scopes));
      const body = await r.text();
      const ok = Array.isArray(k.status) ? k.status : [k.status];
      expect(ok, `${k.path} with ${k.scopes.join(' ')}: ${r.status}`).toContain(r.status);
      if (r.status === 403) expect(body).toBe(f.forbidden_body);
    }
  },

  async 'rdm-scopes'(f) {
    const c = await testClient(f.service);
    for (const k of f.authorize as { scope: string | null; accepted: boolean; error?: string }[]) {
      const u = new URL(authorizeUrl(f.service, c, LOOPBACK));
      if (k.scope === null) u.searchParams.delete('scope');
      else u.searchParams.set('scope', k.scope);
      const r = await fetch(u, { redirect: 'manual' });
      if (k.accepted) {
        expect(r.status, String(k.scope)).toBe(200);
        expect(await r.text()).toMatch(/id="approve"/);
      } else {
        expect(r.status, String(k.scope)).not.toBe(200);
        expect(new URL(r.headers.get('location') ?? '', base(f.service)).searchParams.get('error')).toBe(k.error);
      }
    }
    // A token granted no scope at all acts for its user on the records API.
    const bare = new URL(authorizeUrl(f.service, c, LOOPBACK));
    bare.searchParams.delete('scope');
    const res = await decide(bare.toString(), 'approve');
    const code = new URL(res.headers.get('location') ?? '', base(f.service)).searchParams.get('code') ?? '';
    const t = await exchange(f.service, c, code, LOOPBACK);
    expect(t.status).toBe(200);
    const want = f.granted_without_scope as { api: { method: string; path: string }; status: number };
    const api = await fetch(`${base(f.service)}${want.api.path}`, { method: want.api.method, headers: { authorization: `Bearer ${t.json.access_token as string}` } });
    expect(api.status).toBe(want.status);
    const conf = f.confidential as { expires_in: number; refresh_token: boolean };
    expect(t.json.expires_in).toBe(conf.expires_in);
    expect(typeof t.json.refresh_token === 'string').toBe(conf.refresh_token);
  },

  async 'deposit-scopes-unchecked'(f) {
    const c = await testClient(f.service);
    const code = await codeFor(f.service, c, LOOPBACK, { scope: f.grantedScope as string });
    const t = await exchange(f.service, c, code, LOOPBACK);
    expect(t.status).toBe(200);
    const auth = { authorization: `Bearer ${t.json.access_token as string}` };
    const want = Object.fromEntries((f.allowed as { step: string; status: number }[]).map((a) => [a.step, a.status]));
    const metadata = { title: 'Tide gauges', upload_type: 'dataset', description: 'Daily readings.', creators: [{ name: 'Doe, Jane' }] };
    const created = await fetch(`${base(f.service)}/api/deposit/depositions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ metadata }) });
    expect(created.status).toBe(want.create);
    const d = (await created.json()) as { links: { bucket: string; publish: string } };
    expect((await fetch(`${d.links.bucket}/a.txt`, { method: 'PUT', headers: auth, body: 'a' })).status).toBe(want.upload);
    expect((await fetch(d.links.publish, { method: 'POST', headers: auth })).status).toBe(want.publish);
  },

  async 'orcid-no-pkce'(f) {
    const c = client(emu, 'orcid');
    const guard = f.emulator_guard as { authorize_with_code_challenge: { status: number; error: string }; authorize_without: { status: number } };
    const withChallenge = await fetch(authorizeUrl('orcid', c, LOOPBACK, { code_challenge: CHALLENGE, code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(withChallenge.status).toBe(guard.authorize_with_code_challenge.status);
    const loc = new URL(withChallenge.headers.get('location') ?? '');
    expect(loc.origin + loc.pathname).toBe(LOOPBACK);
    expect(loc.searchParams.get('error')).toBe(guard.authorize_with_code_challenge.error);
    expect((await fetch(authorizeUrl('orcid', c, LOOPBACK), { redirect: 'manual' })).status).toBe(guard.authorize_without.status);
    // Without PKCE the code exchanges with exactly the forwarded parameters.
    const code = await codeFor('orcid', c, LOOPBACK);
    const fields = f.forwarded_token_params as string[];
    const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: LOOPBACK };
    expect(Object.keys({ client_id: 1, client_secret: 1, ...form }).sort()).toEqual([...fields].sort());
    expect((await tokenRequest('orcid', c, form)).status).toBe(200);
  },

  async 'zotero-request-callback'(f) {
    const c = client(emu, 'zotero');
    const callback = f.callback as string;
    const oauth = new OAuth({ consumer: { key: c.clientId, secret: c.clientSecret }, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
    const url = `${base('zotero')}/oauth/request?oauth_callback=${encodeURIComponent(callback)}`;
    const data = { oauth_callback: callback };
    const header = oauth.toHeader({ ...oauth.authorize({ url, method: 'POST', data }), ...data } as OAuth.Authorization);
    expect(header.Authorization).toContain('oauth_callback=');
    const r = await fetch(url, { method: 'POST', headers: { ...header } });
    const reply = f.reply as { status: number; fields: string[]; oauth_callback_confirmed: string };
    expect(r.status).toBe(reply.status);
    const body = new URLSearchParams(await r.text());
    for (const k of reply.fields) expect(body.get(k)).toBeTruthy();
    expect(body.get('oauth_callback_confirmed')).toBe(reply.oauth_callback_confirmed);
  },
};

describe('the emulator holds to the recorded OAuth facts of the real services', () => {
  test('every fixture states a fact and its source, and has a check', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(14);
    for (const [name, f] of FIXTURES) {
      expect(f.fact.length, name).toBeGreaterThan(40);
      expect(f.sources.length, name).toBeGreaterThan(0);
      expect(KINDS[f.kind], `${name}: kind ${f.kind}`).toBeTypeOf('function');
    }
  });

  test.each(FIXTURES)('%s', async (_name, f) => {
    await (KINDS[f.kind] as (f: Fixture) => Promise<void>)(f);
  });
});
