// Zenodo's browser login (providers.md 0.1, 1.2): authorization code (+ PKCE, which Zenodo ignores) on
// the loopback listener at the fixed, registered port (Zenodo matches redirect URIs exactly), scopes
// `deposit:write deposit:actions` (and `user:email` with --scope). The refresh token is kept beside the
// access token (with the client secret it needs), so rdp renews the 60-day token before it expires.
import type { OAuthClientCreds } from '../../auth/client.js';
import { authorizationCodeLogin, expiryOf } from '../../auth/oauth2.js';
import { type AuthPorts, type BrowserLoginSettings, type NewLogin, unique } from '../../auth/ports.js';
import { renewalSecrets } from '../../auth/renew.js';
import type { Endpoints, Provider } from '../types.js';

export const ZENODO_SCOPES = ['deposit:write', 'deposit:actions'];

export function zenodoLogin(ports: AuthPorts, zenodo: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin> {
  const scopes = unique([...ZENODO_SCOPES, ...s.scopes]);
  return authorizationCodeLogin(
    ports,
    {
      provider: zenodo,
      ep,
      client,
      scopes,
      pkce: true,
      complete: async (t) => {
        const u = (t.raw.user ?? {}) as { id?: unknown; email?: unknown };
        const granted = t.scopes ?? scopes;
        const missing = ZENODO_SCOPES.filter((x) => !granted.includes(x));
        if (missing.length) ports.log.warn(`Zenodo granted no ${missing.join(' or ')}: uploading or publishing will be refused.`);
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
