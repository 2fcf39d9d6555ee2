// Renewing a stored OAuth login before it runs out (SPEC.md section 3: "a long upload never fails
// because its token expired midway"). When less than 15 minutes are left (firebase-tools' margin):
// an authorization-code login with a refresh token (Zenodo, ORCID) uses the refresh_token grant; a
// client-credentials login (DMPTool's 2-hour token, ORCID /read-public) mints a new token from the
// stored client secret. The new token (and a rotated refresh token) replaces the stored one. Which
// logins can be renewed at all, the provider's descriptor says (auth.oauth.renewable).
import { RdpError } from '../errors/errors.js';
import { joinUrl } from '../http/client.js';
import type { AccountMeta, SecretName } from '../store/types.js';
import { clientEnv, type OAuthClientCreds } from './client.js';
import type { Credential } from './credentials.js';
import { expiryOf, TOKEN_PATH, type TokenSet, tokenRequest } from './oauth2.js';
import type { AuthPorts } from './ports.js';

export const RENEW_MARGIN_MS = 15 * 60_000;

/** How this credential can be renewed, if at all. */
export function renewal(cred: Credential): 'refresh_token' | 'client_credentials' | undefined {
  if (cred.source === 'env' || !cred.provider.auth.oauth?.renewable) return undefined;
  const meta = cred.meta;
  if (!meta?.clientId) return undefined;
  if (meta.grant === 'authorization_code' && cred.secrets.refresh_token) return 'refresh_token';
  if (meta.grant === 'client_credentials' && cred.secrets.client_secret) return 'client_credentials';
  return undefined;
}

/** True when the token runs out within the margin and can be renewed. */
export function needsRenewal(cred: Credential, now: number): boolean {
  const exp = cred.meta?.expiresAt;
  if (!exp || !renewal(cred)) return false;
  return Date.parse(exp) - now < RENEW_MARGIN_MS;
}

/**
 * What a new login keeps beside its token so that rdp can renew it later: the refresh token (with the
 * client secret the refresh grant needs), or for client credentials the client secret alone. Kept with
 * the login, a renewal works even when the variable or flag that gave the secret is gone.
 */
export function renewalSecrets(grant: 'authorization_code' | 'client_credentials', t: TokenSet, client: OAuthClientCreds): Partial<Record<SecretName, string>> {
  const secrets: Partial<Record<SecretName, string>> = {};
  if (grant === 'authorization_code') {
    if (!t.refreshToken) return secrets; // nothing to renew with
    secrets.refresh_token = t.refreshToken;
  }
  if (client.clientSecret) secrets.client_secret = client.clientSecret;
  return secrets;
}

const inFlight = new WeakMap<Credential, Promise<void>>();

/**
 * Renew `cred` in place (token, secrets, metadata) and store the result. When the renewal fails but
 * the old token has not expired yet, warn and go on with it; once it has expired, the error stands.
 */
export function renewCredential(ports: AuthPorts, cred: Credential): Promise<void> {
  let p = inFlight.get(cred);
  if (!p) {
    p = doRenew(ports, cred).finally(() => inFlight.delete(cred));
    inFlight.set(cred, p);
  }
  return p;
}

async function doRenew(ports: AuthPorts, cred: Credential): Promise<void> {
  const how = renewal(cred);
  const meta = cred.meta as AccountMeta;
  if (!how) return;
  const provider = cred.provider;
  const ep = cred.endpoints;
  const clientSecret = cred.secrets.client_secret ?? (await storedClientSecret(ports, provider.id));
  ports.log.debug(`${ep.name} token expires at ${meta.expiresAt}; renewing it (${how})`);
  let t;
  try {
    t = await tokenRequest(ports, {
      provider,
      endpoints: ep,
      url: joinUrl(ep.web, TOKEN_PATH),
      grant: how,
      renewing: true,
      form:
        how === 'refresh_token'
          ? { refresh_token: cred.secrets.refresh_token, client_id: meta.clientId, client_secret: clientSecret }
          : { client_id: meta.clientId, client_secret: clientSecret, scope: meta.scopes?.join(' ') },
    });
  } catch (err) {
    const left = meta.expiresAt ? Date.parse(meta.expiresAt) - ports.clock.now() : 0;
    if (left > 0 && err instanceof RdpError) {
      ports.log.warn(`Could not renew the ${ep.name} token (${err.message}); using it for the ${Math.round(left / 60_000)} minute(s) it has left.`);
      return;
    }
    throw err;
  }
  const secrets: Partial<Record<SecretName, string>> = { ...cred.secrets };
  if (t.refreshToken) secrets.refresh_token = t.refreshToken;
  const now = new Date(ports.clock.now()).toISOString();
  const next: AccountMeta = { ...meta, expiresAt: expiryOf(t, ports.clock.now()), scopes: t.scopes ?? meta.scopes, updatedAt: now };
  const stored = await (await ports.store()).update({ token: t.accessToken, secrets, meta: next }, cred.token);
  cred.token = t.accessToken;
  cred.secrets = secrets;
  cred.meta = { ...next, secrets: Object.keys(secrets) as SecretName[] };
  const until = next.expiresAt ? ` (valid until ${next.expiresAt.slice(0, 16).replace('T', ' ')} UTC)` : '';
  if (stored) ports.log.info(`Renewed the ${ep.name} token${until}.`);
  else ports.log.warn(`The ${ep.name} login was removed or replaced while this command ran: the renewed token serves this command only and is not stored.`);
}

async function storedClientSecret(ports: AuthPorts, provider: string): Promise<string | undefined> {
  const env = ports.env[clientEnv(provider, 'SECRET')]?.trim();
  if (env) return env;
  return (await ports.clients.clientSecret(provider).catch(() => undefined)) || undefined;
}
