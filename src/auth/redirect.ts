// Where a browser login's authorization response goes (SPEC.md section 3, "Redirect modes"), and the
// per-service defaults that work against the real services (providers.md section 0):
// - loopback `http://127.0.0.1:<port><path>`: rdp listens there (Zenodo on a fixed, registered port,
//   because Zenodo matches redirect URIs exactly, port included; ORCID and Zotero on any free port);
// - out-of-band `urn:ietf:wg:oauth:2.0:oob`: the service shows the code, the user pastes it (DMPTool's
//   default: its deployments refuse http: redirect URIs);
// - `https://…`: a page registered with the service; the user pastes the URL the browser lands on.
// Chosen by --redirect-uri, else --port, else the config keys <id>.redirect_uri and <id>.port, else the
// service's default.
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { LOOPBACK_HOST } from './loopback.js';
import type { OAuthProviderId } from './client.js';

export const OOB_URI = 'urn:ietf:wg:oauth:2.0:oob';

/**
 * Zenodo's default loopback port. Zenodo compares redirect URIs by string equality, so a login can
 * only come back to a port registered with the OAuth client: this one, documented in the README
 * (an unassigned port in IANA's registry, below the Linux ephemeral range).
 */
export const ZENODO_DEFAULT_PORT = 21930;

export type Redirect =
  | { kind: 'loopback'; port: number; path: string }
  | { kind: 'oob'; uri: string }
  | { kind: 'https'; uri: string };

export interface RedirectChoice {
  redirect: Redirect;
  /** How to change it, for errors ("choose another with --port N …"). */
  portHint: string;
  /** What chose it, for hints: `--redirect-uri`, `config dmptool.redirect_uri`, `the default` … */
  source: string;
}

/** How long a service's authorization codes live, for the paste hints (providers.md 0.1; Doorkeeper's default). */
export const CODE_LIFETIME: Partial<Record<OAuthProviderId, string>> = {
  zenodo: 'about 100 seconds',
  dmptool: '10 minutes',
};

/** The redirect URI as sent in the authorize request (the loopback port known once listening). */
export function redirectText(r: Redirect, boundPort?: number): string {
  if (r.kind !== 'loopback') return r.uri;
  const port = boundPort ?? r.port;
  return `http://${LOOPBACK_HOST}:${port || '<port>'}${r.path}`;
}

/** Parse a --redirect-uri value (or the config key); `oob` is short for the out-of-band URI. */
export function parseRedirectUri(value: string, where: string): Redirect {
  const v = value.trim();
  if (v === OOB_URI || v.toLowerCase() === 'oob') return { kind: 'oob', uri: OOB_URI };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`${where} is not a URI: "${value}".`, { hint: redirectForms });
  }
  if (u.hash) throw new UsageError(`${where} must not have a fragment (#…): "${value}".`);
  if (u.protocol === 'https:') return { kind: 'https', uri: u.toString() };
  if (u.protocol !== 'http:') throw new UsageError(`${where} must be http://127.0.0.1:<port>/…, https://… or ${OOB_URI}, not "${value}".`, { hint: redirectForms });
  if (u.hostname !== LOOPBACK_HOST) {
    throw new UsageError(`${where}: rdp listens on ${LOOPBACK_HOST} only, so an http redirect URI must name ${LOOPBACK_HOST}, not ${u.hostname}.`, {
      hint: `Register http://${LOOPBACK_HOST}:${u.port || '<port>'}${u.pathname} with the service and use that (localhost may resolve to ::1, where rdp does not listen).`,
    });
  }
  if (u.port === '') {
    throw new UsageError(`${where} has no port: "${value}". rdp needs to know where to listen.`, {
      hint: `Give the port you registered, e.g. http://${LOOPBACK_HOST}:${ZENODO_DEFAULT_PORT}${u.pathname === '/' ? '/callback' : u.pathname}.`,
    });
  }
  if (u.search) throw new UsageError(`${where} must not have a query string: "${value}".`);
  return { kind: 'loopback', port: Number(u.port), path: u.pathname };
}

const redirectForms = `Use http://${LOOPBACK_HOST}:<port>/callback (rdp listens there), ${OOB_URI} (the service shows a code to paste) or an https:// page registered with the service (paste the address the browser lands on).`;

export function parsePort(value: string, where: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`${where} must be a port number from 0 to 65535 (0 = any free port), not "${value}".`);
  }
  return n;
}

/** The redirect a service uses when nothing is configured. */
export function defaultRedirect(provider: OAuthProviderId): Redirect {
  switch (provider) {
    case 'zenodo':
      return { kind: 'loopback', port: ZENODO_DEFAULT_PORT, path: '/callback' };
    case 'dmptool':
      return { kind: 'oob', uri: OOB_URI };
    case 'orcid':
    case 'zotero':
      return { kind: 'loopback', port: 0, path: '/callback' };
  }
}

