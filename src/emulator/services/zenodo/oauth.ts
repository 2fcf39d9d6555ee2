// Zenodo's OAuth 2 server (providers.md 0.1 and 1.2, Invenio-OAuth2Server): consent page, authorization
// code, refresh tokens (rotated), client_credentials for confidential clients. What its code does, by
// default here: redirect URIs are matched exactly, port included (a mismatch sends the browser to
// Zenodo's /oauth/errors?error=mismatching_redirect_uri page, never to the client); PKCE is accepted and
// ignored; codes live about 100 s; public clients get no refresh token; issuing a token (code grant or
// refresh) deletes every other token of the same client for that user, refresh tokens included. The
// token endpoint finds the client by the form's client_id (unknown: 404); errors are OAuthlib's
// {"error","error_description"} (401 for invalid_client, else 400). The token response adds `user.id`,
// and the email only when `user:email` was granted.
import { escapeHtml } from '../../guards.js';
import { EmuHttpError } from '../../http.js';
import { mountOAuth2, oauthErrorBody, oauthState, page, registerDefaultClient, secondsLeft } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { randomAlnum } from '../../tokens.js';

const SCOPES = ['deposit:write', 'deposit:actions', 'user:email'];

/**
 * The port in the redirect URI of the emulator's ready-made Zenodo client: the one rdp's README tells
 * people to register with Zenodo (`http://127.0.0.1:21930/callback`), so that `rdp login zenodo`
 * against `rdp emulator` behaves as against zenodo.org.
 */
export const READY_CLIENT_PORT = 21930;

export function mountZenodoOAuth(ctx: ServiceContext): void {
  registerDefaultClient(ctx, randomAlnum(40), randomAlnum(60), 'rdp (emulator client)', [`http://127.0.0.1:${READY_CLIENT_PORT}/callback`]);
  const os = oauthState(ctx.state);
  mountOAuth2(ctx, {
    name: 'Zenodo',
    scopes: SCOPES,
    clientCredentialScopes: SCOPES,
    defaultScopes: ['deposit:write'],
    refreshTokens: true,
    redirectRule: 'exact',
    pkce: 'ignore',
    redirectMismatch(res) {
      res.send(302, '', undefined, { location: `${ctx.base}/oauth/errors?error=mismatching_redirect_uri`, 'cache-control': 'no-store' });
    },
    user: { id: SEED.zenodo.id, label: `${SEED.zenodo.username} <${SEED.zenodo.email}>` },
    tokenError: (code, description) => oauthErrorBody(code === 'invalid_client' ? 401 : 400, code, description),
    unknownClient: () =>
      new EmuHttpError(404, {
        status: 404,
        message: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
      }),
    onIssued(rec, info) {
      if (info.grant === 'client_credentials') return;
      for (const other of ctx.state.tokens.values()) {
        if (other !== rec && other.service === 'zenodo' && other.kind === 'oauth' && other.clientId === rec.clientId && other.userId === rec.userId) {
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
        body.user = rec.scopes.includes('user:email')
          ? { id: info.userId, email: SEED.zenodo.email, email_verified: true }
          : { id: info.userId };
      }
      return body;
    },
  });

  // Where Zenodo sends the browser when an authorize request cannot be answered to the client.
  ctx.router.get('/oauth/errors', (req, res) => {
    const error = req.query.get('error') ?? 'unknown_error';
    res.html(
      200,
      page('Authorization error - Zenodo', `<h1>Authorization error</h1><p id="error">${escapeHtml(error)}</p><p>The application made an invalid request.</p>`),
      { 'cache-control': 'no-store' },
    );
  });
}
