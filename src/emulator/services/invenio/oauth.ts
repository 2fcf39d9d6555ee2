// The InvenioRDM site's OAuth 2 server: Invenio-OAuth2Server, the same code as Zenodo's (providers.md 0.1,
// 1.2): consent page, authorization code, refresh tokens (rotated) for confidential clients,
// client_credentials. As its code does: redirect URIs matched exactly, port included (a mismatch sends
// the browser to the site's /oauth/errors?error=mismatching_redirect_uri page, never to the client);
// PKCE accepted and ignored; codes live 100 s; issuing a token deletes the client's other tokens for
// that user. What differs from Zenodo: the only scope a client can ask for is `user:email` (the
// `invenio_oauth2server.scopes` entry point; invenio-rdm-records' `tokens:generate` is internal), an
// authorize request with no scope is granted (a client's default scopes are none), and tokens live
// flask-oauthlib's default 3600 s (invenio-app-rdm sets no lifetime). The records API checks no scope.
import { mountInvenioOAuth2Server } from '../common/invenio-oauth2server.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';

export { READY_CLIENT_PORT } from '../common/invenio-oauth2server.js';

export function mountSiteOAuth(ctx: ServiceContext): void {
  mountInvenioOAuth2Server(ctx, {
    service: 'invenio',
    name: 'InvenioRDM',
    errorTitle: 'Authorization error',
    scopes: ['user:email'],
    defaultScopes: [],
    emptyScopesOk: true,
    user: SEED.invenio,
  });
}