/** --redirect-uri, --port, config <id>.redirect_uri, config <id>.port, the service's default. */
export async function chooseRedirect(
  ctx: Context,
  provider: OAuthProviderId,
  flags: { redirectUri?: string | undefined; port?: string | undefined },
): Promise<RedirectChoice> {
  const portFlagHint = 'choose another with --port N (0 = any free port, for services that accept any)';
  if (flags.redirectUri !== undefined) {
    const redirect = parseRedirectUri(flags.redirectUri, '--redirect-uri');
    if (flags.port !== undefined) {
      const port = parsePort(flags.port, '--port');
      if (redirect.kind !== 'loopback') {
        throw new UsageError(`--port is for the 127.0.0.1 listener; --redirect-uri ${redirect.uri} does not use one. Give one of them.`);
      }
      if (port !== redirect.port) throw new UsageError(`--port ${port} and the port of --redirect-uri (${redirect.port}) differ. Give one of them.`);
    }
    return checkOAuth1(provider, { redirect, portHint: 'change the port in --redirect-uri', source: '--redirect-uri' });
  }
  if (flags.port !== undefined && provider === 'dmptool') {
    throw new UsageError('DMPTool logs in out-of-band (it shows a code to paste), so --port does not apply.', {
      hint: `dmptool.org accepts no http:// redirect URIs. On a DMPTool that does, ask for the listener with --redirect-uri http://${LOOPBACK_HOST}:<port>/callback.`,
    });
  }
  if (flags.port !== undefined) {
    return { redirect: { kind: 'loopback', port: parsePort(flags.port, '--port'), path: '/callback' }, portHint: portFlagHint, source: '--port' };
  }
  const config = await ctx.config();
  if (provider !== 'zotero') {
    const configured = await config.value(`${provider}.redirect_uri`);
    if (configured !== undefined) {
      const redirect = parseRedirectUri(configured, `The config key ${provider}.redirect_uri`);
      return { redirect, portHint: `choose another with --port N, or change it for good with \`rdp config set ${provider}.redirect_uri URI\``, source: `config ${provider}.redirect_uri` };
    }
  }
  const port = provider === 'dmptool' ? undefined : await config.value(`${provider}.port`);
  if (port !== undefined) {
    return {
      redirect: { kind: 'loopback', port: parsePort(port, `The config key ${provider}.port`), path: '/callback' },
      portHint: `choose another with --port N, or change it for good with \`rdp config set ${provider}.port N\``,
      source: `config ${provider}.port`,
    };
  }
  return { redirect: defaultRedirect(provider), portHint: portFlagHint, source: 'the default' };
}

function checkOAuth1(provider: OAuthProviderId, choice: RedirectChoice): RedirectChoice {
  if (provider === 'zotero' && choice.redirect.kind !== 'loopback') {
    throw new UsageError("Zotero's login (OAuth 1.0a) always comes back to rdp's 127.0.0.1 listener; --redirect-uri can only choose its port and path there.", {
      hint: 'Without a browser on this machine, use --no-browser and paste the address the browser ends on.',
    });
  }
  return choice;
}

/**
 * The redirect URI to register with the service for this choice: Zenodo's exactly (port included),
 * ORCID's bare host (it lets any port and path on a registered host match), Zotero's callback page.
 */
export function redirectToRegister(provider: OAuthProviderId, r: Redirect): string {
  if (r.kind !== 'loopback') return r.uri;
  // Zenodo never matches a random port: register the default one (and log in without --port 0).
  if (provider === 'zenodo' && r.port === 0) return `http://${LOOPBACK_HOST}:${ZENODO_DEFAULT_PORT}${r.path}`;
  if (provider === 'orcid' && r.port === 0) return `http://${LOOPBACK_HOST}`;
  if (r.port === 0) return `http://${LOOPBACK_HOST}${r.path}`;
  return redirectText(r);
}

/** A sentence on how the service matches the redirect URI, for hints. */
export function matchingNote(provider: OAuthProviderId, r: Redirect): string {
  switch (provider) {
    case 'zenodo':
      return 'Zenodo matches redirect URIs exactly, port included';
    case 'dmptool':
      return r.kind === 'oob'
        ? 'dmptool.org accepts only https:// redirect URIs and this out-of-band one'
        : 'DMPTool matches the redirect URI exactly (dmptool.org refuses http:// ones)';
    case 'orcid':
      return r.kind === 'loopback' && r.port === 0 ? 'ORCID lets any port and path on a registered host match' : 'ORCID matches the registered host, port and path';
    case 'zotero':
      return 'rdp sends its own callback address with each login';
  }
}
