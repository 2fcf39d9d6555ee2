// The browser login of an Invenio-OAuth2Server (Zenodo, and any InvenioRDM site; providers.md 0.1, 1.2):
// authorization code (+ PKCE, which the server accepts and ignores) on the loopback listener at the
// registered port (it matches redirect URIs exactly); the user's id and email come with the token; the
// refresh token is kept beside the access token (with the client secret it needs), so rdp renews the
// token before it expires.
import type { OAuthClientCreds } from './client.js';
import { authorizationCodeLogin, expiryOf } from './oauth2.js';
import { type AuthPorts, type BrowserLoginSettings, type NewLogin, unique } from './ports.js';
import { renewalSecrets } from './renew.js';
import type { Endpoints, Provider } from '../providers/types.js';

/**
 * `scopes`: what the login always asks for (with what --scope adds); `needed`: scopes without which the
 * commands will be refused, warned about when the server grants less.
 */
export function invenioLogin(
  ports: AuthPorts,
  p: Provider,
  ep: Endpoints,
  client: OAuthClientCreds,
  s: BrowserLoginSettings,
  opts: { scopes: string[]; needed?: { scopes: string[]; why: string } | undefined },
): Promise<NewLogin> {
  const scopes = unique([...opts.scopes, ...s.scopes]);
  return authorizationCodeLogin(
    ports,
    {
      provider: p,
      ep,
      client,
      scopes,
      pkce: true,
      complete: async (t) => {
        const u = (t.raw.user ?? {}) as { id?: unknown; email?: unknown };
        const granted = t.scopes ?? scopes;
        const missing = opts.needed?.scopes.filter((x) => !granted.includes(x)) ?? [];
        if (missing.length) ports.log.warn(`${ep.name} granted no ${missing.join(' or ')}: ${opts.needed?.why}`);
        return {
          token: t.accessToken,
          identity: {
            user: {
              id: u.id !== undefined && u.id !== null ? String(u.id) : undefined,
              email: typeof u.email === 'string' ? u.email : undefined,
            },
            scopes: granted,
            expiresAt: expiryOf(t, ports.clock.now()),
            grant: 'authorization_code',
            clientId: client.clientId,
          },
          secrets: renewalSecrets('authorization_code', t, client),
        };
      },
    },
    s.flow,
  );
}
