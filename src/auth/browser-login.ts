// `rdp login <provider>` without --with-token, for the four OAuth services: parse the browser-login
// flags (port, timeout, scopes, client) and hand over to the provider's flow in auth/oauth/.
import type { LoginOptions } from '../commands/login.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { Endpoints } from '../providers/registry.js';
import type { Storage } from '../store/types.js';
import type { OAuthProviderId } from './oauth/client.js';
import type { BrowserLoginSettings } from './oauth/settings.js';
import { type LoginResult, parseDuration } from './token-login.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export function parsePort(value: string, where: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`${where} must be a port number from 0 to 65535 (0 = any free port), not "${value}".`);
  }
  return n;
}

/** Scopes from repeated --scope flags, each of which may hold several separated by spaces. */
export function splitScopes(values: string[] | undefined): string[] {
  const out = (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  for (const s of out) {
    if (s.length > 200 || /[\u0000-\u001f"\\]/.test(s)) throw new UsageError(`"${s}" is not a scope.`);
  }
  return out;
}

export async function runBrowserLogin(
  ctx: Context,
  provider: OAuthProviderId,
  ep: Endpoints,
  opts: LoginOptions,
  storage: Storage,
): Promise<LoginResult> {
  if (opts.clientCredentials && provider !== 'dmptool' && provider !== 'orcid') {
    throw new UsageError('--client-credentials is for DMPTool and ORCID only.');
  }
  if ((opts.keyName !== undefined || opts.readOnly) && provider !== 'zotero') {
    throw new UsageError('--key-name and --read-only are for Zotero only.');
  }
  const sandbox = ep.sandbox ? ' --sandbox' : '';
  const command = `rdp login ${provider}${sandbox}${opts.clientCredentials ? ' --client-credentials' : ''}`;

  let port = 0;
  let portHint = 'choose another with --port N (0 = any free port)';
  if (opts.port !== undefined) {
    port = parsePort(opts.port, '--port');
  } else {
    const configured = await (await ctx.config()).value(`${provider}.port`);
    if (configured !== undefined) {
      port = parsePort(configured, `The config key ${provider}.port`);
      portHint = `choose another with --port N, or change it for good with \`rdp config set ${provider}.port N\``;
    }
  }
  const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) * 1000 : DEFAULT_LOGIN_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be longer than 0, not "${opts.timeout}".`);

  const settings: BrowserLoginSettings = {
    flow: { port, portHint, timeoutMs, noBrowser: opts.browser === false, command },
    scopes: splitScopes(opts.scope),
    clientCredentials: Boolean(opts.clientCredentials),
    client: { clientId: opts.clientId, clientSecret: opts.clientSecret },
    keyName: opts.keyName,
    readOnly: opts.readOnly,
    storage,
  };
  switch (provider) {
    case 'zenodo':
      return (await import('./oauth/zenodo.js')).zenodoLogin(ctx, ep, settings);
    case 'dmptool':
      return (await import('./oauth/dmptool.js')).dmptoolLogin(ctx, ep, settings);
    case 'orcid':
      return (await import('./oauth/orcid.js')).orcidLogin(ctx, ep, settings);
    case 'zotero':
      return (await import('./oauth/zotero.js')).zoteroLogin(ctx, ep, settings);
  }
}
