// Which credential a command uses (SPEC.md section 3 "Token store"): the environment first, then the
// store (keychain, or the file the user chose); renewed when it runs out soon. Also builds authenticated
// HTTP clients whose auth failures become exit-4 errors that name the next step. Provider-agnostic:
// the service is its descriptor (headers, refusals, environment names, token help).
import { AuthDeniedError, AuthRequiredError, KeychainError, type RdpError } from '../errors/errors.js';
import type { HttpClient } from '../http/client.js';
import type { AuthFailure, Endpoints, Provider } from '../providers/types.js';
import type { AccountMeta, AccountUser, SecretName, TokenSource } from '../store/types.js';
import { lowerFirst } from '../util/text.js';
import type { AuthPorts } from './ports.js';
import { needsRenewal, renewCredential } from './renew.js';

export interface Credential {
  provider: Provider;
  endpoints: Endpoints;
  token: string;
  source: TokenSource;
  /** The variable the token came from, when source = env. */
  envVar?: string | undefined;
  meta?: AccountMeta | undefined;
  secrets: Partial<Record<SecretName, string>>;
  user: AccountUser;
}

export function loginCommand(p: Provider, endpoints?: Endpoints): string {
  return `rdp login ${p.id}${endpoints?.sandbox ? ' --sandbox' : ''}`;
}

/** A token from the environment, or undefined. */
export function envCredential(ports: Pick<AuthPorts, 'env' | 'log'>, p: Provider, endpoints: Endpoints): Credential | undefined {
  const envVar = p.env.token;
  const token = ports.env[envVar]?.trim();
  if (!token) return undefined;
  ports.log.secret(token);
  // A value that cannot be an HTTP header (a secret stored with a line break, two values pasted into
  // one) would otherwise fail at the first request as if the network were down.
  if (/[\s\u0000-\u001f\u007f]|[^\u0000-\u00ff]/.test(token)) {
    throw new AuthDeniedError('AUTH_INVALID', `${envVar} is not a ${p.name} token: it contains spaces, line breaks or other characters no token has.`, {
      hint: `Set ${envVar} to the token alone, on one line (check how the CI secret or the shell variable was made), or unset it to use the stored login.`,
    });
  }
  const extra = p.env.user;
  const value = extra ? ports.env[extra.name]?.trim() : undefined;
  const user: AccountUser = extra && value ? extra.read(value) : {};
  return { provider: p, endpoints, token, source: 'env', envVar, secrets: {}, user };
}

/** The credential a command would use, or null when there is none. */
export async function findCredential(ports: Pick<AuthPorts, 'env' | 'log' | 'store'>, p: Provider, endpoints: Endpoints): Promise<Credential | null> {
  const fromEnv = envCredential(ports, p, endpoints);
  if (fromEnv) return fromEnv;
  const stored = await (await ports.store()).get(endpoints.account);
  if (!stored) return null;
  ports.log.secret(stored.token);
  for (const v of Object.values(stored.secrets)) ports.log.secret(v);
  return { provider: p, endpoints, token: stored.token, source: stored.meta.storage, meta: stored.meta, secrets: stored.secrets, user: stored.meta.user ?? {} };
}

/**
 * "Is there a login for this service?" for commands to which a login is optional (a dry run, the
 * services `uploads list` covers, the --zotero and --orcid-creator checks). A machine without any
 * keychain cannot hold a token in one, so there the answer is simply "no"; a keychain that is locked
 * or does not answer is still an error, since a token may be waiting in it.
 */
export async function findLogin(ports: AuthPorts, p: Provider, sandbox?: boolean): Promise<Credential | null> {
  const endpoints = await ports.endpoints(p, sandbox);
  try {
    return await findCredential(ports, p, endpoints);
  } catch (err) {
    if (err instanceof KeychainError && err.code === 'KEYCHAIN_UNAVAILABLE') {
      ports.log.debug(`no keychain, so no stored ${p.id} login: ${err.message}`);
      return null;
    }
    throw err;
  }
}

/** The credential to use, or an exit-4 error that says how to log in. */
export async function requireCredential(ports: AuthPorts, p: Provider, sandbox?: boolean): Promise<Credential> {
  const endpoints = await ports.endpoints(p, sandbox);
  const cred = await findCredential(ports, p, endpoints).catch((err: unknown) => {
    throw noKeychainAsAuthRequired(err, p, endpoints);
  });
  if (!cred) {
    throw new AuthRequiredError(`Not logged in to ${p.name}${endpoints.origin === 'production' ? '' : ` at ${endpoints.host}`}.`, {
      hint: `Run \`${loginCommand(p, endpoints)}\`, or set ${p.env.token} (for CI).`,
    });
  }
  // A token that runs out within 15 minutes is renewed now (refresh token, or client credentials), so
  // the command does not fail halfway; apiClient() checks again before every request.
  if (needsRenewal(cred, ports.clock.now())) await renewCredential(ports, cred);
  const exp = cred.meta?.expiresAt;
  if (cred.source !== 'env' && exp && Date.parse(exp) <= ports.clock.now()) {
    throw new AuthRequiredError(`Your ${p.name} token expired on ${exp}.`, {
      hint: `Run \`${loginCommand(p, endpoints)}\` to get a new one.`,
    });
  }
  return cred;
}

/**
 * No keychain on this machine (a container, an SSH session without the desktop's bus) and no token in
 * the environment or the file: what the user needs is a way to authenticate (exit 4). A keychain that
 * is locked or does not answer stays its own error (exit 1): the token may well be in it.
 */
