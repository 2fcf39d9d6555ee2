// The config file: $XDG_CONFIG_HOME/rdp/config.json, flat dotted keys (`zenodo.url`). A secret key
// (`<id>.client_secret`) is never written to the file: its value goes to the keychain and the file only
// records that it is set.
import { UsageError } from '../errors/errors.js';
import { findProvider, providers } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import { readJsonFile, updateJsonFile } from '../util/json-file.js';

/** A base URL (RDP_<ID>_URL, `<id>.url`): http(s), without a query or fragment; throws a message. */
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

export interface KeyDef {
  key: string;
  description: string;
  secret?: boolean;
  /** Returns the normalised value or throws a message. */
  validate?: (value: string) => string;
}

/** A provider's keys: its base URL; for a browser login, its OAuth client and redirect settings. */
function providerKeys(p: Provider): KeyDef[] {
  const id = p.id;
  const oauth = p.auth.oauth;
  const keys: KeyDef[] = [
    {
      key: `${id}.url`,
      description: `base URL of ${id} (like RDP_${id.toUpperCase()}_URL)`,
      validate: (v) => validateBaseUrl(v, `${id}.url`),
    },
  ];
  if (oauth) {
    keys.push(
      { key: `${id}.client_id`, description: `OAuth client id registered with ${id}` },
      { key: `${id}.client_secret`, description: `OAuth client secret (kept in the keychain, or in this file with --insecure-storage)`, secret: true },
    );
    // A service that logs in out-of-band unless a redirect URI says otherwise has no port key.
    if (oauth.config.port) {
      keys.push({
        key: `${id}.port`,
        description: `port of the loopback listener for browser logins to ${id} (the one in your registered redirect URI; 0 = any)`,
        validate: (v) => {
          const n = Number(v);
          if (!/^\d+$/.test(v.trim()) || n > 65535) throw new Error(`${id}.port must be a port number from 0 to 65535, not "${v}"`);
          return String(n);
        },
      });
    }
    if (oauth.config.redirectUri) {
      keys.push({
        key: `${id}.redirect_uri`,
        description: `redirect URI of browser logins to ${id}: http://127.0.0.1:<port>/callback, urn:ietf:wg:oauth:2.0:oob or https://…`,
        validate: (v) => {
          const t = v.trim();
          if (t === 'urn:ietf:wg:oauth:2.0:oob' || t.toLowerCase() === 'oob') return 'urn:ietf:wg:oauth:2.0:oob';
          let u: URL;
          try {
            u = new URL(t);
          } catch {
            throw new Error(`${id}.redirect_uri must be http://127.0.0.1:<port>/callback, urn:ietf:wg:oauth:2.0:oob or an https:// URI, not "${v}"`);
          }
          if (u.protocol === 'https:' && !u.hash) return t;
          if (u.protocol === 'http:' && u.hostname === '127.0.0.1' && u.port !== '' && !u.search && !u.hash) return t;
          throw new Error(`${id}.redirect_uri must be http://127.0.0.1:<port>/callback (with its port), urn:ietf:wg:oauth:2.0:oob or an https:// URI, not "${v}"`);
        },
      });
    }
  }
  return keys;
}

/** Every known key, provider by provider (the providers of this run). */
export function configKeys(): KeyDef[] {
  return providers().flatMap(providerKeys);
}

export function keyDef(key: string): KeyDef {
  const all = configKeys();
  const eq = key.indexOf('=');
  if (eq > 0) {
    // `rdp config set zenodo.client_secret=VALUE`: what follows `=` may be a secret, so it is not printed.
    const name = key.slice(0, eq);
    const known = all.find((k) => k.key === name);
    throw new UsageError(`"${name}=…" is not a config key: give the key and its value apart.`, {
      hint: !known
        ? `Known keys: ${all.map((k) => k.key).join(', ')}.`
        : known.secret
          ? `printf %s "$VALUE" | rdp config set ${name}   (a secret goes on stdin, not on the command line)`
          : `rdp config set ${name} <value>`,
    });
  }
  const def = all.find((k) => k.key === key);
  if (!def) {
    const [head] = key.split('.');
    const near = head && findProvider(head) ? all.filter((k) => k.key.startsWith(`${head}.`)) : all;
    throw new UsageError(`Unknown config key "${key}".`, {
      hint: `Known keys: ${near.map((k) => k.key).join(', ')}.`,
    });
  }
  return def;
}

export type ConfigValue = string | { keychain: true };
export type ConfigData = Record<string, ConfigValue>;

interface ConfigFile {
  version: 1;
  values: ConfigData;
  /** The InvenioRDM sites added with `rdp sites add` (config/sites.ts); kept as they are here. */
  sites?: unknown;
}

export function configAccount(key: string): string {
  return `config:${key}`;
}

export class ConfigStore {
  private cache: ConfigData | undefined;

  constructor(readonly path: string) {}

  async all(): Promise<ConfigData> {
    if (!this.cache) {
      const file = await readJsonFile<ConfigFile>(this.path, { version: 1, values: {} });
      this.cache = file.values ?? {};
    }
    return this.cache;
  }

  /** A plain (non-secret) value, or undefined. */
  async value(key: string): Promise<string | undefined> {
    const v = (await this.all())[key];
    return typeof v === 'string' ? v : undefined;
  }

  async isSecretSet(key: string): Promise<boolean> {
    const v = (await this.all())[key];
    return typeof v === 'object' && v !== null && v.keychain === true;
  }

  // Changes re-read the file under its lock, so a concurrent `rdp config set` is not undone.
  async put(key: string, value: ConfigValue): Promise<void> {
    const file = await updateJsonFile<ConfigFile>(this.path, { version: 1, values: {} }, (f) => ({ ...f, version: 1, values: { ...(f.values ?? {}), [key]: value } }));
    this.cache = file.values;
  }

  async remove(key: string): Promise<boolean> {
    let had = false;
    const file = await updateJsonFile<ConfigFile>(this.path, { version: 1, values: {} }, (f) => {
      const values = { ...(f.values ?? {}) };
      had = key in values;
      if (!had) return undefined;
      delete values[key];
      return { ...f, version: 1, values };
    });
    this.cache = file.values ?? {};
    return had;
  }
}
