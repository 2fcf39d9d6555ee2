// Which credential a command uses (SPEC.md section 3 "Token store"): the environment first, then the
// store (keychain, or the file the user chose). Also builds authenticated API clients whose auth
// failures become exit-4 errors that name the next step.
import type { Context } from '../context.js';
import { AuthDeniedError, AuthRequiredError, KeychainError, type RdpError } from '../errors/errors.js';
import type { AuthClassifier, AuthFailure } from '../providers/auth-failure.js';
import { dmptoolAuthFailure } from '../providers/dmptool/client.js';
import type { HttpClient } from '../http/client.js';
import { nomadAuthFailure } from '../providers/nomad/client.js';
import { orcidAuthFailure } from '../providers/orcid/client.js';
import { parseOrcid } from '../providers/orcid/orcid-id.js';
import { type Endpoints, EXTRA_ENV, PROVIDERS, type ProviderId } from '../providers/registry.js';
import { lowerFirst } from '../util/text.js';
import { zenodoAuthFailure } from '../providers/zenodo/client.js';
import { ZOTERO_HEADERS, zoteroAuthFailure } from '../providers/zotero/client.js';
import type { AccountMeta, AccountUser, SecretName, TokenSource } from '../store/types.js';
import { needsRenewal, renewCredential } from './renew.js';

export interface Credential {
  provider: ProviderId;
  endpoints: Endpoints;
  token: string;
  source: TokenSource;
  /** The variable the token came from, when source = env. */
  envVar?: string | undefined;
  meta?: AccountMeta | undefined;
  secrets: Partial<Record<SecretName, string>>;
  user: AccountUser;
}

export const AUTH_CLASSIFIERS: Record<ProviderId, AuthClassifier> = {
  zenodo: zenodoAuthFailure,
  nomad: nomadAuthFailure,
  dmptool: dmptoolAuthFailure,
  orcid: orcidAuthFailure,
  zotero: zoteroAuthFailure,
};

export function loginCommand(provider: ProviderId, endpoints?: Endpoints): string {
  return `rdp login ${provider}${endpoints?.sandbox ? ' --sandbox' : ''}`;
}

/** Credentials as request headers. */
export function authHeaders(provider: ProviderId, token: string): Record<string, string> {
  if (provider === 'zotero') return { 'zotero-api-key': token, ...ZOTERO_HEADERS };
  return { authorization: `Bearer ${token}` };
}

/** A token from the environment, or undefined. */
export function envCredential(ctx: Context, provider: ProviderId, endpoints: Endpoints): Credential | undefined {
  const envVar = PROVIDERS[provider].tokenEnv;
  const token = ctx.env[envVar]?.trim();
  if (!token) return undefined;
  ctx.io.secret(token);
  const user: AccountUser = {};
  const extra = EXTRA_ENV[provider];
  const extraValue = extra ? ctx.env[extra]?.trim() : undefined;
  if (provider === 'orcid' && extraValue) {
    const parsed = parseOrcid(extraValue);
    if (!parsed.ok) {
      throw new AuthRequiredError(`RDP_ORCID_ID is not a valid ORCID iD: ${parsed.reason}.`, {
        hint: 'Set RDP_ORCID_ID to the iD the token belongs to.',
      });
    }
    user.orcid = parsed.id;
  }
  if (provider === 'zotero' && extraValue) user.id = extraValue;
  return { provider, endpoints, token, source: 'env', envVar, secrets: {}, user };
}

/** The credential a command would use, or null when there is none. */
export async function findCredential(ctx: Context, provider: ProviderId, endpoints: Endpoints): Promise<Credential | null> {
  const fromEnv = envCredential(ctx, provider, endpoints);
  if (fromEnv) return fromEnv;
  const stored = await (await ctx.store()).get(endpoints.account);
  if (!stored) return null;
  ctx.io.secret(stored.token);
  for (const v of Object.values(stored.secrets)) ctx.io.secret(v);
  return {
    provider,
    endpoints,
    token: stored.token,
    source: stored.meta.storage,
    meta: stored.meta,
    secrets: stored.secrets,
    user: stored.meta.user ?? {},
  };
}

