// OAuth 2 for any service that speaks it (Zenodo, DMPTool, ORCID): the authorization-code flow with a
// fresh state per login (and a PKCE S256 verifier where the service tolerates it: Zenodo and DMPTool
// accept and ignore it; ORCID does not support it, so nothing of PKCE is sent there), the authorize URL,
// the authorization response (loopback, out-of-band or https: ./redirect.ts), the code exchange with the
// same redirect URI; the client_credentials grant; and the token endpoint itself (authorization_code,
// refresh_token, client_credentials), through the shared HTTP layer. Every secret sent or received is
// registered for redaction before anything can be printed, and the services' OAuth error bodies
// (`{"error","error_description"}`, providers.md 1.2, 3.2, 4.3) become errors that say what happened and
// what to do next. What a login does with its tokens is the provider's `complete`.
//
// Written by hand, not with oauth4webapi: every request here goes through rdp's HTTP layer (retries,
// rate limits, redaction, origin checks, timeouts, size caps), which a fetch-based library would need an
// adapter for; see the README's dependency table.
import { AuthDeniedError, AuthRequiredError, FailureError, type RdpError } from '../errors/errors.js';
import { joinUrl } from '../http/client.js';
import type { ParsedError } from '../http/errors.js';
import type { Endpoints, Provider } from '../providers/types.js';
import { runBrowserFlow } from './browser-flow.js';
import { clientEnv, type OAuthClientCreds } from './client.js';
import { createPkce, createState } from './pkce.js';
import type { AuthPorts, FlowSettings } from './ports.js';

export const AUTHORIZE_PATH = '/oauth/authorize';
export const TOKEN_PATH = '/oauth/token';

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
export function expiryOf(t: TokenSet, now: number): string | undefined {
  if (t.expiresIn === undefined) return undefined;
  return new Date(Math.floor(now / 1000 + t.expiresIn) * 1000).toISOString();
}

export interface CodeFlowSpec<T> {
  provider: Provider;
  ep: Endpoints;
  client: OAuthClientCreds;
  scopes: string[];
  /** Send PKCE (S256)? Never to ORCID. */
  pkce: boolean;
  /** Further authorize parameters (ORCID's OpenID `nonce`). */
  extraParams?: Record<string, string> | undefined;
  complete(tokens: TokenSet): Promise<T>;
}

export function authorizationCodeLogin<T>(ports: AuthPorts, spec: CodeFlowSpec<T>, flow: FlowSettings): Promise<T> {
  const state = createState();
  const pkce = spec.pkce ? createPkce() : undefined;
  ports.log.secret(pkce?.verifier);
  return runBrowserFlow(ports, {
    ...flow,
    name: spec.ep.name,
    stateParam: 'state',
    begin: async (redirectUri) => {
      const url = new URL(joinUrl(spec.ep.web, AUTHORIZE_PATH));
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', spec.client.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('scope', spec.scopes.join(' '));
      url.searchParams.set('state', state);
      if (pkce) {
        url.searchParams.set('code_challenge', pkce.challenge);
        url.searchParams.set('code_challenge_method', pkce.method);
      }
      for (const [k, v] of Object.entries(spec.extraParams ?? {})) url.searchParams.set(k, v);
      return { url: url.toString(), expect: state, redactAfterPrint: Object.values(spec.extraParams ?? {}) };
    },
    finish: async (params, redirectUri) => {
      const code = params.get('code');
      if (!code) {
        throw new FailureError('OAUTH_ERROR', `${spec.ep.name} came back without an authorization code. Nothing was stored.`, {
          hint: `Run \`${flow.command}\` again.`,
        });
      }
      ports.log.secret(code);
      const tokens = await tokenRequest(ports, {
        provider: spec.provider,
        endpoints: spec.ep,
        url: joinUrl(spec.ep.web, TOKEN_PATH),
        grant: 'authorization_code',
        form: {
          code,
          redirect_uri: redirectUri,
          client_id: spec.client.clientId,
          client_secret: spec.client.clientSecret,
          code_verifier: pkce?.verifier,
        },
      });
      return spec.complete(tokens);
    },
  });
}

