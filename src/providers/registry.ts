// The five providers as data: ids, names, production and sandbox bases, environment variable names.
// SPEC.md section 2: `RDP_<ID>_URL` (or `<id>.url` in the config file) replaces a provider's base
// URL, and every endpoint of that provider, authorization and API alike, is then resolved against that
// one base with the provider's real paths.

export const PROVIDER_IDS = ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** Where a provider's endpoints live. `web` serves OAuth pages, `api` the REST API. */
export interface Bases {
  web: string;
  api: string;
  /** The host part of the keychain account `<provider>@<host>`. */
  accountHost: string;
}

export interface ProviderInfo {
  id: ProviderId;
  name: string;
  production: Bases;
  /** Zenodo's and ORCID's sandboxes, NOMAD's test instance. */
  sandbox?: Bases;
  /** How an override base maps to web and API bases (the provider's real path layout). */
  fromOverride(base: string): Omit<Bases, 'accountHost'>;
  /** The environment variable holding a token for CI use. */
  tokenEnv: string;
  /** Where a person creates a token by hand, for hints. */
  tokenHelp: string;
}

const strip = (u: string) => u.replace(/\/+$/, '');
/** For services whose OAuth pages and API hang off the same base (DMPTool, ORCID, Zotero). */
const sameBase = (base: string) => ({ web: strip(base), api: strip(base) });

export const PROVIDERS: Record<ProviderId, ProviderInfo> = {
  zenodo: {
    id: 'zenodo',
    name: 'Zenodo',
    production: { web: 'https://zenodo.org', api: 'https://zenodo.org/api', accountHost: 'zenodo.org' },
    sandbox: {
      web: 'https://sandbox.zenodo.org',
      api: 'https://sandbox.zenodo.org/api',
      accountHost: 'sandbox.zenodo.org',
    },
    fromOverride(base) {
      // People copy the REST base (".../api") from Zenodo's docs; the base is the web host.
      const web = strip(base).replace(/\/api$/, '');
      return { web, api: `${web}/api` };
    },
    tokenEnv: 'RDP_ZENODO_TOKEN',
    tokenHelp: 'create a personal access token at <web>/account/settings/applications/tokens/new/',
  },
  nomad: {
    id: 'nomad',
    name: 'NOMAD',
    production: {
      web: 'https://nomad-lab.eu/prod/v1/gui',
      api: 'https://nomad-lab.eu/prod/v1/api/v1',
      accountHost: 'nomad-lab.eu',
    },
    // The test instance shares its host with production; its account carries the path so that the
    // two tokens never overwrite each other.
    sandbox: {
      web: 'https://nomad-lab.eu/prod/v1/test/gui',
      api: 'https://nomad-lab.eu/prod/v1/test/api/v1',
      accountHost: 'nomad-lab.eu/prod/v1/test',
    },
    fromOverride(base) {
      // For NOMAD the base is the API root (it ends in /api/v1).
      const api = strip(base);
      return { web: api.replace(/\/api\/v1$/, '/gui'), api };
    },
    tokenEnv: 'RDP_NOMAD_TOKEN',
    tokenHelp: 'run `rdp login nomad` with your username and password, or create an app token in the NOMAD web UI',
  },
  dmptool: {
    id: 'dmptool',
    name: 'DMPTool',
    production: { web: 'https://dmptool.org', api: 'https://dmptool.org', accountHost: 'dmptool.org' },
    fromOverride: sameBase,
    tokenEnv: 'RDP_DMPTOOL_TOKEN',
    tokenHelp: 'get API credentials from the "Developer Tools" tab of your DMPTool profile',
  },
  orcid: {
    id: 'orcid',
    name: 'ORCID',
    production: { web: 'https://orcid.org', api: 'https://pub.orcid.org', accountHost: 'orcid.org' },
    sandbox: {
      web: 'https://sandbox.orcid.org',
      api: 'https://pub.sandbox.orcid.org',
      accountHost: 'sandbox.orcid.org',
    },
    fromOverride: sameBase,
    tokenEnv: 'RDP_ORCID_TOKEN',
    tokenHelp: 'run `rdp login orcid`, or register a public API client under Developer Tools on orcid.org',
  },
  zotero: {
    id: 'zotero',
    name: 'Zotero',
    production: { web: 'https://www.zotero.org', api: 'https://api.zotero.org', accountHost: 'api.zotero.org' },
    fromOverride: sameBase,
    tokenEnv: 'RDP_ZOTERO_KEY',
    tokenHelp: 'create an API key at <web>/settings/keys/new',
  },
};

/** Environment variables of SPEC.md section 3 "Token store" beyond the token itself. */
export const EXTRA_ENV: Partial<Record<ProviderId, string>> = {
  orcid: 'RDP_ORCID_ID',
  zotero: 'RDP_ZOTERO_USER_ID',
};

export function urlEnv(id: ProviderId): string {
  return `RDP_${id.toUpperCase()}_URL`;
}

export interface Endpoints {
  provider: ProviderId;
  name: string;
  web: string;
  api: string;
  /** Keychain account: `<provider>@<host>`. */
  account: string;
  host: string;
  /** What selected these endpoints, for `auth status` and hints. */
  origin: 'production' | 'sandbox' | 'env' | 'config';
  sandbox: boolean;
}

export interface ResolveOptions {
  sandbox?: boolean | undefined;
  /** From `RDP_<ID>_URL`. */
  envUrl?: string | undefined;
  /** From the config file's `<id>.url`. */
  configUrl?: string | undefined;
}

export function validateBaseUrl(raw: string, where: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${where} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new Error(`${where} must be an http:// or https:// URL, not ${u.protocol}`);
  }
  if (u.search || u.hash) throw new Error(`${where} must not have a query string or fragment`);
  return raw;
}

export function resolveEndpoints(id: ProviderId, opts: ResolveOptions = {}): Endpoints {
  const info = PROVIDERS[id];
  const override = opts.envUrl ?? opts.configUrl;
  if (override) {
    const { web, api } = info.fromOverride(override);
    const host = new URL(api).host;
    return {
      provider: id,
      name: info.name,
      web,
      api,
      host,
      account: `${id}@${host}`,
      origin: opts.envUrl ? 'env' : 'config',
      sandbox: false,
    };
  }
  const bases = opts.sandbox ? info.sandbox : info.production;
  if (!bases) {
    throw new Error(`${info.name} has no sandbox. Set ${urlEnv(id)} to use another server.`);
  }
  return {
    provider: id,
    name: info.name,
    web: bases.web,
    api: bases.api,
    host: bases.accountHost,
    account: `${id}@${bases.accountHost}`,
    origin: opts.sandbox ? 'sandbox' : 'production',
    sandbox: Boolean(opts.sandbox),
  };
}

/** Join a base (which may carry a path prefix) and an absolute path of the provider's API. */
export function joinUrl(base: string, path: string): string {
  return `${strip(base)}${path.startsWith('/') ? path : `/${path}`}`;
}
