// Zotero's OAuth 1.0a key exchange (providers.md 5.1): POST /oauth/request (signed with the client
// secret; `oauth_callback` required), the browser's /oauth/authorize (a new-key form pre-filled from
// name, library_access, notes_access, write_access, all_groups, with Approve and Deny), POST
// /oauth/access (signed with the client secret and the request token's secret, with the verifier).
// Every request's HMAC-SHA1 signature is checked here, independently of the client's library (RFC 5849
// section 3.4), as are the timestamp (within 10 minutes) and the nonce (never twice). The access reply
// carries the new API key as `oauth_token_secret`, with `userID` and `username`. Errors are plain text.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { escapeHtml } from '../../guards.js';
import { EmuHttpError, type EmuRequest, type EmuResponse } from '../../http.js';
import { consentPage, errorPage, holdConsent, oauthState, redirectBack, registerDefaultClient, takeConsent } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { randomAlnum } from '../../tokens.js';

interface RequestToken {
  token: string;
  secret: string;
  clientId: string;
  callback: string;
  expiresAt: number;
  verifier?: string | undefined;
  access?: string[] | undefined;
  used: boolean;
}

const TIMESTAMP_WINDOW_S = 600;

function text(status: number, message: string): EmuHttpError {
  return new EmuHttpError(status, message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** RFC 3986 percent-encoding, as OAuth 1.0a requires (RFC 5849 section 3.6). */
export function pct(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The parameters of an `Authorization: OAuth …` header (realm dropped). */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^oauth\s/i.test(header)) return undefined;
  const out = new Map<string, string>();
  const re = /([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"/g;
  for (const m of header.slice(6).matchAll(re)) {
    const k = decodeURIComponent(m[1] as string);
    if (k !== 'realm') out.set(k, decodeURIComponent(m[2] as string));
  }
  return out;
}

/** The signature base string of RFC 5849 section 3.4.1. */
export function signatureBase(method: string, baseUrl: string, params: [string, string][]): string {
  const norm = params
    .map(([k, v]) => [pct(k), pct(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}&${pct(baseUrl)}&${pct(norm)}`;
}

export function hmacSha1(base: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac('sha1', `${pct(consumerSecret)}&${pct(tokenSecret)}`).update(base).digest('base64');
}

export function mountZoteroOAuth(ctx: ServiceContext): void {
  // Client key and secret: 20 hex characters each, as in Zotero's examples.
  registerDefaultClient(ctx, randomBytes(10).toString('hex'), randomBytes(10).toString('hex'), 'rdp (emulator client)', ['http://127.0.0.1/callback']);
  const os = oauthState(ctx.state);
  const requestTokens = new Map<string, RequestToken>();
  const nonces = new Map<string, number>();

  /** Check a signed request; returns its OAuth parameters. */
  const verify = async (req: EmuRequest, tokenSecretFor?: (token: string) => string | undefined) => {
    const oauth = parseOAuthHeader(req.header('authorization'));
    if (!oauth) throw text(400, 'OAuth Authorization header missing');
    const consumerKey = oauth.get('oauth_consumer_key');
    const client = ctx.state.client('zotero', consumerKey);
    if (!client) throw text(401, 'Invalid consumer key');
    const method = oauth.get('oauth_signature_method');
    if (method !== 'HMAC-SHA1') throw text(400, `Unsupported signature method ${method ?? '(none)'}`);
    if (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0') throw text(400, 'Unsupported OAuth version');
    const ts = Number(oauth.get('oauth_timestamp'));
    if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > TIMESTAMP_WINDOW_S) throw text(401, 'Timestamp out of range');
    const nonce = oauth.get('oauth_nonce');
    if (!nonce) throw text(400, 'Missing oauth_nonce');
    const nonceKey = `${consumerKey}:${ts}:${nonce}`;
    for (const [k, t] of nonces) if (t < Date.now() / 1000 - TIMESTAMP_WINDOW_S) nonces.delete(k);
    if (nonces.has(nonceKey)) throw text(401, 'Nonce already used');
    const given = oauth.get('oauth_signature') ?? '';
    const params: [string, string][] = [];
    for (const [k, v] of oauth) if (k !== 'oauth_signature') params.push([k, v]);
    // A parameter sent both in the signed header and, identically, in the query string (Zotero's
    // clients put oauth_callback in both) counts once, as a server that merges parameters by name does.
    for (const [k, v] of req.query) if (oauth.get(k) !== v) params.push([k, v]);
    if ((req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of await req.form()) params.push([k, v]);
    }
    const token = oauth.get('oauth_token');
    const tokenSecret = token && tokenSecretFor ? (tokenSecretFor(token) ?? '') : '';
    const expected = hmacSha1(signatureBase(req.method, `${ctx.base}${req.path}`, params), client.clientSecret, tokenSecret);
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw text(401, 'Invalid signature');
    nonces.set(nonceKey, ts);
    return { oauth, client };
  };

  ctx.router.post('/oauth/request', async (req, res) => {
    const { oauth, client } = await verify(req);
    const inHeader = oauth.get('oauth_callback');
    const inQuery = req.query.get('oauth_callback');
    if (inHeader && inQuery && inHeader !== inQuery) throw text(400, 'oauth_callback differs between the header and the query string');
    const callback = inHeader ?? inQuery;
    if (!callback) throw text(400, 'Missing oauth_callback');
    if (callback !== 'oob' && !/^https?:\/\//.test(callback)) throw text(400, 'Invalid oauth_callback');
    const rt: RequestToken = {
      token: randomAlnum(20).toLowerCase(),
      secret: randomAlnum(20).toLowerCase(),
      clientId: client.clientId,
      callback,
      expiresAt: ctx.state.now() + 60 * 60_000,
      used: false,
    };
    requestTokens.set(rt.token, rt);
    os.remember(rt.secret);
    form(res, { oauth_token: rt.token, oauth_token_secret: rt.secret, oauth_callback_confirmed: 'true' });
  });

  ctx.router.get('/oauth/authorize', (req, res) => {
    const rt = requestTokens.get(req.query.get('oauth_token') ?? '');
    if (!rt || rt.used || rt.verifier || rt.expiresAt < ctx.state.now()) {
      errorPage(res, 400, 'Invalid request token', 'This authorization request is unknown or has expired. Start again from the application.');
      return;
    }
    const q = req.query;
    const flag = (k: string, dflt: boolean) => (q.has(k) ? q.get(k) === '1' : dflt);
    const groups = q.get('all_groups') ?? 'none';
    const id = holdConsent(ctx, { oauth_token: rt.token });
    const box = (name: string, label: string, on: boolean) =>
      `<p><label><input type="checkbox" name="${name}" value="1"${on ? ' checked' : ''}> ${escapeHtml(label)}</label></p>`;
    const fields =
      `<p><label>Key description <input type="text" name="name" value="${escapeHtml(q.get('name') ?? '')}"></label></p>` +
      box('library_access', 'Allow library access', flag('library_access', true)) +
      box('notes_access', 'Allow notes access', flag('notes_access', false)) +
      box('write_access', 'Allow write access', flag('write_access', false)) +
      `<p><label>All groups <select name="all_groups">${['none', 'read', 'write']
        .map((g) => `<option value="${g}"${g === groups ? ' selected' : ''}>${g}</option>`)
        .join('')}</select></label></p>`;
    const client = ctx.state.client('zotero', rt.clientId);
    res.html(
      200,
      consentPage({
        title: 'New private key',
        serviceName: 'Zotero',
        clientName: client?.name ?? 'An application',
        userLabel: `${SEED.zotero.username} (${SEED.zotero.displayName})`,
        grants: ['a new API key for your Zotero library, with the access chosen below'],
        action: `${ctx.base}/oauth/authorize`,
        hidden: { request_id: id },
        fieldsHtml: fields,
      }),
      { 'cache-control': 'no-store' },
    );
  });

  ctx.router.post('/oauth/authorize', async (req, res) => {
    const f = await req.form();
    const held = takeConsent(ctx, f.get('request_id'));
    const rt = held ? requestTokens.get(held.oauth_token ?? '') : undefined;
    if (!rt || rt.used || rt.verifier || rt.expiresAt < ctx.state.now()) {
      errorPage(res, 400, 'This request has expired', 'Start the login again from the application.');
      return;
    }
    if (f.get('decision') !== 'approve') {
      rt.used = true;
      if (rt.callback === 'oob') {
        errorPage(res, 200, 'Request denied', 'No key was created.');
        return;
      }
      redirectBack(res, rt.callback, { oauth_token: rt.token, oauth_problem: 'user_refused' });
      return;
    }
    const access = ['library'];
    if (f.get('library_access') !== '1') access.length = 0;
    if (f.get('notes_access') === '1') access.push('notes');
    if (f.get('write_access') === '1') access.push('write');
    const groups = f.get('all_groups');
    if (groups === 'read' || groups === 'write') access.push(`groups:${groups}`);
    rt.access = access;
    rt.verifier = randomAlnum(20).toLowerCase();
    os.remember(rt.verifier);
    if (rt.callback === 'oob') {
      res.html(200, `<p>Verifier: <code>${rt.verifier}</code></p>`);
      return;
    }
    redirectBack(res, rt.callback, { oauth_token: rt.token, oauth_verifier: rt.verifier });
  });

  ctx.router.post('/oauth/access', async (req, res) => {
    const { oauth, client } = await verify(req, (t) => requestTokens.get(t)?.secret);
    const rt = requestTokens.get(oauth.get('oauth_token') ?? '');
    if (!rt || rt.clientId !== client.clientId || rt.used || !rt.verifier || rt.expiresAt < ctx.state.now()) {
      throw text(401, 'Invalid or expired request token');
    }
    const verifier = oauth.get('oauth_verifier') ?? '';
    os.remember(verifier);
    if (verifier !== rt.verifier) throw text(401, 'Invalid verifier');
    rt.used = true;
    const key = ctx.state.issue({
      service: 'zotero',
      userId: String(SEED.zotero.userID),
      scopes: rt.access ?? ['library'],
      kind: 'key',
      clientId: client.clientId,
    });
    os.remember(key.token);
    form(res, { oauth_token: key.token, oauth_token_secret: key.token, userID: String(SEED.zotero.userID), username: SEED.zotero.username });
  });
}

function form(res: EmuResponse, values: Record<string, string>): void {
  res.send(200, new URLSearchParams(values).toString(), 'application/x-www-form-urlencoded');
}
