// The OAuth 2 token endpoint (authorization_code, refresh_token, client_credentials), through the
// shared HTTP layer. Every secret sent or received is registered for redaction before anything can be
// printed, and the providers' OAuth error bodies (`{"error","error_description"}`, providers.md 1.2,
// 3.2, 4.3) become errors that say what happened and what to do next.
import type { Context } from '../context.js';
import { AuthDeniedError, AuthRequiredError, type RdpError } from '../errors/errors.js';
import type { ParsedError } from '../providers/error-bodies.js';
import type { Endpoints } from '../providers/registry.js';
import { clientEnv, type OAuthProviderId } from './client.js';
import { CODE_LIFETIME } from './redirect.js';

export type Grant = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface TokenSet {
  accessToken: string;
  tokenType?: string | undefined;
  /** Seconds, when the provider said. */
  expiresIn?: number | undefined;
  refreshToken?: string | undefined;
  /** Granted scopes, when the provider said. */
  scopes?: string[] | undefined;
  /** The whole response (ORCID's `orcid`, `name`, `id_token`; Zenodo's `user`; DMPTool's `created_at`). */
  raw: Record<string, unknown>;
}

/**
 * The absolute time a token expires: now + `expires_in`. (DMPTool's `created_at` is not used: Doorkeeper
 * hands a still-valid token out again with the seconds it has *left* and its original `created_at`.)
 */
export function expiryOf(t: TokenSet, now = Date.now()): string | undefined {
  if (t.expiresIn === undefined) return undefined;
  return new Date(Math.floor(now / 1000 + t.expiresIn) * 1000).toISOString();
}

function tokenError(provider: OAuthProviderId, ep: Endpoints, grant: Grant, renewing: boolean, status: number, parsed: ParsedError): RdpError | undefined {
  const name = ep.name;
  const login = `rdp login ${provider}${ep.sandbox ? ' --sandbox' : ''}${grant === 'client_credentials' ? ' --client-credentials' : ''}`;
  const err = parsed.oauthError ?? (status === 401 ? 'invalid_client' : status === 404 && provider === 'zenodo' ? 'invalid_client' : undefined);
  const detail = `${status}: ${parsed.message}`;
  const stored = renewing ? '' : ' Nothing was stored.';
  switch (err) {
    case 'invalid_client':
    case 'unauthorized_client':
      return new AuthDeniedError('AUTH_INVALID', `${name} did not accept rdp's OAuth client (${detail}).${stored}`, {
        hint: `${renewing ? `Run \`${login}\` with a working client. ` : ''}Check the client id and secret (${clientEnv(provider, 'ID')} / ${clientEnv(provider, 'SECRET')}, --client-id / --client-secret, or \`rdp config set ${provider}.client_id\`).`,
      });
    case 'invalid_grant':
      if (grant === 'refresh_token') {
        return new AuthRequiredError(`Your ${name} login could not be renewed (${detail}).`, { hint: `Run \`${login}\` to log in again.` });
      }
      if (grant === 'client_credentials') {
        return new AuthRequiredError(`${name} refused rdp's client credentials (${detail}).`, { hint: `Run \`${login}\` again.` });
      }
      return new AuthDeniedError('AUTH_INVALID', `${name} refused the authorization code (${detail}).${stored}`, {
        hint: `A code works once, only with the redirect URI it was issued for, and only for ${CODE_LIFETIME[provider] ?? 'a few minutes'} after you approve. Run \`${login}\` again${provider === 'zenodo' ? ' and paste promptly' : ''}.`,
      });
    case 'invalid_scope':
      return new AuthDeniedError('AUTH_SCOPE', `${name} refused the requested scopes (${detail}).${stored}`, {
        hint: `Check the --scope values (\`rdp login --help\` lists them).`,
      });
    default:
      return undefined;
  }
}

export interface TokenRequestOptions {
  provider: OAuthProviderId;
  endpoints: Endpoints;
  /** Absolute URL of the token endpoint. */
  url: string;
  grant: Grant;
  form: Record<string, string | undefined>;
  /** Renewing a stored login (the messages then say nothing about "nothing stored"). */
  renewing?: boolean | undefined;
}

export async function tokenRequest(ctx: Context, opts: TokenRequestOptions): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: opts.grant };
  for (const [k, v] of Object.entries(opts.form)) {
    if (v === undefined || v === '') continue;
    form[k] = v;
    if (k === 'code' || k === 'code_verifier' || k === 'client_secret' || k === 'refresh_token') ctx.io.secret(v);
  }
  const http = await ctx.http({
    provider: opts.provider,
    base: opts.endpoints.web,
    mapError: (status, parsed) => tokenError(opts.provider, opts.endpoints, opts.grant, Boolean(opts.renewing), status, parsed),
  });
  const { data } = await http.json<unknown>({
    method: 'POST',
    path: opts.url,
    form,
    anonymous: true,
    headers: { accept: 'application/json' },
  });
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw http.badResponse(200, String(data), {});
  const raw = data as Record<string, unknown>;
  const accessToken = typeof raw.access_token === 'string' ? raw.access_token.trim() : '';
  ctx.io.secret(accessToken);
  for (const k of ['refresh_token', 'id_token']) if (typeof raw[k] === 'string') ctx.io.secret(raw[k] as string);
  if (!accessToken) throw http.badResponse(200, 'a token response without access_token', {});
  const tokenType = typeof raw.token_type === 'string' ? raw.token_type : undefined;
  if (tokenType && tokenType.toLowerCase() !== 'bearer') {
    throw http.badResponse(200, `token_type ${tokenType}`, {});
  }
  const exp = typeof raw.expires_in === 'number' ? raw.expires_in : typeof raw.expires_in === 'string' ? Number(raw.expires_in) : undefined;
  const scope = raw.scope;
  const scopes = typeof scope === 'string' ? scope.split(/[\s,]+/).filter(Boolean) : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : undefined;
  return {
    accessToken,
    tokenType,
    expiresIn: exp !== undefined && Number.isFinite(exp) && exp > 0 ? exp : undefined,
    refreshToken: typeof raw.refresh_token === 'string' && raw.refresh_token ? raw.refresh_token : undefined,
    scopes,
    raw,
  };
}
