// Where a browser login's authorization response goes (SPEC.md section 3, "Redirect modes"):
// - loopback `http://127.0.0.1:<port><path>`: rdp listens there (on a fixed, registered port for a
//   service that matches redirect URIs exactly; on any free port where the service allows it);
// - out-of-band `urn:ietf:wg:oauth:2.0:oob`: the service shows the code, the user pastes it;
// - `https://…`: a page registered with the service; the user pastes the URL the browser lands on.
// Chosen by --redirect-uri or --port (parsed by commands/login.ts), else the config keys
// <id>.redirect_uri and <id>.port, else the service's default (its descriptor's `auth.oauth`).
import { UsageError } from '../errors/errors.js';
import type { Provider } from '../providers/types.js';
import { LOOPBACK_HOST } from './loopback.js';
import type { AuthPorts } from './ports.js';

export const OOB_URI = 'urn:ietf:wg:oauth:2.0:oob';

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
      hint: `Give the port you registered, e.g. http://${LOOPBACK_HOST}:21930${u.pathname === '/' ? '/callback' : u.pathname}.`,
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

/** Flags of a login that choose the redirect (parsed and checked by the command). */
export interface RedirectFlags {
  /** --redirect-uri, parsed. */
  redirect?: Redirect | undefined;
  /** --port. */
  port?: number | undefined;
}

export const PORT_FLAG_HINT = 'choose another with --port N (0 = any free port, for services that accept any)';

/** --redirect-uri, --port, config <id>.redirect_uri, config <id>.port, the service's default. */
export async function chooseRedirect(ports: Pick<AuthPorts, 'config'>, p: Provider, flags: RedirectFlags): Promise<RedirectChoice> {
  const oauth = p.auth.oauth;
  if (!oauth) throw new UsageError(`${p.name} has no browser login.`);
  if (flags.redirect) return { redirect: flags.redirect, portHint: 'change the port in --redirect-uri', source: '--redirect-uri' };
  if (flags.port !== undefined) return { redirect: { kind: 'loopback', port: flags.port, path: '/callback' }, portHint: PORT_FLAG_HINT, source: '--port' };
  const config = await ports.config();
  if (oauth.config.redirectUri) {
    const configured = await config.value(`${p.id}.redirect_uri`);
    if (configured !== undefined) {
      const redirect = parseRedirectUri(configured, `The config key ${p.id}.redirect_uri`);
      return { redirect, portHint: `choose another with --port N, or change it for good with \`rdp config set ${p.id}.redirect_uri URI\``, source: `config ${p.id}.redirect_uri` };
    }
  }
  const port = oauth.config.port ? await config.value(`${p.id}.port`) : undefined;
  if (port !== undefined) {
    return {
      redirect: { kind: 'loopback', port: parsePort(port, `The config key ${p.id}.port`), path: '/callback' },
      portHint: `choose another with --port N, or change it for good with \`rdp config set ${p.id}.port N\``,
      source: `config ${p.id}.port`,
    };
  }
  return { redirect: oauth.defaultRedirect, portHint: PORT_FLAG_HINT, source: 'the default' };
}

/** The loopback redirect URI to register when the port is chosen at random: the bare host and path. */
export function anyPortUri(r: Redirect & { kind: 'loopback' }): string {
  return `http://${LOOPBACK_HOST}${r.path}`;
}
