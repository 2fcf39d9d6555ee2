// DMPTool (providers.md 0.2, 3.2, Doorkeeper): authorization code, out-of-band by default (dmptool.org
// refuses http: redirect URIs, so the user pastes the code DMPTool shows; PKCE is sent and ignored), or
// `--client-credentials`: a 2-hour token that rdp mints again from the stored client secret when it
// runs out (auth/oauth/renew.ts). Both ask for `public read_dmps` (templates need public; a plan and its
// PDF need read_dmps), more with --scope. Doorkeeper issues no refresh tokens.
import type { Context } from '../../context.js';
import { DmptoolClient } from './client.js';
import type { Endpoints } from '../registry.js';
import type { SecretName } from '../../store/types.js';
import { verifyClient } from '../../auth/credentials.js';
import { type LoginResult, saveLogin } from '../../workflows/token-login.js';
import { resolveClient } from '../../auth/client.js';
import { authorizationCodeLogin, clientCredentialsToken } from '../../auth/oauth2.js';
import { renewalSecrets } from '../../auth/renew.js';
import { type BrowserLoginSettings, clientOptions, unique } from '../../auth/ports.js';
import { expiryOf, type TokenSet } from '../../auth/token-endpoint.js';

export const DMPTOOL_SCOPES = ['public', 'read_dmps'];
export const DMPTOOL_CLIENT_SCOPES = ['public', 'read_dmps'];

async function caller(ctx: Context, ep: Endpoints, token: string): Promise<string | undefined> {
  const http = await verifyClient(ctx, 'dmptool', ep, token);
  return (await new DmptoolClient(http).identify()).caller;
}

export async function dmptoolLogin(ctx: Context, ep: Endpoints, s: BrowserLoginSettings): Promise<LoginResult> {
  const client = await resolveClient(ctx, 'dmptool', ep, s.client, clientOptions(s, 'required'));
  if (s.clientCredentials) {
    const scopes = unique([...DMPTOOL_CLIENT_SCOPES, ...s.scopes]);
    const t = await clientCredentialsToken(ctx, 'dmptool', ep, client, scopes);
    return saveDmptool(ctx, ep, s, t, scopes, 'client_credentials', client.clientId, renewalSecrets('client_credentials', t, client));
  }
  const scopes = unique([...DMPTOOL_SCOPES, ...s.scopes]);
  return authorizationCodeLogin(
    ctx,
    { provider: 'dmptool', ep, client, scopes, pkce: true, complete: (t) => saveDmptool(ctx, ep, s, t, scopes, 'authorization_code', client.clientId, {}) },
    s.flow,
  );
}

async function saveDmptool(
  ctx: Context,
  ep: Endpoints,
  s: BrowserLoginSettings,
  t: TokenSet,
  asked: string[],
  grant: 'authorization_code' | 'client_credentials',
  clientId: string,
  secrets: Partial<Record<SecretName, string>>,
): Promise<LoginResult> {
  const name = await caller(ctx, ep, t.accessToken);
  return saveLogin(
    ctx,
    ep,
    t.accessToken,
    { user: { name }, scopes: t.scopes ?? asked, expiresAt: expiryOf(t), grant, clientId },
    s.storage,
    secrets,
  );
}
