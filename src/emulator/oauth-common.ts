// What the emulated OAuth services share: the pre-made client of each service, consent pages with
// Approve and Deny buttons (plain HTML forms), authorization codes (single use, bound to client and
// redirect URI; their lifetime per service: Zenodo's about 100 s), each service's own redirect-URI rule
// (Zenodo: exact string match, port included; DMPTool/Doorkeeper: exact, loopback IPs on any port, the
// out-of-band URI; ORCID: a registered bare host matches any port and path), each service's way with
// PKCE (Zenodo and DMPTool accept and ignore it; ORCID does not support it, and this emulator refuses an
// authorize request that carries a code_challenge so that a client sending one fails visibly), and one
// OAuth 2 authorization server (authorize + token endpoints, authorization_code / refresh_token /
// client_credentials) that Zenodo, DMPTool and ORCID configure with their own scopes, errors and token
// responses. Time comes from the emulator's clock (EmulatorState.now), which tests move forward.
import { createHash } from 'node:crypto';
import type { ServiceId as ProviderId } from './ids.js';
import { escapeHtml } from './guards.js';
import { EmuHttpError, type EmuRequest, type EmuResponse } from './http.js';
import type { ServiceContext } from './server.js';
import { type EmulatorState, type OAuthClient, perEmulator, type TokenRecord } from './state.js';
import { randomAlnum, randomUrlSafe, randomUUID } from './tokens.js';

// ---------------------------------------------------------------------------------------------------
// Per-emulator OAuth state (kept beside EmulatorState, so the shared state module stays untouched)

export interface ServiceOAuthSettings {
  /** Lifetime of tokens from the authorization-code and refresh grants, seconds. */
  accessTokenLifetime: number;
  /** Lifetime of client_credentials tokens, seconds. */
  clientCredentialsLifetime: number;
  /** Lifetime of an authorization code, seconds. */
  codeLifetime: number;
}

export interface CodeRecord {
  code: string;
  service: ProviderId;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  userId: string;
  challenge?: string | undefined;
  challengeMethod?: string | undefined;
  nonce?: string | undefined;
  expiresAt: number;
  used: boolean;
  /** Tokens issued for this code: revoked when the code is replayed (RFC 6749 section 4.1.2). */
  tokens: string[];
}

export interface RefreshRecord {
  refreshToken: string;
  service: ProviderId;
  clientId: string;
  userId: string;
  scopes: string[];
  accessToken: string;
}

interface PendingConsent {
  service: ProviderId;
  params: Record<string, string>;
  expiresAt: number;
}

export class OAuthServerState {
  readonly settings = new Map<ProviderId, ServiceOAuthSettings>();
  readonly codes = new Map<string, CodeRecord>();
  readonly refresh = new Map<string, RefreshRecord>();
  readonly consents = new Map<string, PendingConsent>();
  /** Clients registered as public (no secret at the token endpoint). */
  readonly publicClients = new Set<string>();
  /**
   * Every credential this emulator issued or was sent (codes, PKCE verifiers, tokens, client secrets,
   * OAuth 1.0a secrets), so a test can prove none of them reached rdp's output.
   */
  readonly secrets = new Set<string>();

  settingsFor(service: ProviderId): ServiceOAuthSettings {
    let s = this.settings.get(service);
    if (!s) {
      s = { ...DEFAULT_SETTINGS[service] };
      this.settings.set(service, s);
    }
    return s;
  }