/** The credential to use, or an exit-4 error that says how to log in. */
export async function requireCredential(ctx: Context, provider: ProviderId, sandbox?: boolean): Promise<Credential> {
  const endpoints = await ctx.endpoints(provider, sandbox);
  const name = PROVIDERS[provider].name;
  const cred = await findCredential(ctx, provider, endpoints).catch((err: unknown) => {
    throw noKeychainAsAuthRequired(err, provider, endpoints);
  });
  if (!cred) {
    throw new AuthRequiredError(`Not logged in to ${name}${endpoints.origin === 'production' ? '' : ` at ${endpoints.host}`}.`, {
      hint: `Run \`${loginCommand(provider, endpoints)}\`, or set ${PROVIDERS[provider].tokenEnv} (for CI).`,
    });
  }
  // A token that runs out within 15 minutes is renewed now (refresh token, or client credentials), so
  // the command does not fail halfway; apiClient() checks again before every request.
  if (needsRenewal(cred)) await renewCredential(ctx, cred);
  const exp = cred.meta?.expiresAt;
  if (cred.source !== 'env' && exp && Date.parse(exp) <= Date.now()) {
    throw new AuthRequiredError(`Your ${name} token expired on ${exp}.`, {
      hint: `Run \`${loginCommand(provider, endpoints)}\` to get a new one.`,
    });
  }
  return cred;
}

/**
 * No keychain on this machine (a container, an SSH session without the desktop's bus) and no token in
 * the environment or the file: what the user needs is a way to authenticate (exit 4). A keychain that
 * is locked or does not answer stays its own error (exit 1): the token may well be in it.
 */
export function noKeychainAsAuthRequired(err: unknown, provider: ProviderId, endpoints: Endpoints): unknown {
  if (!(err instanceof KeychainError) || err.code !== 'KEYCHAIN_UNAVAILABLE') return err;
  const env = PROVIDERS[provider].tokenEnv;
  return new AuthRequiredError(`Not logged in to ${PROVIDERS[provider].name}: ${env} is not set and ${lowerFirst(err.message)}`, {
    hint: `Set ${env} (CI), or log in with a plaintext token file: \`${loginCommand(provider, endpoints)} --insecure-storage\`.`,
    details: { keychain: err.code },
    cause: err,
  });
}

/** The error for an auth failure, phrased for where the token came from. */
export function authError(
  provider: ProviderId,
  failure: AuthFailure,
  status: number,
  where:
    | { phase: 'verify'; endpoints: Endpoints }
    | {
        phase: 'use';
        cred: Pick<Credential, 'source' | 'envVar' | 'endpoints' | 'meta'>;
        /** The scopes the endpoint needs (the request knows them better than a 403 says them). */
        scopes?: readonly string[] | undefined;
      },
): RdpError {
  const name = PROVIDERS[provider].name;
  const detail = `${status}: ${failure.detail}`;
  if (failure.kind === 'refused') return refusedError(provider, detail, where);
  if (where.phase === 'verify') {
    const howTo = PROVIDERS[provider].tokenHelp.replace('<web>', where.endpoints.web);
    if (failure.kind === 'scope') {
      return new AuthDeniedError('AUTH_INVALID', `${name} refused the token (${detail}): it is invalid, revoked or lacks a scope rdp needs. Nothing was stored.`, {
        hint: `See \`rdp login ${provider} --help\` for the scopes; to get a token, ${howTo}.`,
      });
    }
    return new AuthDeniedError('AUTH_INVALID', `${name} rejected the token (${detail}). Nothing was stored.`, {
      hint: `Check that you pasted the whole token; to get one, ${howTo}.`,
    });
  }
  const { cred } = where;
  const login = loginCommand(provider, cred.endpoints);
  if (failure.kind === 'scope') {
    const scopes = where.scopes?.length ? [...where.scopes] : failure.scopes;
    const needs = scopes?.length ? `the ${scopes.join(' and ')} scope${scopes.length > 1 ? 's' : ''}` : 'a needed scope';
    const howTo = PROVIDERS[provider].tokenHelp.replace('<web>', cred.endpoints.web);
    // A browser (or client-credentials) login asks for more scopes with --scope.
    const grant = cred.meta?.grant;
    const relogin =
      scopes?.length && provider !== 'nomad' && grant && grant !== 'token' && grant !== 'password'
        ? `\`${login}${grant === 'client_credentials' ? ' --client-credentials' : ''} ${scopes.map((x) => `--scope ${x}`).join(' ')}\``
        : undefined;
    const tokenWay = `a token that has ${needs}: \`${login} --with-token\` (${howTo})`;
    return new AuthDeniedError('AUTH_SCOPE', `${name} refused the request: the token lacks ${needs} (${detail}).`, {
      hint:
        cred.source === 'env'
          ? `Give ${cred.envVar} a token with ${needs} (${howTo}).`
          : relogin
            ? `Log in again asking for ${needs}: ${relogin}, or with ${tokenWay}.`
            : `Log in again with ${tokenWay}.`,
      details: scopes?.length ? { scopes } : undefined,
    });
  }
  const what = failure.kind === 'expired' ? 'has expired' : 'was rejected';
  if (cred.source === 'env') {
    return new AuthRequiredError(`The ${name} token in ${cred.envVar} ${what} (${detail}).`, {
      hint: `Replace ${cred.envVar}, or unset it and run \`${login}\`.`,
    });
  }
  return new AuthRequiredError(`Your stored ${name} token ${what} (${detail}).`, {
    hint: `Run \`${login}\` to log in again.`,
  });
}

