// Zenodo's OAuth 2 server (providers.md 0.1 and 1.2, Invenio-OAuth2Server): consent page, authorization
// code, refresh tokens (rotated), client_credentials for confidential clients. What its code does, by
// default here: redirect URIs are matched exactly, port included (a mismatch sends the browser to
// Zenodo's /oauth/errors?error=mismatching_redirect_uri page, never to the client); PKCE is accepted and
// ignored; codes live about 100 s; public clients get no refresh token; issuing a token (code grant or
// refresh) deletes every other token of the same client for that user, refresh tokens included. The
// token endpoint finds the client by the form's client_id (unknown: 404); errors are OAuthlib's
// {"error","error_description"} (401 for invalid_client, else 400). The token response adds `user.id`,
// and the email only when `user:email` was granted.
import { mountInvenioOAuth2Server } from '../common/invenio-oauth2server.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';

export { READY_CLIENT_PORT } from '../common/invenio-oauth2server.js';

export function mountZenodoOAuth(ctx: ServiceContext): void {
  mountInvenioOAuth2Server(ctx, {
    service: 'zenodo',
    name: 'Zenodo',
    errorTitle: 'Authorization error - Zenodo',
    scopes: ['deposit:write', 'deposit:actions', 'user:email'],
    defaultScopes: ['deposit:write'],
    user: SEED.zenodo,
  });
}
