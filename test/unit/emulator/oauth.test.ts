// The emulated OAuth servers, spoken to directly over HTTP: what providers.md says each one does with
// authorize requests, codes, PKCE, redirect URIs, refresh and client-credentials grants, and errors.
import { createHash, createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OOB_URI, oauthState, pkceMatches, redirectRegistrationError, redirectUriMatches } from '../../../src/emulator/oauth-common.js';
import { FormBrowser } from '../../helpers/browser.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { type ClientInfo, client, type OAuthId, registerClient } from '../../helpers/oauth.js';

let emu: TestEmulator;
/** Clients registered for REDIRECT, each by its service's own rules (DMPTool's on a development deployment, which allows http). */
const CLIENTS = {} as Record<OAuthId, ClientInfo>;
beforeAll(async () => {
  emu = await startTestEmulator();
  CLIENTS.zenodo = await registerClient(emu, { service: 'zenodo', redirectUris: [REDIRECT] });
  CLIENTS.dmptool = await registerClient(emu, { service: 'dmptool', redirectUris: [REDIRECT], development: true });
  CLIENTS.orcid = client(emu, 'orcid'); // registered with the bare host http://127.0.0.1
  CLIENTS.zotero = client(emu, 'zotero');
});
afterAll(() => emu.close());

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = 'http://127.0.0.1:4321/callback';

function authorizeUrl(id: OAuthId, extra: Record<string, string> = {}): string {
  const u = new URL(`${emu.info[id].url}/oauth/authorize`);
  const defaults: Record<string, string> = {
    response_type: 'code',
    client_id: CLIENTS[id].clientId,
    redirect_uri: REDIRECT,
    scope: id === 'zenodo' ? 'deposit:write deposit:actions' : id === 'orcid' ? '/authenticate' : 'read_dmps',
    state: 'st',
    // ORCID does not support PKCE (and the emulator refuses a challenge there).
    ...(id === 'orcid' ? {} : { code_challenge: CHALLENGE, code_challenge_method: 'S256' }),
  };
  for (const [k, v] of Object.entries({ ...defaults, ...extra })) if (v !== '') u.searchParams.set(k, v);
  return u.toString();
}

async function code(id: OAuthId, extra: Record<string, string> = {}): Promise<string> {
  const { location } = await FormBrowser.consent(authorizeUrl(id, extra), 'approve');
  const u = new URL(location);
  expect(u.searchParams.get('state')).toBe('st');
  return u.searchParams.get('code') ?? '';
}

async function token(id: OAuthId, form: Record<string, string | undefined>): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const c = CLIENTS[id];
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ client_id: c.clientId, client_secret: c.clientSecret, ...form })) if (v !== undefined) body.set(k, v);
  const r = await fetch(`${emu.info[id].url}/oauth/token`, { method: 'POST', body });
  const text = await r.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed, text };
}

const exchange = (id: OAuthId, c: string, extra: Record<string, string | undefined> = {}) =>
  token(id, { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...extra });

