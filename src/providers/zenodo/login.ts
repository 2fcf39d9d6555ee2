// Zenodo (providers.md 0.1, 1.2): authorization code (+ PKCE, which Zenodo ignores) on the loopback
// listener at the fixed, registered port (redirect.ts: Zenodo matches redirect URIs exactly), scopes `deposit:write deposit:actions` (and
// `user:email` with --scope). The refresh token is stored beside the access token (with the client
// secret it needs), so rdp renews the 60-day token before it expires (auth/oauth/renew.ts).
import type { Context } from '../../context.js';
import type { Endpoints } from '../registry.js';
import { type LoginResult, saveLogin } from '../../workflows/token-login.js';
import { resolveClient } from '../../auth/client.js';
import { authorizationCodeLogin } from '../../auth/oauth2.js';
import { renewalSecrets } from '../../auth/renew.js';
import { type BrowserLoginSettings, clientOptions, unique } from '../../auth/ports.js';
import { expiryOf } from '../../auth/token-endpoint.js';

export const ZENODO_SCOPES = ['deposit:write', 'deposit:actions'];

export async function zenodoLogin(ctx: Context, ep: Endpoints, s: BrowserLoginSettings): Promise<LoginResult> {
  const client = await resolveClient(ctx, 'zenodo', ep, s.client, clientOptions(s, 'optional'));
  const scopes = unique([...ZENODO_SCOPES, ...s.scopes]);
  return authorizationCodeLogin(
    ctx,
    {
      provider: 'zenodo',
      ep,
      client,
      scopes,
      pkce: true,
      complete: async (t) => {
        const u = (t.raw.user ?? {}) as { id?: unknown; email?: unknown };
        const granted = t.scopes ?? scopes;
        const missing = ZENODO_SCOPES.filter((x) => !granted.includes(x));
        if (missing.length) ctx.io.warn(`Zenodo granted no ${missing.join(' or ')}: uploading or publishing will be refused.`);
        return saveLogin(
          ctx,
          ep,
          t.accessToken,
          {
            user: {
              id: u.id !== undefined && u.id !== null ? String(u.id) : undefined,
              email: typeof u.email === 'string' ? u.email : undefined,
            },
            scopes: granted,
            expiresAt: expiryOf(t),
            grant: 'authorization_code',
            clientId: client.clientId,
          },
          s.storage,
          renewalSecrets('authorization_code', t, client),
        );
      },
    },
    s.flow,
  );
}
