// The InvenioRDM site's OAuth 2 server: Invenio-OAuth2Server, the same code as Zenodo's (providers.md 0.1,
// 1.2): consent page, authorization code, refresh tokens (rotated) for confidential clients,
// client_credentials. As its code does: redirect URIs matched exactly, port included (a mismatch sends
// the browser to the site's /oauth/errors?error=mismatching_redirect_uri page, never to the client);
// PKCE accepted and ignored; codes live 100 s; issuing a token deletes the client's other tokens for
// that user. What differs from Zenodo: the only scope a client can ask for is `user:email` (the
// `invenio_oauth2server.scopes` entry point; invenio-rdm-records' `tokens:generate` is internal), an
// authorize request with no scope is granted (a client's default scopes are none), and tokens live
// flask-oauthlib's default 3600 s (invenio-app-rdm sets no lifetime). The records API checks no scope.
import { escapeHtml } from '../../guards.js';
import { EmuHttpError } from '../../http.js';
import { mountOAuth2, oauthErrorBody, oauthState, page, registerDefaultClient, secondsLeft } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { randomAlnum } from '../../tokens.js';

/** The port in the redirect URI of the ready-made client: rdp's default for sites (as for Zenodo). */
export const READY_CLIENT_PORT = 21930;

export function mountSiteOAuth(ctx: ServiceContext): void {
  registerDefaultClient(ctx, randomAlnum(40), randomAlnum(60), 'rdp (emulator client)', [`http://127.0.0.1:${READY_CLIENT_PORT}/callback`]);
  const os = oauthState(ctx.state);
  mountOAuth2(ctx, {
    name: 'InvenioRDM',
    scopes: ['user:email'],
    clientCredentialScopes: ['user:email'],
    defaultScopes: [],
    emptyScopesOk: true,
    refreshTokens: true,
    redirectRule: 'exact',
    pkce: 'ignore',
    redirectMismatch(res) {
      res.send(302, '', undefined, { location: `${ctx.base}/oauth/errors?error=mismatching_redirect_uri`, 'cache-control': 'no-store' });
    },
    user: { id: SEED.invenio.id, label: `${SEED.invenio.username} <${SEED.invenio.email}>` },
    tokenError: (code, description) => oauthErrorBody(code === 'invalid_client' ? 401 : 400, code, description),
    unknownClient: () =>
      new EmuHttpError(404, {
        status: 404,
        message: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
      }),
    onIssued(rec, info) {
      if (info.grant === 'client_credentials') return;
      for (const other of ctx.state.tokens.values()) {
        if (other !== rec && other.service === 'invenio' && other.kind === 'oauth' && other.clientId === rec.clientId && other.userId === rec.userId) {
          ctx.state.revoke(other.token);
          if (other.refreshToken) os.refresh.delete(other.refreshToken);
        }
      }
    },
    tokenResponse(rec, info) {
      const body: Record<string, unknown> = {
        access_token: rec.token,
        token_type: 'Bearer',
        expires_in: secondsLeft(rec, ctx.state.now()),
        scope: rec.scopes.join(' '),
      };
      if (rec.refreshToken) body.refresh_token = rec.refreshToken;
      if (info.userId) {
        body.user = rec.scopes.includes('user:email') ? { id: info.userId, email: SEED.invenio.email, email_verified: true } : { id: info.userId };
      }
      return body;
    },
  });

  // Where the site sends the browser when an authorize request cannot be answered to the client.
  ctx.router.get('/oauth/errors', (req, res) => {
    const error = req.query.get('error') ?? 'unknown_error';
    res.html(
      200,
      page('Authorization error', `<h1>Authorization error</h1><p id="error">${escapeHtml(error)}</p><p>The application made an invalid request.</p>`),
      { 'cache-control': 'no-store' },
    );
  });
}