/** The client_credentials grant (DMPTool `public`, ORCID `/read-public`): no browser, no user. */
export function clientCredentialsToken(ports: AuthPorts, provider: Provider, ep: Endpoints, client: OAuthClientCreds, scopes: string[]): Promise<TokenSet> {
  return tokenRequest(ports, {
    provider,
    endpoints: ep,
    url: joinUrl(ep.web, TOKEN_PATH),
    grant: 'client_credentials',
    form: { client_id: client.clientId, client_secret: client.clientSecret, scope: scopes.join(' ') },
  });
}

function tokenError(p: Provider, ep: Endpoints, grant: Grant, renewing: boolean, status: number, parsed: ParsedError): RdpError | undefined {
  const name = ep.name;
  const login = `rdp login ${p.id}${ep.sandbox ? ' --sandbox' : ''}${grant === 'client_credentials' ? ' --client-credentials' : ''}`;
  const notFoundIsClient = status === 404 && p.auth.oauth?.notFoundIsInvalidClient;
  const err = parsed.oauthError ?? (status === 401 || notFoundIsClient ? 'invalid_client' : undefined);
  const detail = `${status}: ${parsed.message}`;
  const stored = renewing ? '' : ' Nothing was stored.';
  switch (err) {
    case 'invalid_client':
    case 'unauthorized_client':
      return new AuthDeniedError('AUTH_INVALID', `${name} did not accept rdp's OAuth client (${detail}).${stored}`, {
        hint: `${renewing ? `Run \`${login}\` with a working client. ` : ''}Check the client id and secret (${clientEnv(p.id, 'ID')} / ${clientEnv(p.id, 'SECRET')}, --client-id / --client-secret, or \`rdp config set ${p.id}.client_id\`).`,
      });
    case 'invalid_grant':
      if (grant === 'refresh_token') {
        return new AuthRequiredError(`Your ${name} login could not be renewed (${detail}).`, { hint: `Run \`${login}\` to log in again.` });
      }
      if (grant === 'client_credentials') {
        return new AuthRequiredError(`${name} refused rdp's client credentials (${detail}).`, { hint: `Run \`${login}\` again.` });
      }
      return new AuthDeniedError('AUTH_INVALID', `${name} refused the authorization code (${detail}).${stored}`, {
        hint: `A code works once, only with the redirect URI it was issued for, and only for ${p.auth.oauth?.codeLifetime ?? 'a few minutes'} after you approve. Run \`${login}\` again${p.auth.oauth?.codeLifetime?.includes('second') ? ' and paste promptly' : ''}.`,
      });
    case 'invalid_scope':
      return new AuthDeniedError('AUTH_SCOPE', `${name} refused the requested scopes (${detail}).${stored}`, {
        hint: p.auth.oauth?.scopeRefusedHint ?? `Check the --scope values (\`rdp login --help\` lists them).`,
      });
    default:
      return undefined;
  }
}

export interface TokenRequestOptions {
  provider: Provider;
  endpoints: Endpoints;
  /** Absolute URL of the token endpoint. */
  url: string;
  grant: Grant;
  form: Record<string, string | undefined>;
  /** Renewing a stored login (the messages then say nothing about "nothing stored"). */
  renewing?: boolean | undefined;
}

export async function tokenRequest(ports: AuthPorts, opts: TokenRequestOptions): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: opts.grant };
  for (const [k, v] of Object.entries(opts.form)) {
    if (v === undefined || v === '') continue;
    form[k] = v;
    if (k === 'code' || k === 'code_verifier' || k === 'client_secret' || k === 'refresh_token') ports.log.secret(v);
  }
  const http = await ports.http({
    service: opts.provider,
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
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw http.badResponse(200, JSON.stringify(data ?? null), {}, 'a token response that is not an object');
  const raw = data as Record<string, unknown>;
  const accessToken = typeof raw.access_token === 'string' ? raw.access_token.trim() : '';
  ports.log.secret(accessToken);
  for (const k of ['refresh_token', 'id_token']) if (typeof raw[k] === 'string') ports.log.secret(raw[k] as string);
  if (!accessToken) throw http.badResponse(200, '', {}, 'a token response without access_token');
  const tokenType = typeof raw.token_type === 'string' ? raw.token_type : undefined;
  if (tokenType && tokenType.toLowerCase() !== 'bearer') {
    throw http.badResponse(200, '', {}, `token_type ${tokenType}, not Bearer`);
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
