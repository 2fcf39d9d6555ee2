// `rdp auth status [provider]` and `rdp auth token <provider>`: who is logged in where, where each token
// comes from (environment, keychain, file), its scopes and expiry; and the token rdp would use.
import { findCredential, loginCommand, noKeychainAsAuthRequired, requireCredential } from '../auth/credentials.js';
import type { AuthPorts } from '../auth/ports.js';
import { renewal } from '../auth/renew.js';
import { AuthRequiredError, KeychainError } from '../errors/errors.js';
import { providers } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import type { AccountUser, TokenSource } from '../store/types.js';

/** Warn this long before a token expires. */
export const EXPIRY_WARNING_MS = 3 * 86400_000;

export interface ProviderStatus {
  provider: string;
  name: string;
  host: string;
  api: string;
  loggedIn: boolean;
  source?: TokenSource | undefined;
  /** The environment variable, the keychain item or the file that holds the token. */
  location?: string | undefined;
  user?: AccountUser | undefined;
  scopes?: string[] | undefined;
  /** ISO time; null = never; absent = unknown. */
  expiresAt?: string | null | undefined;
  expired?: boolean | undefined;
  expiresSoon?: boolean | undefined;
  /** rdp renews the token by itself (a stored refresh token or client credentials). */
  renews?: boolean | undefined;
  /** Why the login could not be looked up (the keychain failed); loggedIn is then unknown (false). */
  error?: { code: string; message: string } | undefined;
}

export async function providerStatus(ports: AuthPorts, p: Provider, sandbox?: boolean): Promise<ProviderStatus> {
  const ep = await ports.endpoints(p, sandbox);
  const base = { provider: p.id, name: ep.name, host: ep.host, api: ep.api };
  const cred = await findCredential(ports, p, ep);
  if (!cred) return { ...base, loggedIn: false };
  const { keychainName } = await import('../store/keychain.js');
  const location =
    cred.source === 'env' ? cred.envVar : cred.source === 'file' ? (await ports.store()).file.describe() : `${keychainName()} (service rdp, account ${ep.account})`;
  const expiresAt = cred.source === 'env' ? undefined : cred.meta?.expiresAt;
  const left = expiresAt ? Date.parse(expiresAt) - ports.clock.now() : undefined;
  const renews = renewal(cred) !== undefined;
  return {
    ...base,
    source: cred.source,
    location,
    user: cred.user,
    scopes: cred.meta?.scopes,
    expiresAt,
    // A token rdp renews by itself is usable even past its expiry, and never worth a warning.
    loggedIn: left === undefined || left > 0 || renews,
    expired: left !== undefined && !renews ? left <= 0 : undefined,
    expiresSoon: left !== undefined && !renews ? left > 0 && left < EXPIRY_WARNING_MS : undefined,
    renews: renews || undefined,
  };
}

export async function runStatus(ports: AuthPorts, target: { provider?: Provider | undefined; sandbox: boolean }): Promise<ProviderStatus | ProviderStatus[]> {
  const p = target.provider;
  if (p) {
    const s = await providerStatus(ports, p, target.sandbox).catch(async (err: unknown) => {
      throw noKeychainAsAuthRequired(err, p, await ports.endpoints(p, target.sandbox));
    });
    if (!s.loggedIn) {
      const ep = await ports.endpoints(p, target.sandbox);
      throw new AuthRequiredError(s.expired ? `Your ${s.name} token expired on ${s.expiresAt}.` : `Not logged in to ${s.name} (${s.host}).`, {
        hint: `Run \`${loginCommand(p, ep)}\`, or set ${p.env.token}.`,
      });
    }
    warnExpiry(ports, [s]);
    return s;
  }
  // A keychain that fails does not hide what the environment or the file say (a CI job with
  // RDP_*_TOKEN and no keychain); when nothing could be looked up at all, the keychain error is the
  // answer.
  // A keychain that fails does not hide what the environment or the file say (a CI job with
  // RDP_*_TOKEN and no keychain). A machine with no keychain at all (KEYCHAIN_UNAVAILABLE) holds no
  // login in one: its services are simply not logged in (the entry keeps the reason), said once. A
  // keychain that is there but fails (locked, not answering) leaves them unknown, with a warning; when
  // nothing could be looked up at all, that error is the answer.
  const all: ProviderStatus[] = [];
  let keychainError: KeychainError | undefined;
  let noKeychain: KeychainError | undefined;
  for (const q of providers()) {
    try {
      all.push(await providerStatus(ports, q, target.sandbox));
    } catch (err) {
      if (!(err instanceof KeychainError)) throw err;
      if (err.code === 'KEYCHAIN_UNAVAILABLE') noKeychain ??= err;
      else keychainError ??= err;
      const ep = await ports.endpoints(q, target.sandbox);
      all.push({ provider: q.id, name: ep.name, host: ep.host, api: ep.api, loggedIn: false, error: { code: err.code, message: err.message } });
    }
  }
  if (noKeychain) ports.log.info(`${noKeychain.message} Logins come from the environment (RDP_<ID>_TOKEN) or the file of \`rdp login --insecure-storage\`.`);
  if (keychainError) {
    if (all.every((s) => s.error && s.error.code !== 'KEYCHAIN_UNAVAILABLE')) throw keychainError;
    ports.log.warn(`${keychainError.message} Logins kept there are not shown. ${keychainError.hint ?? ''}`.trim());
  }
  warnExpiry(ports, all);
  return all;
}

function warnExpiry(ports: Pick<AuthPorts, 'log'>, list: ProviderStatus[]): void {
  for (const s of list) {
    if (s.expiresSoon && s.expiresAt) {
      ports.log.warn(`Your ${s.name} token expires on ${s.expiresAt.slice(0, 16).replace('T', ' ')} UTC. Run \`rdp login ${s.provider}\` to renew it.`);
    }
  }
}

/** The token rdp would use, and where it comes from. */
export async function runToken(ports: AuthPorts, p: Provider, sandbox: boolean): Promise<{ provider: string; host: string; source: TokenSource; token: string }> {
  const cred = await requireCredential(ports, p, sandbox);
  return { provider: p.id, host: cred.endpoints.host, source: cred.source, token: cred.token };
}