describe('redirect URIs and PKCE', () => {
  test("each service's redirect rule: Zenodo exact (port included), Doorkeeper loopback IPs on any port, ORCID a bare host for any port and path", () => {
    const zen = { redirectUris: ['http://127.0.0.1:21930/callback'] };
    expect(redirectUriMatches('exact', zen, 'http://127.0.0.1:21930/callback')).toBe(true);
    expect(redirectUriMatches('exact', zen, 'http://127.0.0.1:21931/callback')).toBe(false);
    expect(redirectUriMatches('exact', zen, 'http://localhost:21930/callback')).toBe(false);
    expect(redirectUriMatches('exact', { redirectUris: ['http://127.0.0.1/callback'] }, 'http://127.0.0.1:5555/callback')).toBe(false);
    // The emulator-only any-port registration.
    expect(redirectUriMatches('exact', { redirectUris: ['http://127.0.0.1/callback'], anyPort: true }, 'http://127.0.0.1:5555/callback')).toBe(true);
    expect(redirectUriMatches('exact', { redirectUris: ['http://127.0.0.1/callback'], anyPort: true }, 'http://127.0.0.1:5555/other')).toBe(false);

    const dk = { redirectUris: ['http://127.0.0.1:9/callback', OOB_URI] };
    expect(redirectUriMatches('doorkeeper', dk, 'http://127.0.0.1:5555/callback')).toBe(true);
    expect(redirectUriMatches('doorkeeper', dk, 'http://127.0.0.1:5555/other')).toBe(false);
    expect(redirectUriMatches('doorkeeper', dk, 'http://localhost:9/callback')).toBe(false);
    expect(redirectUriMatches('doorkeeper', dk, OOB_URI)).toBe(true);
    expect(redirectUriMatches('doorkeeper', { redirectUris: ['https://example.org/cb'] }, 'https://example.org:8443/cb')).toBe(false);

    const orcid = { redirectUris: ['http://127.0.0.1'] };
    expect(redirectUriMatches('orcid', orcid, 'http://127.0.0.1:5555/callback')).toBe(true);
    expect(redirectUriMatches('orcid', orcid, 'https://127.0.0.1:5555/callback')).toBe(false);
    expect(redirectUriMatches('orcid', { redirectUris: ['https://example.org/orcid'] }, 'https://example.org/orcid/cb')).toBe(true);
    expect(redirectUriMatches('orcid', { redirectUris: ['https://example.org/orcid'] }, 'https://example.org/other')).toBe(false);
  });

  test('registration: Zenodo takes http only for localhost/127.0.0.1; dmptool.org only https and the out-of-band URI (a development deployment also http)', () => {
    expect(redirectRegistrationError('zenodo', ['http://127.0.0.1:21930/callback', 'https://example.org/cb'])).toBeUndefined();
    expect(redirectRegistrationError('zenodo', ['http://[::1]:21930/callback'])).toMatch(/Invalid redirect URIs/);
    expect(redirectRegistrationError('zenodo', [OOB_URI])).toBeDefined();
    expect(redirectRegistrationError('dmptool', [OOB_URI, 'https://example.org/cb'])).toBeUndefined();
    expect(redirectRegistrationError('dmptool', ['http://127.0.0.1:9/callback'])).toMatch(/must be an HTTPS\/SSL URI/);
    expect(redirectRegistrationError('dmptool', ['http://127.0.0.1:9/callback'], { development: true })).toBeUndefined();
  });

  test('PKCE S256 and plain', () => {
    expect(pkceMatches(CHALLENGE, 'S256', VERIFIER)).toBe(true);
    expect(pkceMatches(CHALLENGE, 'S256', `${VERIFIER.slice(0, -1)}x`)).toBe(false);
    expect(pkceMatches(VERIFIER, 'plain', VERIFIER)).toBe(true);
    expect(pkceMatches(CHALLENGE, 'S256', null)).toBe(false);
    expect(pkceMatches(CHALLENGE, 'S256', 'short')).toBe(false);
  });
});

