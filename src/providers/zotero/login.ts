// Zotero (providers.md 0.5, 5.1): OAuth 1.0a with HMAC-SHA1 signatures (the oauth-1.0a package signs;
// node:crypto computes the HMAC). Request token with `oauth_callback` = the loopback URL (in the signed
// header and in the query string), the browser
// authorizes (the new-key form pre-filled from --key-name, --read-only and --scope), the access token
// step returns the API key as `oauth_token_secret` together with `userID` and `username`. The request
// token plays the part of OAuth 2's state: the callback must carry the same `oauth_token`.
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { runBrowserFlow } from '../../auth/browser-flow.js';
import { clientEnv, type OAuthClientCreds } from '../../auth/client.js';
import { verifyToken } from '../../auth/credentials.js';
import type { AuthPorts, BrowserLoginSettings, NewLogin } from '../../auth/ports.js';
import { AuthDeniedError, FailureError } from '../../errors/errors.js';
import { joinUrl } from '../../http/client.js';
import type { Endpoints, Provider } from '../types.js';

function signer(client: OAuthClientCreds): OAuth {
  return new OAuth({
    consumer: { key: client.clientId, secret: client.clientSecret ?? '' },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}

/** POST a signed OAuth 1.0a request; the answer is form-encoded. */
async function signedPost(
  ports: AuthPorts,
  zotero: Provider,
  ep: Endpoints,
  client: OAuthClientCreds,
  path: string,
  extra: Record<string, string>,
  token: { key: string; secret: string } | undefined,
  step: string,
): Promise<URLSearchParams> {
  const url = joinUrl(ep.web, path);
  const oauth = signer(client);
  const signed = oauth.authorize({ url, method: 'POST', data: extra }, token);
  const header = oauth.toHeader({ ...signed, ...extra } as OAuth.Authorization);
  ports.log.secret(signed.oauth_signature);
  const http = await ports.http({
    service: zotero,
    base: ep.web,
    mapError: (status, parsed) =>
      status === 400 || status === 401 || status === 403
        ? new AuthDeniedError('AUTH_INVALID', `Zotero refused rdp's ${step} (${status}: ${parsed.message}). Nothing was stored.`, {
            hint:
              step === 'request for a request token'
                ? `Check the client key and secret of your Zotero application (${clientEnv('zotero', 'ID')} / ${clientEnv('zotero', 'SECRET')}, or \`rdp config set zotero.client_id\`).`
                : 'Run `rdp login zotero` again and approve the new key in the browser.',
          })
        : undefined,
  });
  // A signed request carries a fresh nonce and timestamp: never resend it on its own.
  const res = await http.request({
    method: 'POST',
    path: url,
    anonymous: true,
    retry: 'never',
    headers: { ...header, 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
    body: '',
  });
  const text = await http.text(res);
  return new URLSearchParams(text.trim());
}

export async function zoteroLogin(ports: AuthPorts, zotero: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin> {
  const prefill = zotero.auth.oauth?.authorizeParams?.(s) ?? {};
  let requestToken: { key: string; secret: string } | undefined;
  const bad = (what: string) =>
    new FailureError('BAD_RESPONSE', `Zotero's ${what} is not what OAuth 1.0a returns. Nothing was stored.`, {
      hint: 'Check that RDP_ZOTERO_URL (if set) points at Zotero, then run `rdp login zotero` again.',
    });

  return runBrowserFlow(ports, {
    ...s.flow,
    name: ep.name,
    stateParam: 'oauth_token',
    begin: async (redirectUri) => {
      // oauth_callback in the signed header and, identically, in the query string: the form known to
      // work with Zotero for a per-login loopback callback (providers.md 0.5). It is signed once.
      const path = `/oauth/request?oauth_callback=${encodeURIComponent(redirectUri)}`;
      const reply = await signedPost(ports, zotero, ep, client, path, { oauth_callback: redirectUri }, undefined, 'request for a request token');
      const key = reply.get('oauth_token');
      const secret = reply.get('oauth_token_secret');
      ports.log.secret(secret);
      if (!key || !secret) throw bad('request-token reply');
      if (reply.has('oauth_callback_confirmed') && reply.get('oauth_callback_confirmed') !== 'true') throw bad('request-token reply (callback not confirmed)');
      requestToken = { key, secret };
      const url = new URL(joinUrl(ep.web, '/oauth/authorize'));
      url.searchParams.set('oauth_token', key);
      for (const [k, v] of Object.entries(prefill)) url.searchParams.set(k, v);
      return { url: url.toString(), expect: key };
    },
    finish: async (params) => {
      const verifier = params.get('oauth_verifier');
      if (!verifier || !requestToken) {
        throw new FailureError('OAUTH_ERROR', 'Zotero came back without an oauth_verifier. Nothing was stored.', { hint: 'Run `rdp login zotero` again.' });
      }
      ports.log.secret(verifier);
      const reply = await signedPost(ports, zotero, ep, client, '/oauth/access', { oauth_verifier: verifier }, requestToken, 'exchange of the approved request token');
      const apiKey = reply.get('oauth_token_secret')?.trim();
      ports.log.secret(apiKey);
      ports.log.secret(reply.get('oauth_token'));
      const userID = reply.get('userID')?.trim();
      if (!apiKey || !userID) throw bad('access-token reply');
      if (!/^[A-Za-z0-9]+$/.test(apiKey)) throw bad('API key');
      // The key's access and display name, and a check that it works for the same user.
      const identity = await verifyToken(ports, zotero, ep, apiKey);
      if (identity.user.id !== undefined && identity.user.id !== userID) {
        throw new FailureError('BAD_RESPONSE', `Zotero's new key belongs to user ${identity.user.id}, not ${userID}. Nothing was stored.`, {
          hint: 'Run `rdp login zotero` again.',
        });
      }
      identity.user = { ...identity.user, id: userID, username: reply.get('username') || identity.user.username };
      identity.grant = 'oauth1';
      identity.clientId = client.clientId;
      return { token: apiKey, identity };
    },
  });
}
