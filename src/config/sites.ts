// The InvenioRDM sites the user added (`rdp sites add`, SPEC.md "Sites"), kept in the config file
// ($XDG_CONFIG_HOME/rdp/config.json) under `sites`, beside the flat `values` of `rdp config`. Read once
// at start-up (synchronously, a few hundred bytes: src/cli.ts registers each as a provider before the
// command tree is built) and changed only through the file's locked read-modify-write.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** A site as stored. */
export interface SiteRecord {
  /** The provider id the user types (`rdp login <name>`). */
  name: string;
  /** The site's address (its web base; the API is `<url>/api`), without a trailing slash. */
  url: string;
  /** Its test instance, chosen with --sandbox. */
  sandboxUrl?: string | undefined;
  /** When it was added (ISO). */
  added: string;
}

/**
 * The config file's path for this environment: config/paths.ts's rule, repeated here so that start-up
 * (which reads this file before anything else) loads no module that lazy code shares (a chunk of its own).
 */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.RDP_CONFIG_DIR) return join(env.RDP_CONFIG_DIR, 'config.json');
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) return join(env.XDG_CONFIG_HOME, 'rdp', 'config.json');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'rdp', 'config.json');
  return join(env.HOME || homedir(), '.config', 'rdp', 'config.json');
}

function narrow(v: unknown): SiteRecord[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  const out: SiteRecord[] = [];
  for (const [name, s] of Object.entries(v as Record<string, unknown>)) {
    if (!s || typeof s !== 'object') continue;
    const r = s as Record<string, unknown>;
    if (typeof r.url !== 'string') continue;
    out.push({
      name,
      url: r.url,
      sandboxUrl: typeof r.sandboxUrl === 'string' ? r.sandboxUrl : undefined,
      added: typeof r.added === 'string' ? r.added : '',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The sites in the config file, read synchronously at start-up. A missing or unreadable file holds no
 * sites here; the commands that read the config report a broken file themselves.
 */
export function readSitesSync(env: NodeJS.ProcessEnv): SiteRecord[] {
  try {
    const doc = JSON.parse(readFileSync(configPath(env), 'utf8')) as { sites?: unknown };
    return narrow(doc?.sites);
  } catch {
    return [];
  }
}

interface ConfigDoc {
  version: 1;
  values: Record<string, unknown>;
  sites?: Record<string, Omit<SiteRecord, 'name'>>;
}

/** The sites as the file holds them now (under no lock: for listing). */
export async function readSites(path: string): Promise<SiteRecord[]> {
  const { readJsonFile } = await import('../util/json-file.js');
  return narrow((await readJsonFile<ConfigDoc>(path, { version: 1, values: {} })).sites);
}

/**
 * Change the sites under the file's lock: `change` gets the current ones and returns the new list, or
 * undefined to leave the file alone. The config's other content is kept as it is.
 */
export async function updateSites(path: string, change: (current: SiteRecord[]) => SiteRecord[] | undefined): Promise<SiteRecord[]> {
  const { updateJsonFile } = await import('../util/json-file.js');
  let result: SiteRecord[] = [];
  await updateJsonFile<ConfigDoc>(path, { version: 1, values: {} }, (doc) => {
    const current = narrow(doc.sites);
    const next = change(current);
    result = next ?? current;
    if (!next) return undefined;
    const sites: Record<string, Omit<SiteRecord, 'name'>> = {};
    for (const s of next) sites[s.name] = { url: s.url, ...(s.sandboxUrl ? { sandboxUrl: s.sandboxUrl } : {}), added: s.added };
    return { ...doc, version: 1, values: doc.values ?? {}, sites };
  });
  return result;
}

/**
 * Remove a site and the config values of its provider id (every `<name>.*` key: its url, OAuth client,
 * port, redirect URI) in one change under the file's lock. Returns the site removed (undefined when
 * there was none) and the keys removed with their values as they were (`{keychain: true}` for a secret
 * kept in the keychain, whose item the caller removes).
 */
export async function removeSiteRecord(path: string, name: string): Promise<{ site: SiteRecord | undefined; values: Record<string, unknown> }> {
  const { updateJsonFile } = await import('../util/json-file.js');
  let site: SiteRecord | undefined;
  const removed: Record<string, unknown> = {};
  await updateJsonFile<ConfigDoc>(path, { version: 1, values: {} }, (doc) => {
    site = narrow(doc.sites).find((s) => s.name === name);
    const values = { ...(doc.values ?? {}) };
    for (const key of Object.keys(values)) {
      if (!key.startsWith(`${name}.`)) continue;
      removed[key] = values[key];
      delete values[key];
    }
    if (!site && !Object.keys(removed).length) return undefined;
    const sites = { ...(doc.sites ?? {}) };
    delete sites[name];
    return { ...doc, version: 1, values, sites };
  });
  return { site, values: removed };
}
