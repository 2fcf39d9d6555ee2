// Zenodo's OAuth 2 server (providers.md 1.2, Invenio-OAuth2Server): consent page, authorization code
// with PKCE, refresh tokens (rotated), client_credentials for confidential clients. The token endpoint
// finds the client by the form's client_id (unknown: 404); errors are OAuthlib's
// {"error","error_description"} (401 for invalid_client, else 400). A new token for the same client
// and user replaces that client's previous token for the user. The token response adds `user.id`,
// and the email only when `user:email` was granted.
import { EmuHttpError } from '../../http.js';
import { mountOAuth2, oauthErrorBody, registerDefaultClient, secondsLeft } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { randomAlnum } from '../../tokens.js';

const SCOPES = ['deposit:write', 'deposit:actions', 'user:email'];

export function mountZenodoOAuth(ctx: ServiceContext): void {
  registerDefaultClient(ctx, randomAlnum(40), randomAlnum(60), 'rdp (emulator client)');
  mountOAuth2(ctx, {
    name: 'Zenodo',
    scopes: SCOPES,
    clientCredentialScopes: SCOPES,
    defaultScopes: ['deposit:write'],
    refreshTokens: true,
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
        }
      }
    },
    tokenResponse(rec, info) {
      const body: Record<string, unknown> = {
        access_token: rec.token,
        token_type: 'Bearer',
        expires_in: secondsLeft(rec),
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
}
