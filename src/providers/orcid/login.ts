// ORCID (providers.md 0.3, 4.3/4.4): the 3-legged flow, without PKCE (ORCID's token endpoint drops
// code_verifier, so a challenge would break every exchange), with `/authenticate` (default) or `openid`
// (`--scope openid`: the id_token is verified: RS256 against the JWKS, iss, aud, exp, nonce), and
// `--client-credentials` for a `/read-public` token. The token response's `orcid` (checked: ISO 7064
// check character) and `name` are stored with the token.
import type { OAuthClientCreds } from '../../auth/client.js';
import { IdTokenError, jwksKeys, verifyIdToken } from '../../auth/id-token.js';
import { authorizationCodeLogin, clientCredentialsToken, expiryOf, type TokenSet } from '../../auth/oauth2.js';
import { createNonce } from '../../auth/pkce.js';
import { type AuthPorts, type BrowserLoginSettings, type NewLogin, unique } from '../../auth/ports.js';
import { renewalSecrets } from '../../auth/renew.js';
import { AuthDeniedError, FailureError } from '../../errors/errors.js';
import { joinUrl } from '../../http/client.js';
import { parseOrcid } from '../../util/orcid-id.js';
import type { Endpoints, Provider } from '../types.js';

export const ORCID_DEFAULT_SCOPE = '/authenticate';

/** `openid` and `/authenticate` grant the same thing; ask for one, not both (providers.md 4.2). */
export function orcidScopes(extra: string[]): string[] {
  const scopes = unique(extra);
  return scopes.includes('openid') ? scopes.filter((x) => x !== ORCID_DEFAULT_SCOPE) : unique([ORCID_DEFAULT_SCOPE, ...scopes]);
}

export async function orcidLogin(ports: AuthPorts, orcidProvider: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin> {
  if (s.clientCredentials) {
    const scopes = unique([...(orcidProvider.auth.oauth?.clientCredentials?.scopes ?? []), ...s.scopes]);
    const t = await clientCredentialsToken(ports, orcidProvider, ep, client, scopes);
    return {
      token: t.accessToken,
      identity: { user: {}, scopes: t.scopes ?? scopes, expiresAt: expiryOf(t, ports.clock.now()), grant: 'client_credentials', clientId: client.clientId },
      secrets: renewalSecrets('client_credentials', t, client),
    };
  }
  const scopes = orcidScopes(s.scopes);
  const openid = scopes.includes('openid');
  const nonce = openid ? createNonce() : undefined;
  return authorizationCodeLogin(
    ports,
    {
      provider: orcidProvider,
      ep,
      client,
      scopes,
      pkce: false,
      extraParams: nonce ? { nonce } : undefined,
      complete: async (t) => {
        const orcid = orcidOf(t);
        let name = typeof t.raw.name === 'string' && t.raw.name.trim() ? t.raw.name.trim() : undefined;
        if (nonce) {
          const claims = await checkIdToken(ports, orcidProvider, ep, client.clientId, nonce, t);
          if (claims.sub !== orcid) {
            throw new AuthDeniedError('AUTH_INVALID', `ORCID's id_token names ${String(claims.sub)}, but the token is for ${orcid}. Nothing was stored.`, {
              hint: 'Run `rdp login orcid` again.',
            });
          }
          name ??= typeof claims.name === 'string' ? claims.name : [claims.given_name, claims.family_name].filter((x) => typeof x === 'string').join(' ') || undefined;
        }
        return {
          token: t.accessToken,
          identity: { user: { orcid, name }, scopes: t.scopes ?? scopes, expiresAt: expiryOf(t, ports.clock.now()), grant: 'authorization_code', clientId: client.clientId },
          secrets: renewalSecrets('authorization_code', t, client),
        };
      },
    },
    s.flow,
  );
}

/** The iD of a 3-legged token response, checked (ISO 7064 MOD 11-2). */
function orcidOf(t: TokenSet): string {
  const raw = t.raw.orcid;
  const parsed = typeof raw === 'string' ? parseOrcid(raw) : undefined;
  if (!parsed?.ok) {
    throw new FailureError(
      'BAD_RESPONSE',
      `ORCID's token response does not carry a valid ORCID iD (${typeof raw === 'string' ? `${raw}: ${parsed && !parsed.ok ? parsed.reason : ''}` : 'none'}). Nothing was stored.`,
      { hint: 'Run `rdp login orcid` again; if it keeps happening, log in with a token and --orcid.' },
    );
  }
  return parsed.id;
}

async function checkIdToken(ports: AuthPorts, orcidProvider: Provider, ep: Endpoints, clientId: string, nonce: string, t: TokenSet): Promise<Record<string, unknown>> {
  const idToken = t.raw.id_token;
  const fail = (why: string) =>
    new AuthDeniedError('AUTH_INVALID', `ORCID's id_token failed verification: ${why}. Nothing was stored.`, {
      hint: 'Run `rdp login orcid` again. If it keeps failing, something between you and ORCID may be altering the answer.',
    });
  if (typeof idToken !== 'string' || !idToken) throw fail('the token response has no id_token although openid was asked for');
  const http = await ports.http({ service: orcidProvider, base: ep.web });
  // The discovery document names the issuer and the JWKS (providers.md 4.4; the sandbox's issuer is
  // unconfirmed, so the one it names is accepted besides the web base). Without it: the documented paths.
  const discovery = await http
    .json<{ issuer?: unknown; jwks_uri?: unknown }>({ method: 'GET', path: joinUrl(ep.web, '/.well-known/openid-configuration'), anonymous: true, retry: 'never' })
    .then((r) => r.data ?? {})
    .catch(() => ({}) as { issuer?: unknown; jwks_uri?: unknown });
  const sameOrigin = (u: unknown): u is string => {
    try {
      return typeof u === 'string' && new URL(u).origin === new URL(ep.web).origin;
    } catch {
      return false;
    }
  };
  const issuers = [ep.web, ...(sameOrigin(discovery.issuer) ? [discovery.issuer] : [])];
  const jwksUrl = sameOrigin(discovery.jwks_uri) ? discovery.jwks_uri : joinUrl(ep.web, '/oauth/jwks');
  const { data } = await http.json<unknown>({ method: 'GET', path: jwksUrl, anonymous: true });
  try {
    return await verifyIdToken(idToken, jwksKeys(data), { issuer: issuers, audience: clientId, nonce, now: ports.clock.now() });
  } catch (err) {
    if (err instanceof IdTokenError) throw fail(err.message);
    throw err;
  }
}
