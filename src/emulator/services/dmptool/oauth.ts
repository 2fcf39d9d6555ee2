// DMPTool's OAuth 2 server (providers.md 0.2 and 3.2; Doorkeeper 5.7 as DMPTool configures it):
// authorization_code and client_credentials only, no refresh tokens. Scopes: public, read_dmps
// (defaults), create_dmps, edit_dmps. Token lifetimes: 2 hours for client_credentials, 10 years for
// authorization_code; codes live Doorkeeper's default 10 minutes. Like the production deployments, the
// ready-made client has only the out-of-band redirect URI (dmptool.org refuses http: redirect URIs at
// registration): after approval the browser lands on /oauth/authorize/native?code=… which shows the
// code; a denial there is Doorkeeper's JSON error (400), as it cannot redirect to the out-of-band URI.
// PKCE is accepted and ignored (DMPTool's tables have no columns for it). Redirect URIs: exact, with
// loopback IPs on any port (Doorkeeper's RFC 8252 rule). Errors: {"error","error_description"}, 401
// for invalid_client, 400 for everything else. A valid token with the same client, owner and scopes is
// handed out again (Doorkeeper's token reuse), with the seconds it has left.
import { mountOAuth2, OOB_URI, oauthErrorBody, registerDefaultClient, secondsLeft, type TokenGrantInfo } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED, type TokenRecord } from '../../state.js';
import { randomAlnum } from '../../tokens.js';
import { clientScopes } from './api-clients.js';

const SCOPES = ['public', 'read_dmps', 'create_dmps', 'edit_dmps'];

export function mountDmptoolOAuth(ctx: ServiceContext): void {
  // 43 characters like Doorkeeper's, but never starting with a dash (pasted into a command line).
  registerDefaultClient(ctx, randomAlnum(43), randomAlnum(43), SEED.dmptool.clientName, [OOB_URI]);
  const created = new Map<string, number>();
  const sameScopes = (a: string[], b: string[]) => a.length === b.length && a.every((s) => b.includes(s));
  mountOAuth2(ctx, {
    name: 'DMPTool',
    scopes: SCOPES,
    clientCredentialScopes: SCOPES,
    defaultScopes: ['public', 'read_dmps'],
    refreshTokens: false,
    redirectRule: 'doorkeeper',
    pkce: 'ignore',
    outOfBand: true,
    redirectMismatch(res) {
      // Doorkeeper's error view for invalid_redirect_uri (it never redirects to an unregistered URI).
      res.html(
        400,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An error has occurred</title></head><body><h1>An error has occurred</h1><main role="main"><pre id="error">The requested redirect uri is malformed or doesn't match client redirect URI.</pre></main></body></html>\n`,
        { 'cache-control': 'no-store' },
      );
    },
    // Doorkeeper's enforce_configured_scopes with the client's own `scopes` (api-clients.ts)
    allowedScopes: (client) => clientScopes(ctx, client.clientId),
    user: { id: SEED.dmptool.id, label: `${SEED.dmptool.name} <${SEED.dmptool.mbox}>` },
    tokenError: (code, description) => oauthErrorBody(code === 'invalid_client' ? 401 : 400, code, description),
    reuse(info: TokenGrantInfo): TokenRecord | undefined {
      const kind = info.grant === 'client_credentials' ? 'client' : 'oauth';
      for (const rec of ctx.state.tokens.values()) {
        if (rec.service !== 'dmptool' || rec.kind !== kind || rec.clientId !== info.client.clientId) continue;
        if (rec.userId !== info.userId || !sameScopes(rec.scopes, info.scopes)) continue;
        if (ctx.state.usable(rec)) return rec;
      }
      return undefined;
    },
    tokenResponse(rec) {
      if (!created.has(rec.token)) created.set(rec.token, Math.floor(ctx.state.now() / 1000));
      return {
        access_token: rec.token,
        token_type: 'Bearer',
        expires_in: secondsLeft(rec, ctx.state.now()),
        scope: rec.scopes.join(' '),
        created_at: created.get(rec.token),
      };
    },
  });
}
