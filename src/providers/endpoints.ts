// A provider's endpoints for one run (SPEC.md section 2): production, its sandbox with --sandbox, or
// one base URL from RDP_<ID>_URL (or `<id>.url` in the config file), against which every endpoint of
// that provider, authorization and API alike, is resolved with the provider's own path layout.
import { hostname } from 'node:os';
import type { Endpoints, Provider } from './types.js';

/** rdp's loopback listener listens here, never on `localhost` or all interfaces. */
export const LOOPBACK_HOST = '127.0.0.1';

/** A name for an OAuth client being registered: which machine it is for. */
export function clientName(): string {
  return `rdp on ${hostname()}`;
}

/** `RDP_<ID>_<WHAT>` for a provider id (upper case; other characters as `_`, as for sites). */
export function envName(id: string, what: string): string {
  return `RDP_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;
}

/** A base without its trailing slashes. */
export const strip = (u: string) => u.replace(/\/+$/, '');
/** For services whose OAuth pages and API hang off the same base (DMPTool, ORCID, Zotero). */
export const sameBase = (base: string) => ({ web: strip(base), api: strip(base) });
/** The usual credential header: `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface ResolveOptions {
  sandbox?: boolean | undefined;
  /** From `RDP_<ID>_URL`. */
  envUrl?: string | undefined;
  /** From the config file's `<id>.url`. */
  configUrl?: string | undefined;
}


export function resolveEndpoints(p: Provider, opts: ResolveOptions = {}): Endpoints {
  const override = opts.envUrl ?? opts.configUrl;
  if (override) {
    const { web, api } = p.endpoints.fromOverride(override);
    const host = new URL(api).host;
    return { provider: p.id, name: p.name, web, api, host, account: `${p.id}@${host}`, origin: opts.envUrl ? 'env' : 'config', sandbox: false };
  }
  const bases = opts.sandbox ? p.endpoints.sandbox : p.endpoints.production;
  if (!bases) {
    if (p.site) throw new Error(`The site ${p.id} has no test instance for --sandbox; to give it one: rdp sites remove ${p.id}, then rdp sites add ${p.id} ${p.site.url} --sandbox-url <its test address>`);
    throw new Error(`${p.name} has no sandbox. Set ${p.env.url} to use another server.`);
  }
  return {
    provider: p.id,
    name: p.name,
    web: bases.web,
    api: bases.api,
    host: bases.accountHost,
    account: `${p.id}@${bases.accountHost}`,
    origin: opts.sandbox ? 'sandbox' : 'production',
    sandbox: Boolean(opts.sandbox),
  };
}
