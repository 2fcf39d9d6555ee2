// `rdp login <provider>` without --with-token, for the four OAuth services: parse the browser-login
// flags (redirect URI or port, timeout, scopes, client) and hand over to the provider's flow in
// auth/oauth/. The keychain is checked last (`ready`), once flags, config and client are known good.
import type { LoginOptions } from '../commands/login.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import type { Endpoints } from '../providers/registry.js';
import type { Storage } from '../store/types.js';
import type { OAuthProviderId } from '../auth/client.js';
import { CODE_LIFETIME, chooseRedirect, matchingNote, type Redirect, redirectToRegister, ZENODO_DEFAULT_PORT } from '../auth/redirect.js';
import type { BrowserLoginSettings } from '../auth/ports.js';
import { type LoginResult, parseDuration } from './token-login.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export { parsePort } from '../auth/redirect.js';

/** Scopes from repeated --scope flags, each of which may hold several separated by spaces. */
export function splitScopes(values: string[] | undefined): string[] {
  const out = (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  for (const s of out) {
    if (s.length > 200 || /[\u0000-\u001f"\\]/.test(s)) throw new UsageError(`"${s}" is not a scope.`);
  }
  return out;
}

/** What to register when the browser never comes back to the listener (the timeout's hint). */
function mismatchHint(provider: OAuthProviderId, r: Redirect): string | undefined {
  const uri = redirectToRegister(provider, r);
  if (provider === 'zenodo' && r.kind === 'loopback' && r.port === 0) {
    return (
      `If Zenodo showed "mismatching_redirect_uri": Zenodo matches redirect URIs exactly, port included, so a login on a random port (--port 0) never matches there. ` +
      `Register http://127.0.0.1:${ZENODO_DEFAULT_PORT}/callback with your OAuth client and log in without --port (or register another fixed port and pass it with --port).`
    );
  }
  if (provider === 'zenodo' && r.kind === 'loopback') {
    return (
      `If Zenodo showed "mismatching_redirect_uri", your OAuth client is not registered with exactly ${uri} ` +
      `(${matchingNote(provider, r)}): add that URI to the client, or pass the port you registered with --port (\`rdp config set zenodo.port N\` keeps it).`
    );
  }
  if (r.kind === 'loopback') return `If ${provider === 'orcid' ? 'ORCID' : 'the service'} said the redirect URI does not match, register ${uri} with your OAuth client (${matchingNote(provider, r)}), or use the port you registered with --port.`;
  return `Your OAuth client must be registered with the redirect URI ${uri}.`;
}

export async function runBrowserLogin(
  ctx: Context,
  provider: OAuthProviderId,
  ep: Endpoints,
  opts: LoginOptions,
  storage: Storage,
  ready: () => Promise<void>,
): Promise<LoginResult> {
  if (opts.clientCredentials && provider !== 'dmptool' && provider !== 'orcid') {
    throw new UsageError('--client-credentials is for DMPTool and ORCID only.');
  }
  if ((opts.keyName !== undefined || opts.readOnly) && provider !== 'zotero') {
    throw new UsageError('--key-name and --read-only are for Zotero only.');
  }
  if (opts.clientCredentials) {
    const browserOnly = [opts.redirectUri !== undefined && '--redirect-uri', opts.port !== undefined && '--port', opts.browser === false && '--no-browser'].filter(Boolean);
    if (browserOnly.length) {
      throw new UsageError(`${browserOnly.join(', ')} ${browserOnly.length === 1 ? 'is' : 'are'} for browser logins; --client-credentials opens no browser and needs no redirect URI.`);
    }
  }
  const sandbox = ep.sandbox ? ' --sandbox' : '';
  const command = `rdp login ${provider}${sandbox}${opts.clientCredentials ? ' --client-credentials' : ''}`;

  const choice = await chooseRedirect(ctx, provider, { redirectUri: opts.redirectUri, port: opts.port });
  const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) * 1000 : DEFAULT_LOGIN_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be longer than 0, not "${opts.timeout}".`);

  const settings: BrowserLoginSettings = {
    flow: {
      redirect: choice.redirect,
      portHint: choice.portHint,
      mismatchHint: mismatchHint(provider, choice.redirect),
      codeLifetime: CODE_LIFETIME[provider],
      timeoutMs,
      noBrowser: opts.browser === false,
      command,
    },
    scopes: splitScopes(opts.scope),
    clientCredentials: Boolean(opts.clientCredentials),
    client: { clientId: opts.clientId, clientSecret: opts.clientSecret },
    keyName: opts.keyName,
    readOnly: opts.readOnly,
    storage,
    ready,
  };
  switch (provider) {
    case 'zenodo':
      return (await import('../providers/zenodo/login.js')).zenodoLogin(ctx, ep, settings);
    case 'dmptool':
      return (await import('../providers/dmptool/login.js')).dmptoolLogin(ctx, ep, settings);
    case 'orcid':
      return (await import('../providers/orcid/login.js')).orcidLogin(ctx, ep, settings);
    case 'zotero':
      return (await import('../providers/zotero/login.js')).zoteroLogin(ctx, ep, settings);
  }
}
