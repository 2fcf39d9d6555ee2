// `rdp logout <provider> | --all`.
import type { LogoutOptions } from '../commands/logout.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../providers/registry.js';
import type { Storage } from '../store/types.js';

export interface LogoutResult {
  removed: { account: string; from?: Storage[] }[];
  /** Environment variables that still hold tokens rdp will use. */
  envStillSet: string[];
  notLoggedIn?: string | undefined;
}

export async function runLogout(ctx: Context, provider: ProviderId | undefined, opts: LogoutOptions): Promise<LogoutResult> {
  if (provider && opts.all) throw new UsageError('Name a service or use --all, not both.');
  if (!provider && !opts.all) {
    throw new UsageError('Which service? Name one, or use --all.', { hint: 'rdp logout zenodo   or   rdp logout --all' });
  }
  if (opts.all) {
    const accounts = await (await ctx.store()).deleteAll();
    const envStillSet = PROVIDER_IDS.map((id) => PROVIDERS[id].tokenEnv).filter((v) => ctx.env[v]);
    return { removed: accounts.map((account) => ({ account })), envStillSet };
  }
  const id = provider as ProviderId;
  const ep = await ctx.endpoints(id, opts.sandbox);
  const { removed, from } = await (await ctx.store()).delete(ep.account);
  const env = PROVIDERS[id].tokenEnv;
  return {
    removed: removed ? [{ account: ep.account, from }] : [],
    envStillSet: ctx.env[env] ? [env] : [],
    notLoggedIn: removed ? undefined : ep.account,
  };
}

export function renderLogout(io: IO, r: LogoutResult): string {
  if (r.notLoggedIn) io.info(`Not logged in as ${r.notLoggedIn}; nothing to remove.`);
  for (const item of r.removed) {
    const where = item.from?.length ? ` (removed from the ${item.from.map((f) => (f === 'file' ? 'plaintext file' : 'keychain')).join(' and ')})` : '';
    io.success(`Logged out: ${item.account}${where}.`);
  }
  if (!r.notLoggedIn && r.removed.length === 0) io.info('No stored logins.');
  for (const v of r.envStillSet) io.warn(`${v} is still set; rdp keeps using it until you unset it.`);
  return '';
}
