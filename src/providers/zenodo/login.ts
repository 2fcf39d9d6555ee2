// Zenodo's browser login (providers.md 0.1, 1.2): Invenio-OAuth2Server's (src/auth/invenio-login.ts),
// asking for `deposit:write deposit:actions` (and `user:email` with --scope); the 60-day token is renewed
// with the refresh token kept beside it.
import type { OAuthClientCreds } from '../../auth/client.js';
import { invenioLogin } from '../../auth/invenio-login.js';
import type { AuthPorts, BrowserLoginSettings, NewLogin } from '../../auth/ports.js';
import type { Endpoints, Provider } from '../types.js';

export const ZENODO_SCOPES = ['deposit:write', 'deposit:actions'];

export function zenodoLogin(ports: AuthPorts, zenodo: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin> {
  return invenioLogin(ports, zenodo, ep, client, s, { scopes: ZENODO_SCOPES, needed: { scopes: ZENODO_SCOPES, why: 'uploading or publishing will be refused.' } });
}