  remember(...values: (string | undefined | null)[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }
}

const DEFAULT_SETTINGS: Record<ProviderId, ServiceOAuthSettings> = {
  // Zenodo's codes live OAUTH2_CACHE_DEFAULT_TIMEOUT (100 s); Doorkeeper's default is 600 s (DMPTool keeps it).
  zenodo: { accessTokenLifetime: 5_184_000, clientCredentialsLifetime: 5_184_000, codeLifetime: 100 },
  nomad: { accessTokenLifetime: 300, clientCredentialsLifetime: 300, codeLifetime: 600 },
  dmptool: { accessTokenLifetime: 315_569_520, clientCredentialsLifetime: 7200, codeLifetime: 600 },
  orcid: { accessTokenLifetime: 631_138_518, clientCredentialsLifetime: 631_138_518, codeLifetime: 600 },
  zotero: { accessTokenLifetime: 0, clientCredentialsLifetime: 0, codeLifetime: 600 },
  // A generic InvenioRDM: Invenio-OAuth2Server's codes live 100 s as on Zenodo, but neither invenio-app
  // nor invenio-app-rdm sets a token lifetime, so flask-oauthlib's default applies: 3600 s.
  invenio: { accessTokenLifetime: 3600, clientCredentialsLifetime: 3600, codeLifetime: 100 },
};

/** The OAuth state of one emulator (created on first use). */
export const oauthState = perEmulator(() => new OAuthServerState());

// ---------------------------------------------------------------------------------------------------
// Clients

/** The out-of-band redirect URI (the provider shows the code; Doorkeeper's `native` page). */
export const OOB_URI = 'urn:ietf:wg:oauth:2.0:oob';

/** Register the ready-made client of a service (printed by `rdp emulator`). */
export function registerDefaultClient(ctx: ServiceContext, clientId: string, clientSecret: string, name: string, redirectUris: string[]): OAuthClient {
  const client = ctx.state.registerClient({ service: ctx.id, clientId, clientSecret, redirectUris, name });
  oauthState(ctx.state).remember(clientSecret);
  return client;
}

/** The client of a service printed by `rdp emulator` and `describe()` (the first registered). */
export function defaultClientInfo(state: EmulatorState, service: ProviderId): { clientId: string; clientSecret: string; redirectUri: string } | undefined {
  for (const c of state.clients.values()) {
    if (c.service === service) return { clientId: c.clientId, clientSecret: c.clientSecret, redirectUri: c.redirectUris[0] ?? '' };
  }
  return undefined;
}

function parse(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}

function isLoopbackIp(h: string): boolean {
  return h === '127.0.0.1' || h === '[::1]';
}

/**
 * How a service compares the redirect URI of an authorize request with the client's registered ones.
 * - `exact` (Zenodo, invenio-oauth2server): `redirect_uri in client.redirect_uris`, port included.
 * - `doorkeeper` (DMPTool): the out-of-band URI as is; otherwise scheme, host, port and path equal,
 *   except that loopback IP literals match on any port (RFC 8252 section 7.3); a query on the request
 *   is not compared when the registered URI has none.
 * - `orcid`: same scheme and host; a registered URI without a port matches any port; the request's
 *   path must start with the registered one (a registered bare host matches every path).
 * A client registered through the control API with `anyPort` matches loopback URIs on any port whatever
 * the service's rule (an emulator-only convenience for tests that log in on a free port).
 */
export type RedirectRule = 'exact' | 'doorkeeper' | 'orcid';

export function redirectUriMatches(rule: RedirectRule, client: Pick<OAuthClient, 'redirectUris' | 'anyPort'>, given: string): boolean {
  const registered = client.redirectUris;
  if (registered.includes(given)) return true;
  const g = parse(given);
  if (!g || g.hash) return false;
  if (client.anyPort && g.protocol === 'http:' && isLoopbackIp(g.hostname)) {
    return registered.some((r) => {
      const u = parse(r);
      return Boolean(u && u.protocol === 'http:' && u.hostname === g.hostname && u.pathname === g.pathname && u.search === g.search);
    });
  }
  switch (rule) {
    case 'exact':
      return false;
    case 'doorkeeper':
      return registered.some((r) => {
        const u = parse(r);
        if (!u || given === OOB_URI || r === OOB_URI) return false;
        const anyPort = isLoopbackIp(u.hostname) && isLoopbackIp(g.hostname);
        const query = u.search === '' || [...new URLSearchParams(u.search)].sort().join('&') === [...new URLSearchParams(g.search)].sort().join('&');
        return u.protocol === g.protocol && u.hostname === g.hostname && (anyPort || u.port === g.port) && u.pathname === g.pathname && query;
      });
    case 'orcid':
      return registered.some((r) => {
        const u = parse(r);
        if (!u) return false;
        const path = u.pathname === '/' || g.pathname === u.pathname || g.pathname.startsWith(u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`);
        return u.protocol === g.protocol && u.hostname === g.hostname && (u.port === '' || u.port === g.port) && path;
      });
  }
}

/**
 * Can a client of this service register these redirect URIs? The services' own registration rules:
 * Zenodo accepts https, and http only for localhost and 127.0.0.1 (not [::1], not the out-of-band URI);
 * DMPTool's production deployments accept https and the out-of-band URI only ("must be an HTTPS/SSL
 * URI"), a development deployment (`development: true`) also http; ORCID accepts https and, for public
 * clients, http on 127.0.0.1. Returns the reason for a refusal.
 */
export function redirectRegistrationError(service: ProviderId, uris: string[], opts: { development?: boolean | undefined } = {}): string | undefined {
  for (const raw of uris) {
    if (service === 'dmptool' && raw === OOB_URI) continue;
    const u = parse(raw);
    if (!u || !u.host) return `${raw} is not a valid URI.`;
    if (u.hash) return `${raw}: a redirect URI cannot contain a fragment.`;
    if (u.protocol === 'https:') continue;
    if (u.protocol !== 'http:') return `${raw} is not an http(s) URI.`;
    if ((service === 'zenodo' || service === 'invenio') && !['localhost', '127.0.0.1'].includes(u.hostname)) return `Invalid redirect URIs: ${raw}`;
    if (service === 'dmptool' && !opts.development) return `Redirect URI ${raw} must be an HTTPS/SSL URI.`;
    if (service === 'orcid' && u.hostname !== '127.0.0.1') return `${raw}: http is accepted only for 127.0.0.1.`;
  }
  return undefined;
}

/** Client authentication at a token endpoint: form fields, or HTTP Basic. */
export function clientCredentialsOf(req: EmuRequest, form: URLSearchParams): { id?: string | undefined; secret?: string | undefined } {
  const basic = /^basic\s+(.+)$/i.exec(req.header('authorization') ?? '');
  if (basic?.[1]) {
    const text = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i > 0) return { id: decodeURIComponent(text.slice(0, i)), secret: decodeURIComponent(text.slice(i + 1)) };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

// ---------------------------------------------------------------------------------------------------
// PKCE

export function pkceMatches(challenge: string, method: string | undefined, verifier: string | null): boolean {
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = (method ?? 'plain') === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return computed === challenge;
}

// ---------------------------------------------------------------------------------------------------
// Pages

export interface ConsentPage {
  /** What the page is titled, e.g. "Authorize application". */
  title: string;
  serviceName: string;
  clientName: string;
  userLabel: string;
  /** Lines describing what is granted (plain text). */
  grants: string[];
  /** Where the form posts. */
  action: string;
  hidden: Record<string, string>;
  /** Extra form fields, already HTML (Zotero's key name and access boxes). */
  fieldsHtml?: string | undefined;
}

export function page(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem}#approve{background:#1a7f37;color:#fff}</style>
</head><body>${bodyHtml}</body></html>
`;
}

export function consentPage(p: ConsentPage): string {
  const hidden = Object.entries(p.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const grants = p.grants.map((g) => `<li>${escapeHtml(g)}</li>`).join('');
  return page(
    `${p.title} - ${p.serviceName}`,
    `<h1>${escapeHtml(p.title)}</h1>
<p>Signed in to ${escapeHtml(p.serviceName)} (emulator) as <strong>${escapeHtml(p.userLabel)}</strong>.</p>
<p><strong>${escapeHtml(p.clientName)}</strong> asks for:</p><ul>${grants}</ul>
<form method="post" action="${escapeHtml(p.action)}">
${hidden}
${p.fieldsHtml ?? ''}
<p><button type="submit" id="approve" name="decision" value="approve">Approve</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button></p>
</form>`,
  );
}

/** A page that ends the flow in the browser (no redirect: the redirect URI could not be trusted). */
export function errorPage(res: EmuResponse, status: number, title: string, message: string): void {
  res.html(status, page(title, `<h1>${escapeHtml(title)}</h1><p id="error">${escapeHtml(message)}</p>`), { 'cache-control': 'no-store' });
}

/** Send the browser back to the client with these query parameters added. */
export function redirectBack(res: EmuResponse, redirectUri: string, params: Record<string, string | undefined>): void {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  res.send(302, '', undefined, { location: u.toString(), 'cache-control': 'no-store' });
}

/** Keep an authorize request server-side; the consent form carries only its id. */
export function holdConsent(ctx: ServiceContext, params: Record<string, string>): string {
  const id = randomUrlSafe(18);
  const os = oauthState(ctx.state);
  const now = ctx.state.now();
  for (const [k, v] of os.consents) if (v.expiresAt < now) os.consents.delete(k);
  os.consents.set(id, { service: ctx.id, params, expiresAt: now + 30 * 60_000 });
  return id;
}

/** The held authorize request of a consent form (single use). */
export function takeConsent(ctx: ServiceContext, id: string | null): Record<string, string> | undefined {
  if (!id) return undefined;
  const os = oauthState(ctx.state);
  const held = os.consents.get(id);
  os.consents.delete(id);
  if (!held || held.service !== ctx.id || held.expiresAt < ctx.state.now()) return undefined;
  return held.params;
}

// ---------------------------------------------------------------------------------------------------
// The OAuth 2 authorization server

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export interface TokenGrantInfo {
  client: OAuthClient;
  userId?: string | undefined;
  scopes: string[];
  grant: 'authorization_code' | 'refresh_token' | 'client_credentials';
  code?: CodeRecord | undefined;
  req: EmuRequest;
}

export interface OAuth2ServerSpec {
  /** The service's display name on pages. */
  name: string;
  /** Scopes a client may ask for in the browser flow. */
  scopes: string[];
  /** Scopes of client_credentials; undefined = the grant is not supported. */
  clientCredentialScopes?: string[] | undefined;
  /** Scopes when the authorize request names none. */
  defaultScopes: string[];
  /**
   * An authorize request that ends with no scope at all is granted (Invenio-OAuth2Server: a client's
   * default scopes are none, and validating an empty list succeeds); otherwise it is invalid_scope.
   */
  emptyScopesOk?: boolean | undefined;
  /**
   * The scopes this client may be granted (undefined = any of `scopes`): DMPTool's per-client scopes,
   * ORCID's member-only scopes. A request beyond them is `invalid_scope`.
   */
  allowedScopes?(client: OAuthClient): readonly string[] | undefined;
  refreshTokens: boolean;
  user: { id: string; label: string };
  /** How authorize requests' redirect URIs are matched (see redirectUriMatches). */
  redirectRule: RedirectRule;
  /**
   * What the service does with PKCE: `ignore` (Zenodo, DMPTool: accepted, never stored, never checked),
   * `verify` (RFC 7636), `refuse` (ORCID does not support it; refused here so that a client sending it
   * fails visibly instead of having every exchange break on the real server).
   */
  pkce: 'ignore' | 'verify' | 'refuse';
  /** The browser's answer to a redirect URI that matches no registered one (default: an error page). */
  redirectMismatch?(res: EmuResponse, client: OAuthClient, given: string): void;
  /** The out-of-band URI is allowed (Doorkeeper): the code is shown on `/oauth/authorize/native`. */
  outOfBand?: boolean | undefined;
  /** The error body for the token endpoint (status per service). */
  tokenError(code: OAuthErrorCode, description: string): EmuHttpError;
  /** The answer for an unknown client at the token endpoint (Zenodo: 404). */
  unknownClient?(): EmuHttpError;
  /** Texts for invalid_grant cases (ORCID names the code). */
  grantErrorText?(why: 'unknown' | 'reused' | 'expired' | 'redirect' | 'client' | 'pkce', code: string): string;
  /** Turn an issued access token into the service's token response. */
  tokenResponse(rec: TokenRecord, info: TokenGrantInfo): Record<string, unknown>;
  /** A token to hand out again instead of a new one (Doorkeeper reuses valid tokens). */
  reuse?(info: TokenGrantInfo): TokenRecord | undefined;
  /** Called after a token is issued (Zenodo drops the client's previous token for the user). */
  onIssued?(rec: TokenRecord, info: TokenGrantInfo): void;
  /** Extra validation of an authorize request; returns an OAuth error. */
  checkAuthorize?(params: URLSearchParams): { error: string; description: string } | undefined;
}

const DEFAULT_GRANT_TEXT: Record<string, string> = {
  unknown: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};

/** Doorkeeper's page for an out-of-band code (its `authorizations/show` view). */
function nativeCodePage(code: string): string {
  return page('Authorization code', `<header class="page-header"><h1>Authorization code:</h1></header>
<main role="main"><code id="authorization_code">${escapeHtml(code)}</code></main>`);
}

export function mountOAuth2(ctx: ServiceContext, spec: OAuth2ServerSpec): void {
  const os = oauthState(ctx.state);
  const authorizeAction = `${ctx.base}/oauth/authorize`;
  const grantText = (why: Parameters<NonNullable<OAuth2ServerSpec['grantErrorText']>>[0], code: string) =>
    spec.grantErrorText?.(why, code) ?? DEFAULT_GRANT_TEXT.unknown ?? why;

  const parseScopes = (raw: string | null | undefined) => (raw ?? '').split(/[\s,+]+/).filter(Boolean);
  const oob = (uri: string) => spec.outOfBand === true && uri === OOB_URI;

  ctx.router.get('/oauth/authorize', (req, res) => {
    const q = req.query;
    const client = ctx.state.client(ctx.id, q.get('client_id'));
    if (!client) {
      errorPage(res, 400, 'Unknown application', `There is no application with the client id ${q.get('client_id') ?? '(none)'}.`);
      return;
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!(oob(redirectUri) && client.redirectUris.includes(OOB_URI)) && !redirectUriMatches(spec.redirectRule, client, redirectUri)) {
      if (spec.redirectMismatch) spec.redirectMismatch(res, client, redirectUri);
      else errorPage(res, 400, 'Redirect URI mismatch', `The redirect URI ${redirectUri || '(none)'} is not registered for ${client.name}. Registered: ${client.redirectUris.join(', ')}.`);
      return;
    }
    const state = q.get('state') ?? undefined;
    const fail = (error: string, description: string) => {
      if (oob(redirectUri)) {
        // Doorkeeper cannot redirect to the out-of-band URI: it answers with the error as JSON.
        res.json(400, { error, error_description: description, ...(state ? { state } : {}) }, { 'cache-control': 'no-store' });
        return;
      }
      redirectBack(res, redirectUri, { error, error_description: description, state });
    };
    if (q.get('response_type') !== 'code') {
      fail('unsupported_response_type', 'The authorization server does not support this response type.');
      return;
    }
    const scopes = q.has('scope') ? parseScopes(q.get('scope')) : spec.defaultScopes;
    const unknown = scopes.filter((s) => !spec.scopes.includes(s) || !(spec.allowedScopes?.(client)?.includes(s) ?? true));
    if (unknown.length || (scopes.length === 0 && !spec.emptyScopesOk)) {
      fail('invalid_scope', `The requested scope is invalid, unknown, or malformed: ${unknown.join(' ') || '(none)'}.`);
      return;
    }
    const challenge = q.get('code_challenge');
    if (challenge && spec.pkce === 'refuse') {
      fail('invalid_request', `${spec.name} does not support PKCE: this authorize request carries a code_challenge, and the code_verifier would never reach the token check.`);
      return;
    }
    const method = q.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
    if (challenge && spec.pkce === 'verify' && (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge) || (method !== 'S256' && method !== 'plain'))) {
      fail('invalid_request', 'The code challenge or its method is not valid.');
      return;
    }
    const extra = spec.checkAuthorize?.(q);
    if (extra) {
      fail(extra.error, extra.description);
      return;
    }
    const held: Record<string, string> = { client_id: client.clientId, redirect_uri: redirectUri, scope: scopes.join(' ') };
    if (state !== undefined) held.state = state;
    if (challenge && spec.pkce === 'verify') {
      held.code_challenge = challenge;
      held.code_challenge_method = method ?? 'plain';
    }
    const nonce = q.get('nonce');
    if (nonce) held.nonce = nonce;
    const id = holdConsent(ctx, held);
    res.html(
      200,
      consentPage({
        title: 'Authorize application',
        serviceName: spec.name,
        clientName: client.name,
        userLabel: spec.user.label,
        grants: scopes.map((s) => `scope ${s}`),
        action: authorizeAction,
        hidden: { request_id: id },
      }),
      { 'cache-control': 'no-store' },
    );
  });

  ctx.router.post('/oauth/authorize', async (req, res) => {
    const form = await req.form();
    const held = takeConsent(ctx, form.get('request_id'));
    if (!held) {
      errorPage(res, 400, 'This request has expired', 'Start the login again from the application.');
      return;
    }
    const redirectUri = held.redirect_uri as string;
    if (form.get('decision') !== 'approve') {
      const denied = { error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.' };
      if (oob(redirectUri)) res.json(400, { ...denied, ...(held.state ? { state: held.state } : {}) }, { 'cache-control': 'no-store' });
      else redirectBack(res, redirectUri, { ...denied, state: held.state });
      return;
    }
    const code = newCode(ctx.id);
    const rec: CodeRecord = {
      code,
      service: ctx.id,
      clientId: held.client_id as string,
      redirectUri,
      scopes: parseScopes(held.scope),
      userId: spec.user.id,
      challenge: held.code_challenge,
      challengeMethod: held.code_challenge_method,
      nonce: held.nonce,
      expiresAt: ctx.state.now() + os.settingsFor(ctx.id).codeLifetime * 1000,
      used: false,
      tokens: [],
    };
    os.codes.set(code, rec);
    os.remember(code);
    if (oob(redirectUri)) {
      // Doorkeeper's out-of-band answer: the browser lands on a page that shows the code (no state).
      res.send(302, '', undefined, { location: `${ctx.base}/oauth/authorize/native?code=${encodeURIComponent(code)}`, 'cache-control': 'no-store' });
      return;
    }
    redirectBack(res, redirectUri, { code, state: held.state });
  });

  if (spec.outOfBand) {
    ctx.router.get('/oauth/authorize/native', (req, res) => {
      res.html(200, nativeCodePage(req.query.get('code') ?? ''), { 'cache-control': 'no-store' });
    });
  }

  ctx.router.post('/oauth/token', async (req, res) => {
    const form = await req.form();
    const creds = clientCredentialsOf(req, form);
    os.remember(creds.secret, form.get('code'), form.get('code_verifier'), form.get('refresh_token'));
    const grantType = form.get('grant_type');
    if (!grantType) throw spec.tokenError('invalid_request', 'The request is missing a required parameter: grant_type.');
    const client = ctx.state.client(ctx.id, creds.id);
    if (!client) {
      throw spec.unknownClient?.() ?? spec.tokenError('invalid_client', 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.');
    }
    const confidential = !os.publicClients.has(`${ctx.id}:${client.clientId}`);
    if ((confidential || creds.secret) && creds.secret !== client.clientSecret) {
      throw spec.tokenError('invalid_client', 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.');
    }
    const settings = os.settingsFor(ctx.id);
    const now = ctx.state.now();
    const issue = (info: TokenGrantInfo, lifetime: number): TokenRecord => {
      const reused = spec.reuse?.(info);
      if (reused) return reused;
      const refreshToken = spec.refreshTokens && info.grant !== 'client_credentials' && (confidential || info.grant === 'refresh_token') ? newRefresh(ctx.id) : undefined;
      const rec = ctx.state.issue({
        service: ctx.id,
        userId: info.userId,
        scopes: info.scopes,
        kind: info.grant === 'client_credentials' ? 'client' : 'oauth',
        clientId: client.clientId,
        expiresAt: lifetime > 0 ? now + lifetime * 1000 : undefined,
        refreshToken,
      });
      os.remember(rec.token, refreshToken);
      if (refreshToken && info.userId) {
        os.refresh.set(refreshToken, { refreshToken, service: ctx.id, clientId: client.clientId, userId: info.userId, scopes: info.scopes, accessToken: rec.token });
      }
      spec.onIssued?.(rec, info);
      return rec;
    };
    const reply = (rec: TokenRecord, info: TokenGrantInfo) =>
      res.json(200, spec.tokenResponse(rec, info), { 'cache-control': 'no-store', pragma: 'no-cache' });

    switch (grantType) {
      case 'authorization_code': {
        const code = form.get('code') ?? '';
        const rec = os.codes.get(code);
        if (!rec || rec.service !== ctx.id) throw spec.tokenError('invalid_grant', grantText('unknown', code));
        if (rec.used) {
          // A replayed code: refuse it and revoke what it gave (RFC 6749 section 4.1.2).
          for (const t of rec.tokens) ctx.state.revoke(t);
          throw spec.tokenError('invalid_grant', grantText('reused', code));
        }
        rec.used = true;
        if (rec.expiresAt <= now) throw spec.tokenError('invalid_grant', grantText('expired', code));
        if (rec.clientId !== client.clientId) throw spec.tokenError('invalid_grant', grantText('client', code));
        if (form.get('redirect_uri') !== rec.redirectUri) throw spec.tokenError('invalid_grant', grantText('redirect', code));
        if (rec.challenge && !pkceMatches(rec.challenge, rec.challengeMethod, form.get('code_verifier'))) {
          throw spec.tokenError('invalid_grant', grantText('pkce', code));
        }
        const info: TokenGrantInfo = { client, userId: rec.userId, scopes: rec.scopes, grant: 'authorization_code', code: rec, req };
        const token = issue(info, settings.accessTokenLifetime);
        rec.tokens.push(token.token);
        reply(token, info);
        return;
      }
      case 'refresh_token': {
        if (!spec.refreshTokens) throw spec.tokenError('unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
        const given = form.get('refresh_token') ?? '';
        const old = os.refresh.get(given);
        if (!old || old.service !== ctx.id || old.clientId !== client.clientId) {
          throw spec.tokenError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
        }
        const asked = form.has('scope') ? parseScopes(form.get('scope')) : old.scopes;
        if (asked.some((s) => !old.scopes.includes(s))) throw spec.tokenError('invalid_scope', 'The requested scope exceeds the scope granted by the resource owner.');
        // Rotation: the old refresh token and its access token stop working.
        os.refresh.delete(given);
        ctx.state.revoke(old.accessToken);
        const info: TokenGrantInfo = { client, userId: old.userId, scopes: asked, grant: 'refresh_token', req };
        reply(issue(info, settings.accessTokenLifetime), info);
        return;
      }
      case 'client_credentials': {
        if (!spec.clientCredentialScopes) throw spec.tokenError('unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
        if (!confidential) throw spec.tokenError('invalid_client', 'Only confidential clients may use the client_credentials grant.');
        const asked = form.has('scope') ? parseScopes(form.get('scope')) : [spec.clientCredentialScopes[0] as string];
        if (asked.length === 0 || asked.some((s) => !spec.clientCredentialScopes?.includes(s) || !(spec.allowedScopes?.(client)?.includes(s) ?? true))) {
          throw spec.tokenError('invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
        }
        const info: TokenGrantInfo = { client, scopes: asked, grant: 'client_credentials', req };
        reply(issue(info, settings.clientCredentialsLifetime), info);
        return;
      }
      default:
        throw spec.tokenError('unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    }
  });
}

function newCode(service: ProviderId): string {
  // ORCID's codes are 6 characters; the others use longer random strings.
  return service === 'orcid' ? randomAlnum(6) : randomUrlSafe(32);
}

function newRefresh(service: ProviderId): string {
  return service === 'orcid' ? randomUUID() : randomAlnum(60);
}

/** Seconds left on a token record (for `expires_in`), at least 1; undefined when it never expires. */
export function secondsLeft(rec: TokenRecord, now: number): number | undefined {
  return rec.expiresAt === undefined ? undefined : Math.max(1, Math.round((rec.expiresAt - now) / 1000));
}

/** The OAuth 2 error body most of these services use: `{"error","error_description"}`. */
export function oauthErrorBody(status: number, error: string, description: string): EmuHttpError {
  return new EmuHttpError(status, { error, error_description: description }, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

// ---------------------------------------------------------------------------------------------------
// Control API: GET/POST /_emulator/oauth, POST /_emulator/oauth/clients

/** The services with an OAuth server (the InvenioRDM site's is Invenio-OAuth2Server, as Zenodo's). */
const OAUTH_SERVICES: ProviderId[] = ['zenodo', 'dmptool', 'orcid', 'zotero', 'invenio'];

export async function oauthControl(state: EmulatorState, req: EmuRequest, res: EmuResponse, sub: string): Promise<void> {
  const os = oauthState(state);
  if (sub === '/oauth' && req.method === 'GET') {
    const settings: Record<string, ServiceOAuthSettings> = {};
    for (const id of OAUTH_SERVICES) settings[id] = os.settingsFor(id);
    const clients = [...state.clients.values()].map((c) => ({ service: c.service, clientId: c.clientId, redirectUris: c.redirectUris, name: c.name }));
    res.json(200, { settings, clients });
    return;
  }
  if (sub === '/oauth' && req.method === 'POST') {
    const body = await req.json<Partial<ServiceOAuthSettings> & { service?: ProviderId }>();
    if (!body.service || !OAUTH_SERVICES.includes(body.service)) {
      throw new EmuHttpError(400, { message: 'service must be zenodo, dmptool, orcid, zotero or invenio' });
    }
    const s = os.settingsFor(body.service);
    for (const k of ['accessTokenLifetime', 'clientCredentialsLifetime', 'codeLifetime'] as const) {
      const v = body[k];
      if (v !== undefined) {
        if (typeof v !== 'number' || !(v >= 0)) throw new EmuHttpError(400, { message: `${k} must be a number of seconds` });
        s[k] = v;
      }
    }
    res.json(200, s);
    return;
  }
  if (sub === '/oauth/clients' && req.method === 'POST') {
    // The emulator's stand-in for each service's registration page. `redirectUris` are checked by the
    // service's own rules (redirectRegistrationError); `development: true` registers with a DMPTool
    // development deployment (http allowed); `anyPort: true` lets loopback URIs match on any port (for
    // tests that log in on a free port); `confidential: false` registers a public client (no secret).
    const body = await req.json<Partial<OAuthClient> & { confidential?: boolean; development?: boolean }>();
    if (!body.service || !OAUTH_SERVICES.includes(body.service)) {
      throw new EmuHttpError(400, { message: 'service must be zenodo, dmptool, orcid, zotero or invenio' });
    }
    const redirectUris = body.redirectUris ?? [];
    if (!Array.isArray(redirectUris) || redirectUris.some((u) => typeof u !== 'string')) throw new EmuHttpError(400, { message: 'redirectUris must be a list of strings' });
    const refused = redirectRegistrationError(body.service, redirectUris, { development: body.development });
    if (refused) throw new EmuHttpError(400, { message: refused });
    const client = state.registerClient({
      service: body.service,
      clientId: body.clientId ?? randomAlnum(20),
      clientSecret: body.clientSecret ?? randomAlnum(40),
      redirectUris,
      name: body.name ?? 'A registered application',
      anyPort: body.anyPort === true || undefined,
    });
    if (body.confidential === false) os.publicClients.add(`${client.service}:${client.clientId}`);
    os.remember(client.clientSecret);
    res.json(201, client);
    return;
  }
  res.json(404, { message: `Unknown control endpoint ${req.method} /_emulator${sub}` });
}
