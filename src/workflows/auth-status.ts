// `rdp auth status [provider]` and `rdp auth token <provider>`.
import type { Context } from '../context.js';
import { AuthRequiredError, KeychainError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../providers/registry.js';
import type { AccountUser, TokenSource } from '../store/types.js';
import { describeUser } from './login.js';
import { renewal } from '../auth/renew.js';
import { findCredential, loginCommand, noKeychainAsAuthRequired, requireCredential } from '../auth/credentials.js';

/** Warn this long before a token expires. */
const EXPIRY_WARNING_MS = 3 * 86400_000;

export interface ProviderStatus {
  provider: ProviderId;
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

export async function providerStatus(ctx: Context, provider: ProviderId, sandbox?: boolean): Promise<ProviderStatus> {
  const ep = await ctx.endpoints(provider, sandbox);
  const base = { provider, name: ep.name, host: ep.host, api: ep.api };
  const cred = await findCredential(ctx, provider, ep);
  if (!cred) return { ...base, loggedIn: false };
  const { keychainName } = await import('../store/keychain.js');
  const location =
    cred.source === 'env'
      ? cred.envVar
      : cred.source === 'file'
        ? (await ctx.store()).file.describe()
        : `${keychainName()} (service rdp, account ${ep.account})`;
  const expiresAt = cred.source === 'env' ? undefined : cred.meta?.expiresAt;
  const left = expiresAt ? Date.parse(expiresAt) - Date.now() : undefined;
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

export async function runStatus(
  ctx: Context,
  provider: ProviderId | undefined,
  opts: { sandbox?: boolean },
): Promise<ProviderStatus | ProviderStatus[]> {
  if (provider) {
    const s = await providerStatus(ctx, provider, opts.sandbox).catch(async (err: unknown) => {
      throw noKeychainAsAuthRequired(err, provider, await ctx.endpoints(provider, opts.sandbox));
    });
    if (!s.loggedIn) {
      const ep = await ctx.endpoints(provider, opts.sandbox);
      throw new AuthRequiredError(
        s.expired ? `Your ${s.name} token expired on ${s.expiresAt}.` : `Not logged in to ${s.name} (${s.host}).`,
        { hint: `Run \`${loginCommand(provider, ep)}\`, or set ${PROVIDERS[provider].tokenEnv}.` },
      );
    }
    warnExpiry(ctx.io, [s]);
    return s;
  }
  // A keychain that fails does not hide what the environment or the file say (a CI job with
  // RDP_*_TOKEN and no keychain); when nothing could be looked up at all, the keychain error is the
  // answer.
  const all: ProviderStatus[] = [];
  let keychainError: KeychainError | undefined;
  for (const id of PROVIDER_IDS) {
    try {
      all.push(await providerStatus(ctx, id, opts.sandbox));
    } catch (err) {
      if (!(err instanceof KeychainError)) throw err;
      keychainError ??= err;
      const ep = await ctx.endpoints(id, opts.sandbox);
      all.push({ provider: id, name: ep.name, host: ep.host, api: ep.api, loggedIn: false, error: { code: err.code, message: err.message } });
    }
  }
  if (keychainError) {
    if (all.every((s) => s.error)) throw keychainError;
    ctx.io.warn(`${keychainError.message} Logins kept there are not shown. ${keychainError.hint ?? ''}`.trim());
  }
  warnExpiry(ctx.io, all);
  return all;
}

function warnExpiry(io: IO, list: ProviderStatus[]): void {
  for (const s of list) {
    if (s.expiresSoon && s.expiresAt) {
      io.warn(`Your ${s.name} token expires on ${s.expiresAt.slice(0, 16).replace('T', ' ')} UTC. Run \`rdp login ${s.provider}\` to renew it.`);
    }
  }
}

export function renderStatus(io: IO, result: ProviderStatus | ProviderStatus[]): string {
  const list = Array.isArray(result) ? result : [result];
  const s = io.outStyle;
  const lines: string[] = [];
  for (const st of list) {
    lines.push(`${s.bold(st.name)} ${s.dim(`(${st.host})`)}`);
    if (st.error) {
      lines.push(`  ${s.yellow('?')} unknown: the keychain could not be read (${st.error.code})`);
      continue;
    }
    if (!st.loggedIn) {
      const why = st.expired ? `token expired on ${st.expiresAt}` : 'not logged in';
      lines.push(`  ${s.red('✗')} ${why}; run \`rdp login ${st.provider}\``);
      continue;
    }
    const who = st.user ? describeUser(st.user) : '';
    lines.push(`  ${s.green('✓')} logged in${who ? ` as ${who}` : ''}`);
    const source = st.source === 'env' ? `environment (${st.location})` : st.source === 'file' ? `plaintext file ${st.location}` : `keychain: ${st.location}`;
    lines.push(`  token:   ${source}`);
    if (st.scopes?.length) lines.push(`  scopes:  ${st.scopes.join(' ')}`);
    const exp = st.expiresAt === null ? 'never' : st.expiresAt ? st.expiresAt.replace('.000Z', 'Z') : 'unknown';
    lines.push(`  expires: ${st.expiresSoon ? s.yellow(exp) : exp}${st.renews ? ' (rdp renews it by itself)' : ''}`);
  }
  return lines.join('\n');
}

export async function runToken(ctx: Context, provider: ProviderId, opts: { sandbox?: boolean }): Promise<void> {
  const cred = await requireCredential(ctx, provider, opts.sandbox);
  if (ctx.io.flags.json) {
    // Printed on purpose: bypasses the redactor for this document only.
    ctx.io.printSecret(JSON.stringify({ provider, host: cred.endpoints.host, source: cred.source, token: cred.token }, null, 2));
    return;
  }
  ctx.io.printSecret(cred.token);
}