export function noKeychainAsAuthRequired(err: unknown, p: Provider, endpoints: Endpoints): unknown {
  if (!(err instanceof KeychainError) || err.code !== 'KEYCHAIN_UNAVAILABLE') return err;
  const env = p.env.token;
  return new AuthRequiredError(`Not logged in to ${p.name}: ${env} is not set and ${lowerFirst(err.message)}`, {
    hint: `Set ${env} (CI), or log in with a plaintext token file: \`${loginCommand(p, endpoints)} --insecure-storage\`.`,
    details: { keychain: err.code },
    cause: err,
  });
}

/** The error for an auth failure, phrased for where the token came from. */
export function authError(
  p: Provider,
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
  const name = p.name;
  const detail = `${status}: ${failure.detail}`;
  if (failure.kind === 'refused') return refusedError(p, detail, where);
  if (where.phase === 'verify') {
    const howTo = p.auth.tokenHelp.replace('<web>', where.endpoints.web);
    if (failure.kind === 'scope') {
      return new AuthDeniedError('AUTH_INVALID', `${name} refused the token (${detail}): it is invalid, revoked or lacks a scope rdp needs. Nothing was stored.`, {
        hint: `See \`rdp login ${p.id} --help\` for the scopes; to get a token, ${howTo}.`,
      });
    }
    return new AuthDeniedError('AUTH_INVALID', `${name} rejected the token (${detail}). Nothing was stored.`, {
      hint: `Check that you pasted the whole token; to get one, ${howTo}.`,
    });
  }
  const { cred } = where;
  const login = loginCommand(p, cred.endpoints);
  if (failure.kind === 'scope') {
    const scopes = where.scopes?.length ? [...where.scopes] : failure.scopes;
    const needs = scopes?.length ? `the ${scopes.join(' and ')} scope${scopes.length > 1 ? 's' : ''}` : 'a needed scope';
    const howTo = p.auth.tokenHelp.replace('<web>', cred.endpoints.web);
    // A browser (or client-credentials) login asks for more scopes with --scope.
    const grant = cred.meta?.grant;
    const relogin =
      scopes?.length && p.auth.oauth && grant && grant !== 'token' && grant !== 'password'
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
 * A refusal that does not say why (Zenodo's 403: it never sends 401): the token is invalid, revoked or
 * lacks a scope. Exit 4 with the way to a working token; for an OAuth login, the likely cause: a login
 * with the same OAuth client on another machine revokes this machine's tokens (one token per client and
 * user).
 */
function refusedError(p: Provider, detail: string, where: Parameters<typeof authError>[3]): RdpError {
  const name = p.name;
  const needs = p.auth.needs ?? 'the scopes rdp needs';
  const what = `it is invalid, revoked or lacks a scope rdp needs (${needs})`;
  if (where.phase === 'verify') {
    const howTo = p.auth.tokenHelp.replace('<web>', where.endpoints.web);
    return new AuthDeniedError('AUTH_INVALID', `${name} refused the token (${detail}): ${what}. Nothing was stored.`, {
      hint: `Check that you pasted the whole token and that it has ${needs}; to get one, ${howTo}.`,
      details: { status: 403 },
    });
  }
  const { cred } = where;
  const login = loginCommand(p, cred.endpoints);
  const howTo = p.auth.tokenHelp.replace('<web>', cred.endpoints.web);
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
export async function apiClient(ports: AuthPorts, cred: Credential, base = cred.endpoints.api): Promise<HttpClient> {
  const p = cred.provider;
  return ports.http({
    service: p,
    base,
    origins: [cred.endpoints.web, cred.endpoints.api],
    auth: async () => {
      if (needsRenewal(cred, ports.clock.now())) await renewCredential(ports, cred);
      return p.auth.header(cred.token);
    },
    mapError: (status, parsed, res) => {
      const failure = p.auth.classify(status, parsed, res.headers);
      return failure ? authError(p, failure, status, { phase: 'use', cred, scopes: res.scopes }) : undefined;
    },
  });
}

/** A client for checking a token before it is stored (failures say "nothing was stored"). */
export async function verifyClient(ports: Pick<AuthPorts, 'http'>, p: Provider, endpoints: Endpoints, token: string, base = endpoints.api): Promise<HttpClient> {
  return ports.http({
    service: p,
    base,
    origins: [endpoints.web, endpoints.api],
    auth: async () => p.auth.header(token),
    mapError: (status, parsed, res) => {
      const failure = p.auth.classify(status, parsed, res.headers);
      return failure ? authError(p, failure, status, { phase: 'verify', endpoints }) : undefined;
    },
  });
}

/** The ports a provider's own code gets (its verify, its password login, its deposit). */
export function providerPorts(ports: AuthPorts, p: Provider, ep: Endpoints): import('../providers/types.js').ProviderPorts {
  return {
    log: ports.log,
    clock: ports.clock,
    signal: ports.signal,
    verifyHttp: (token, base) => verifyClient(ports, p, ep, token, base),
    anonymousHttp: (base, mapError) => ports.http({ service: p, base, mapError: mapError ? (status, parsed) => mapError(status, parsed) as RdpError | undefined : undefined }),
  };
}

/** Ask the provider who a token belongs to (before it is stored). */
export function verifyToken(ports: AuthPorts, p: Provider, ep: Endpoints, token: string, hint: { owner?: string | undefined } = {}) {
  return p.auth.verify(providerPorts(ports, p, ep), ep, token, hint);
}
