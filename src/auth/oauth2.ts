// The OAuth 2 authorization-code flow shared by Zenodo, DMPTool and ORCID: a fresh state per login (and
// a PKCE S256 verifier where the service tolerates it: Zenodo and DMPTool accept and ignore it; ORCID
// does not support it, so nothing of PKCE is sent there), the authorize URL, the authorization response
// (loopback, out-of-band or https: auth/oauth/redirect.ts), the code exchange with the same redirect
// URI. What to do with the tokens is the provider's `complete`.
import type { Context } from '../context.js';
import { FailureError } from '../errors/errors.js';
import { type Endpoints, joinUrl } from '../providers/registry.js';
import { runBrowserFlow } from './browser-flow.js';
import { createPkce, createState } from './pkce.js';
import type { OAuthClientCreds, OAuthProviderId } from './client.js';
import type { Redirect } from './redirect.js';
import { type TokenSet, tokenRequest } from './token-endpoint.js';

export interface FlowSettings {
  redirect: Redirect;
  portHint: string;
  /** What to register when the browser never comes back (the exact redirect URI). */
  mismatchHint?: string | undefined;
  /** How long the service's codes live, for the paste hints. */
  codeLifetime?: string | undefined;
  timeoutMs: number;
  noBrowser: boolean;
  command: string;
}

export interface CodeFlowSpec<T> {
  provider: OAuthProviderId;
  ep: Endpoints;
  client: OAuthClientCreds;
  scopes: string[];
  /** Send PKCE (S256)? Never to ORCID. */
  pkce: boolean;
  /** Further authorize parameters (ORCID's OpenID `nonce`). */
  extraParams?: Record<string, string> | undefined;
  complete(tokens: TokenSet): Promise<T>;
}

export const AUTHORIZE_PATH = '/oauth/authorize';
export const TOKEN_PATH = '/oauth/token';

export function authorizationCodeLogin<T>(ctx: Context, spec: CodeFlowSpec<T>, flow: FlowSettings): Promise<T> {
  const state = createState();
  const pkce = spec.pkce ? createPkce() : undefined;
  ctx.io.secret(pkce?.verifier);
  return runBrowserFlow(ctx, {
    name: spec.ep.name,
    command: flow.command,
    redirect: flow.redirect,
    portHint: flow.portHint,
    mismatchHint: flow.mismatchHint,
    codeLifetime: flow.codeLifetime,
    timeoutMs: flow.timeoutMs,
    noBrowser: flow.noBrowser,
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
      ctx.io.secret(code);
      const tokens = await tokenRequest(ctx, {
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
export function clientCredentialsToken(ctx: Context, provider: OAuthProviderId, ep: Endpoints, client: OAuthClientCreds, scopes: string[]): Promise<TokenSet> {
  return tokenRequest(ctx, {
    provider,
    endpoints: ep,
    url: joinUrl(ep.web, TOKEN_PATH),
    grant: 'client_credentials',
    form: { client_id: client.clientId, client_secret: client.clientSecret, scope: scopes.join(' ') },
  });
}