describe('authorize endpoint', () => {
  test('an unknown client or an unregistered redirect URI gets an error page, never a redirect', async () => {
    const unknown = await fetch(authorizeUrl('zenodo', { client_id: 'nobody' }), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/Unknown application/);
    const bad = await fetch(authorizeUrl('dmptool', { redirect_uri: 'http://localhost:4321/callback' }), { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    expect(await bad.text()).toMatch(/doesn't match client redirect URI/);
    // Zenodo sends the browser to its own error page, never to the client.
    const zen = await fetch(authorizeUrl('zenodo', { redirect_uri: 'http://127.0.0.1:4322/callback' }), { redirect: 'manual' });
    expect(zen.status).toBe(302);
    expect(zen.headers.get('location')).toBe(`${emu.info.zenodo.url}/oauth/errors?error=mismatching_redirect_uri`);
  });

  test('a bad scope or response type goes back to the client as an OAuth error with the state', async () => {
    const scope = await fetch(authorizeUrl('dmptool', { scope: 'read_dmps delete_everything' }), { redirect: 'manual' });
    expect(scope.status).toBe(302);
    const loc = new URL(scope.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('invalid_scope');
    expect(loc.searchParams.get('state')).toBe('st');
    const rt = await fetch(authorizeUrl('orcid', { response_type: 'token' }), { redirect: 'manual' });
    expect(new URL(rt.headers.get('location') ?? '').searchParams.get('error')).toBe('unsupported_response_type');
  });

  test('the consent page has Approve and Deny buttons; Deny sends access_denied with the state', async () => {
    const html = await (await fetch(authorizeUrl('zenodo'))).text();
    expect(html).toMatch(/<button[^>]*id="approve"[^>]*>Approve<\/button>/);
    expect(html).toMatch(/<button[^>]*id="deny"[^>]*>Deny<\/button>/);
    const { location } = await FormBrowser.consent(authorizeUrl('zenodo'), 'deny');
    const u = new URL(location);
    expect(u.origin + u.pathname).toBe(REDIRECT);
    expect(u.searchParams.get('error')).toBe('access_denied');
    expect(u.searchParams.get('state')).toBe('st');
    expect(u.searchParams.has('code')).toBe(false);
  });
});

describe('token endpoint: authorization codes', () => {
  test('Zenodo: the token response of providers.md 1.2 (user.id always, the email with user:email)', async () => {
    const r = await exchange('zenodo', await code('zenodo'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 5_184_000, scope: 'deposit:write deposit:actions', user: { id: '123456' } });
    expect(typeof r.body.refresh_token).toBe('string');
    expect((r.body.user as Record<string, unknown>).email).toBeUndefined();
    const e = await exchange('zenodo', await code('zenodo', { scope: 'deposit:write user:email' }));
    expect(e.body.user).toEqual({ id: '123456', email: 'jane@example.org', email_verified: true });
  });

  test('a code works once; a replay is invalid_grant and revokes the token it gave', async () => {
    const c = await code('dmptool');
    const first = await exchange('dmptool', c);
    expect(first.status).toBe(200);
    const again = await exchange('dmptool', c);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect(emu.server.state.usable(emu.server.state.tokens.get(first.body.access_token as string))).toBe(false);
  });

  test('PKCE: Zenodo and DMPTool accept a challenge and ignore it (any verifier, or none); ORCID refuses an authorize request that carries one', async () => {
    expect((await exchange('zenodo', await code('zenodo'), { code_verifier: `${VERIFIER.slice(0, -1)}A` })).status).toBe(200);
    expect((await exchange('dmptool', await code('dmptool'), { code_verifier: undefined })).status).toBe(200);
    const orcid = await fetch(authorizeUrl('orcid', { code_challenge: CHALLENGE, code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(orcid.status).toBe(302);
    const loc = new URL(orcid.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toMatch(/does not support PKCE/);
  });

  test('another redirect URI at the token endpoint, or an expired code, are invalid_grant', async () => {
    const redirect = await exchange('orcid', await code('orcid'), { redirect_uri: 'http://127.0.0.1:4322/callback' });
    expect(redirect.status).toBe(400);
    expect(redirect.body).toEqual({ error: 'invalid_grant', error_description: 'Redirect URI mismatch.' });
    oauthState(emu.server.state).settingsFor('dmptool').codeLifetime = 0;
    try {
      const c = await code('dmptool');
      expect((await exchange('dmptool', c)).body.error).toBe('invalid_grant');
    } finally {
      oauthState(emu.server.state).settingsFor('dmptool').codeLifetime = 600;
    }
  });

  test('client authentication: wrong secret 401 invalid_client; Zenodo answers an unknown client with 404', async () => {
    const dmp = await exchange('dmptool', await code('dmptool'), { client_secret: 'wrong' });
    expect(dmp.status).toBe(401);
    expect(dmp.body.error).toBe('invalid_client');
    const orcid = await exchange('orcid', 'abcdef', { client_secret: 'wrong' });
    expect(orcid.status).toBe(401);
    expect(orcid.body).toEqual({ error: 'invalid_client', error_description: 'Bad client credentials' });
    const zen = await exchange('zenodo', 'x', { client_id: 'nobody' });
    expect(zen.status).toBe(404);
    expect(zen.body.status).toBe(404);
    const grant = await token('zenodo', { grant_type: 'password', username: 'u', password: 'p' });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
  });

  test('ORCID: 6-character codes, UUID tokens with orcid and name, the code named in its errors', async () => {
    const c = await code('orcid');
    expect(c).toMatch(/^[A-Za-z0-9]{6}$/);
    const r = await exchange('orcid', c);
    expect(r.body).toMatchObject({ token_type: 'bearer', orcid: '0000-0002-1825-0097', name: 'Josiah Carberry', scope: '/authenticate' });
    expect(r.body.access_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.id_token).toBeUndefined();
    expect((await exchange('orcid', c)).body).toEqual({ error: 'invalid_grant', error_description: `Reused authorization code: ${c}` });
    const o = await exchange('orcid', await code('orcid', { scope: 'openid', nonce: 'n-1' }));
    expect(typeof o.body.id_token).toBe('string');
  });
});

describe('token endpoint: refresh and client credentials', () => {
  test('Zenodo refresh tokens rotate; the old refresh token and access token stop working', async () => {
    const first = await exchange('zenodo', await code('zenodo'));
    const r = await token('zenodo', { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(emu.server.state.usable(emu.server.state.tokens.get(first.body.access_token as string))).toBe(false);
    const old = await token('zenodo', { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
  });

  test('DMPTool: no refresh grant; client_credentials gives a 2-hour public token, handed out again while valid', async () => {
    expect((await token('dmptool', { grant_type: 'refresh_token', refresh_token: 'x' })).body.error).toBe('unsupported_grant_type');
    const a = await token('dmptool', { grant_type: 'client_credentials', scope: 'public' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ token_type: 'Bearer', expires_in: 7200, scope: 'public' });
    expect(typeof a.body.created_at).toBe('number');
    expect(a.body.refresh_token).toBeUndefined();
    const b = await token('dmptool', { grant_type: 'client_credentials', scope: 'public' });
    expect(b.body.access_token).toBe(a.body.access_token);
    const bad = await token('dmptool', { grant_type: 'client_credentials', scope: 'everything' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_scope');
  });

  test('ORCID /read-public: orcid null', async () => {
    const r = await token('orcid', { grant_type: 'client_credentials', scope: '/read-public' });
    expect(r.body).toMatchObject({ token_type: 'bearer', scope: '/read-public', orcid: null });
  });

  test('ORCID publishes its JWKS and discovery document', async () => {
    const jwks = (await (await fetch(`${emu.info.orcid.url}/oauth/jwks`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', e: 'AQAB', use: 'sig', alg: 'RS256' });
    const disc = (await (await fetch(`${emu.info.orcid.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(disc.issuer).toBe(emu.info.orcid.url);
    expect(disc.jwks_uri).toBe(`${emu.info.orcid.url}/oauth/jwks`);
  });
});

describe('Zotero OAuth 1.0a', () => {
  const sha1 = (b: string, k: string) => createHmac('sha1', k).update(b).digest('base64');
  const signedPost = async (path: string, extra: Record<string, string>, token?: { key: string; secret: string }, secret?: string) => {
    const c = client(emu, 'zotero');
    const oauth = new OAuth({ consumer: { key: c.clientId, secret: secret ?? c.clientSecret }, signature_method: 'HMAC-SHA1', hash_function: sha1 });
    const url = `${emu.info.zotero.url}${path}`;
    const header = oauth.toHeader({ ...oauth.authorize({ url, method: 'POST', data: extra }, token), ...extra } as OAuth.Authorization);
    const r = await fetch(url, { method: 'POST', headers: { ...header } });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text(), header: header.Authorization };
  };

  test('unsigned, badly signed and replayed requests are refused in plain text', async () => {
    const none = await fetch(`${emu.info.zotero.url}/oauth/request`, { method: 'POST' });
    expect(none.status).toBe(400);
    const bad = await signedPost('/oauth/request', { oauth_callback: REDIRECT }, undefined, 'wrong-secret');
    expect(bad.status).toBe(401);
    expect(bad.text).toBe('Invalid signature');
    expect(bad.type).toMatch(/^text\/plain/);
    const ok = await signedPost('/oauth/request', { oauth_callback: REDIRECT });
    expect(ok.status).toBe(200);
    const replay = await fetch(`${emu.info.zotero.url}/oauth/request`, { method: 'POST', headers: { authorization: ok.header } });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toBe('Nonce already used');
  });

  test('request token -> authorize -> access token: the key is oauth_token_secret, with userID and username', async () => {
    const req = new URLSearchParams((await signedPost('/oauth/request', { oauth_callback: REDIRECT })).text);
    expect(req.get('oauth_callback_confirmed')).toBe('true');
    const rt = { key: req.get('oauth_token') ?? '', secret: req.get('oauth_token_secret') ?? '' };
    const { location } = await FormBrowser.consent(`${emu.info.zotero.url}/oauth/authorize?oauth_token=${rt.key}&name=k&write_access=1`, 'approve');
    const cb = new URL(location);
    expect(cb.searchParams.get('oauth_token')).toBe(rt.key);
    const verifier = cb.searchParams.get('oauth_verifier') ?? '';
    expect((await signedPost('/oauth/access', { oauth_verifier: 'wrong' }, rt)).text).toBe('Invalid verifier');
    const access = await signedPost('/oauth/access', { oauth_verifier: verifier }, rt);
    expect(access.status).toBe(200);
    const a = new URLSearchParams(access.text);
    expect(a.get('userID')).toBe('123456');
    expect(a.get('username')).toBe('jdoe');
    const key = a.get('oauth_token_secret') ?? '';
    expect(key).toMatch(/^[A-Za-z0-9]{24}$/);
    const info = (await (await fetch(`${emu.info.zotero.url}/keys/current`, { headers: { 'zotero-api-key': key } })).json()) as { access: { user: { write: boolean } } };
    expect(info.access.user.write).toBe(true);
    // The request token is spent.
    expect((await signedPost('/oauth/access', { oauth_verifier: verifier }, rt)).status).toBe(401);
  });
});
