// DMPTool's browser login (providers.md 0.2, 3.2, Doorkeeper): authorization code, out-of-band by
// default (dmptool.org refuses http: redirect URIs, so the user pastes the code DMPTool shows; PKCE is
// sent and ignored), or `--client-credentials`: a 2-hour token that rdp mints again from the stored
// client secret when it runs out. Both ask for `public read_dmps` (templates need public; a plan and
// its PDF need read_dmps), more with --scope. Doorkeeper issues no refresh tokens.
import type { OAuthClientCreds } from '../../auth/client.js';
import { verifyClient } from '../../auth/credentials.js';
import { authorizationCodeLogin, clientCredentialsToken, expiryOf, type TokenSet } from '../../auth/oauth2.js';
import { type AuthPorts, type BrowserLoginSettings, type NewLogin, unique } from '../../auth/ports.js';
import { renewalSecrets } from '../../auth/renew.js';
import type { Endpoints, Provider } from '../types.js';
import { DmptoolClient } from './client.js';

export const DMPTOOL_SCOPES = ['public', 'read_dmps'];

async function login(ports: AuthPorts, dmptool: Provider, ep: Endpoints, t: TokenSet, asked: string[], grant: 'authorization_code' | 'client_credentials', client: OAuthClientCreds): Promise<NewLogin> {
  const name = (await new DmptoolClient(await verifyClient(ports, dmptool, ep, t.accessToken)).identify()).caller;
  return {
    token: t.accessToken,
    identity: { user: { name }, scopes: t.scopes ?? asked, expiresAt: expiryOf(t, ports.clock.now()), grant, clientId: client.clientId },
    secrets: grant === 'client_credentials' ? renewalSecrets('client_credentials', t, client) : {},
  };
}

export async function dmptoolLogin(ports: AuthPorts, dmptool: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin> {
  if (s.clientCredentials) {
    const scopes = unique([...(dmptool.auth.oauth?.clientCredentials?.scopes ?? DMPTOOL_SCOPES), ...s.scopes]);
    const t = await clientCredentialsToken(ports, dmptool, ep, client, scopes);
    return login(ports, dmptool, ep, t, scopes, 'client_credentials', client);
  }
  const scopes = unique([...DMPTOOL_SCOPES, ...s.scopes]);
  return authorizationCodeLogin(ports, { provider: dmptool, ep, client, scopes, pkce: true, complete: (t) => login(ports, dmptool, ep, t, scopes, 'authorization_code', client) }, s.flow);
}