/**
 * Zenodo's 403 (it never sends 401): the token is invalid, revoked or lacks a scope, and Zenodo does not
 * say which. Exit 4 with the way to a working token; for an OAuth login, the likely cause: a login with
 * the same OAuth client on another machine revokes this machine's tokens (one token per client and user).
 */
function refusedError(
  provider: ProviderId,
  detail: string,
  where: Parameters<typeof authError>[3],
): RdpError {
  const name = PROVIDERS[provider].name;
  const needs = provider === 'zenodo' ? 'deposit:write and deposit:actions' : 'the scopes rdp needs';
  const what = `it is invalid, revoked or lacks a scope rdp needs (${needs})`;
  if (where.phase === 'verify') {
    const howTo = PROVIDERS[provider].tokenHelp.replace('<web>', where.endpoints.web);
    return new AuthDeniedError('AUTH_INVALID', `${name} refused the token (${detail}): ${what}. Nothing was stored.`, {
      hint: `Check that you pasted the whole token and that it has ${needs}; to get one, ${howTo}.`,
      details: { status: 403 },
    });
  }
  const { cred } = where;
  const login = loginCommand(provider, cred.endpoints);
  const howTo = PROVIDERS[provider].tokenHelp.replace('<web>', cred.endpoints.web);
  if (cred.source === 'env') {
    return new AuthRequiredError(`${name} refused the token in ${cred.envVar} (${detail}): ${what}.`, {
      hint: `Give ${cred.envVar} a valid token with ${needs} (${howTo}).`,
      details: { status: 403 },
    });
  }
  const oauth = cred.meta?.grant === 'authorization_code';
  return new AuthRequiredError(`${name} refused your stored token (${detail}): ${what}.`, {
    hint: oauth
      ? `Log in again: \`${login}\`. Logging in with the same OAuth client on another machine revokes this machine's token, so use one OAuth client per machine, or a personal access token on servers and in CI (\`${login} --with-token\`).`
      : `Log in again: \`${login}\` (or \`${login} --with-token\` with a new personal access token with ${needs}: ${howTo}).`,
    details: { status: 403 },
  });
}

/** An API client that sends the credential and maps its auth failures. */
export async function apiClient(ctx: Context, cred: Credential, base = cred.endpoints.api): Promise<HttpClient> {
  const classify = AUTH_CLASSIFIERS[cred.provider];
  return ctx.http({
    provider: cred.provider,
    base,
    origins: [cred.endpoints.web, cred.endpoints.api],
    auth: async () => {
      if (needsRenewal(cred)) await renewCredential(ctx, cred);
      return authHeaders(cred.provider, cred.token);
    },
    mapError: (status, parsed, res) => {
      const failure = classify(status, parsed, res.headers);
      return failure ? authError(cred.provider, failure, status, { phase: 'use', cred, scopes: res.scopes }) : undefined;
    },
  });
}

/** A client for checking a token before it is stored (failures say "nothing was stored"). */
export async function verifyClient(
  ctx: Context,
  provider: ProviderId,
  endpoints: Endpoints,
  token: string,
  base = endpoints.api,
): Promise<HttpClient> {
  const classify = AUTH_CLASSIFIERS[provider];
  return ctx.http({
    provider,
    base,
    origins: [endpoints.web, endpoints.api],
    auth: async () => authHeaders(provider, token),
    mapError: (status, parsed, res) => {
      const failure = classify(status, parsed, res.headers);
      return failure ? authError(provider, failure, status, { phase: 'verify', endpoints }) : undefined;
    },
  });
}
