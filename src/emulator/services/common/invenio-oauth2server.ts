// Invenio-OAuth2Server, the OAuth 2 server of every InvenioRDM (Zenodo's and a generic site's; providers.md
// 0.1 and 1.2): consent page, authorization code, refresh tokens (rotated) for confidential clients,
// client_credentials. As its code does: redirect URIs matched exactly, port included (a mismatch sends
// the browser to the server's /oauth/errors?error=mismatching_redirect_uri page, never to the client);
// PKCE accepted and ignored; issuing a token (code grant or refresh) deletes every other token of the
// same client for that user, refresh tokens included. The token endpoint finds the client by the form's
// client_id (unknown: 404); errors are OAuthlib's {"error","error_description"} (401 for
// invalid_client, else 400). The token response adds `user.id`, and the email only with `user:email`.
// What differs between deployments (scopes, default scopes, the seeded user) comes in as options.
import { escapeHtml } from '../../guards.js';
import { EmuHttpError } from '../../http.js';
import { mountOAuth2, oauthErrorBody, oauthState, page, registerDefaultClient, secondsLeft } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { randomAlnum } from '../../tokens.js';

/**
 * The port in the redirect URI of a deployment's ready-made client: the one rdp's README tells people to
 * register (`http://127.0.0.1:21930/callback`), so that a login against `rdp emulator` behaves as
 * against the real server.
 */
export const READY_CLIENT_PORT = 21930;

export interface InvenioOAuthOptions {
  /** The emulator's service id whose tokens these are. */
  service: 'zenodo' | 'invenio';
  /** For the consent page. */
  name: string;
  /** Title of the /oauth/errors page. */
  errorTitle: string;
  scopes: string[];
  defaultScopes: string[];
  /** An authorize request without a scope is granted (a client's default scopes are none). */
  emptyScopesOk?: boolean | undefined;
  user: { id: string; username: string; email: string };
}

export function mountInvenioOAuth2Server(ctx: ServiceContext, o: InvenioOAuthOptions): void {
  registerDefaultClient(ctx, randomAlnum(40), randomAlnum(60), 'rdp (emulator client)', [`http://127.0.0.1:${READY_CLIENT_PORT}/callback`]);
  const os = oauthState(ctx.state);
  mountOAuth2(ctx, {
    name: o.name,
    scopes: o.scopes,
    clientCredentialScopes: o.scopes,
    defaultScopes: o.defaultScopes,
    ...(o.emptyScopesOk ? { emptyScopesOk: true } : {}),
    refreshTokens: true,
    redirectRule: 'exact',
    pkce: 'ignore',
    redirectMismatch(res) {
      res.send(302, '', undefined, { location: `${ctx.base}/oauth/errors?error=mismatching_redirect_uri`, 'cache-control': 'no-store' });
    },
    user: { id: o.user.id, label: `${o.user.username} <${o.user.email}>` },
    tokenError: (code, description) => oauthErrorBody(code === 'invalid_client' ? 401 : 400, code, description),
    unknownClient: () =>
      new EmuHttpError(404, {
        status: 404,
        message: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
      }),
    onIssued(rec, info) {
      if (info.grant === 'client_credentials') return;
      for (const other of ctx.state.tokens.values()) {
        if (other !== rec && other.service === o.service && other.kind === 'oauth' && other.clientId === rec.clientId && other.userId === rec.userId) {
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
      if (info.userId) body.user = rec.scopes.includes('user:email') ? { id: info.userId, email: o.user.email, email_verified: true } : { id: info.userId };
      return body;
    },
  });

  // Where the server sends the browser when an authorize request cannot be answered to the client.
  ctx.router.get('/oauth/errors', (req, res) => {
    const error = req.query.get('error') ?? 'unknown_error';
    res.html(200, page(o.errorTitle, `<h1>Authorization error</h1><p id="error">${escapeHtml(error)}</p><p>The application made an invalid request.</p>`), {
      'cache-control': 'no-store',
    });
  });
}
