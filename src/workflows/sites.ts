// `rdp sites add|list|remove` (SPEC.md "Sites"): the InvenioRDM repositories the user added, kept in the
// config file (config/sites.ts, under its lock). A site is added only when its name can be a provider id
// (it becomes RDP_<NAME>_TOKEN and the keychain account `<name>@<host>`) that no built-in service has,
// and its address answers like an InvenioRDM (the public records search, client.ts probe()); plain
// http:// is for this machine only (or RDP_ALLOW_HTTP=1), as for every other base URL.
import type { AuthPorts } from '../auth/ports.js';
import { type SiteRecord, readSites, removeSiteRecord, updateSites } from '../config/sites.js';
import { configAccount, validateBaseUrl } from '../config/config.js';
import { RdpError, UsageError } from '../errors/errors.js';
import { ALLOW_HTTP_ENV, isLoopbackHost } from '../http/client.js';
import { envName } from '../providers/endpoints.js';
import { findProvider, providers, siteBases, siteNames, siteProvider } from '../providers/index.js';
import { runLogout } from './logout.js';

export interface SitesPorts extends AuthPorts {
  /** The config file. */
  configPath(): Promise<string>;
}

/** A site as `sites list --json` and `sites add --json` show it. */
export interface SiteView {
  name: string;
  url: string;
  api: string;
  sandboxUrl: string | null;
  /** The variable that gives a CI job its token. */
  tokenEnv: string;
  added: string;
}

export function siteView(s: SiteRecord): SiteView {
  return { name: s.name, url: s.url, api: siteBases(s.url).api, sandboxUrl: s.sandboxUrl ?? null, tokenEnv: envName(s.name, 'TOKEN'), added: s.added };
}

const NAME = /^[a-z][a-z0-9-]{1,30}$/;

/** Why `name` cannot name a site, or undefined. */
function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(`"${name}" cannot be a site name: use 2 to 31 lower-case letters, digits and -, starting with a letter (it becomes ${envName(name, 'TOKEN')} and the id in \`rdp login <name>\`).`, {
      hint: 'For example: rdp sites add tuwien https://researchdata.tuwien.ac.at',
    });
  }
  const builtIn = providers().find((p) => p.id === name && !p.site);
  if (builtIn) {
    throw new UsageError(`"${name}" is rdp's own ${builtIn.name} provider; a site cannot take its name.`, {
      hint: `Choose another name, e.g. rdp sites add my-${name} <url>. (Zenodo itself needs no site: use --to zenodo.)`,
    });
  }
}

/** The site's address, normalised (no trailing slash, no /api), checked for http(s) and plain http to another machine. */
function checkUrl(env: NodeJS.ProcessEnv, raw: string, flag: string): string {
  try {
    validateBaseUrl(raw.trim(), flag);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}.`, { hint: 'Give the address of the repository, e.g. https://researchdata.tuwien.ac.at' });
  }
  const { web } = siteBases(raw.trim());
  const u = new URL(web);
  const allowed = ['1', 'true', 'yes'].includes((env[ALLOW_HTTP_ENV] ?? '').toLowerCase());
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname) && !allowed) {
    throw new RdpError('INSECURE_URL', `${u.origin} is plain http:// to another machine: rdp does not send credentials or data unencrypted. Nothing was added.`, {
      hint: `Use the site's https:// address. On a network you trust (a test server), set ${ALLOW_HTTP_ENV}=1.`,
    });
  }
  return web;
}

export interface AddSiteResult extends SiteView {
  /** false: the same site was there already (nothing changed). */
  addedNow: boolean;
  /** Published records the site shows to guests (undefined when it shows guests nothing). */
  records?: number | undefined;
}

async function probe(ports: SitesPorts, record: SiteRecord, base: string): Promise<{ total?: number | undefined }> {
  const p = siteProvider(record);
  const http = await ports.http({ service: p, base: siteBases(base).api });
  const { InvenioClient } = await import('../providers/invenio/client.js');
  return new InvenioClient(http, { site: siteNames(record.name) }).probe();
}

export async function addSite(ports: SitesPorts, req: { name: string; url: string; sandboxUrl?: string | undefined }): Promise<AddSiteResult> {
  const name = req.name.trim();
  checkName(name);
  const url = checkUrl(ports.env, req.url, 'the site URL');
  const sandboxUrl = req.sandboxUrl !== undefined ? checkUrl(ports.env, req.sandboxUrl, '--sandbox-url') : undefined;
  const path = await ports.configPath();
  const existing = (await readSites(path)).find((s) => s.name === name);
  if (existing && existing.url === url && existing.sandboxUrl === sandboxUrl) return { ...siteView(existing), addedNow: false };
  if (existing) {
    throw new UsageError(`There is a site named "${name}" already (${existing.url}).`, { hint: `Remove it first (rdp sites remove ${name}), or choose another name.` });
  }
  const record: SiteRecord = { name, url, sandboxUrl, added: new Date(ports.clock.now()).toISOString() };
  // Nothing is stored before the addresses answer like an InvenioRDM.
  const answer = await probe(ports, record, url);
  if (sandboxUrl) await probe(ports, record, sandboxUrl);
  let clash: SiteRecord | undefined;
  await updateSites(path, (current) => {
    clash = current.find((s) => s.name === name);
    if (clash) return undefined;
    return [...current, record];
  });
  if (clash && (clash.url !== url || clash.sandboxUrl !== sandboxUrl)) {
    throw new UsageError(`There is a site named "${name}" already (${clash.url}).`, { hint: `Remove it first (rdp sites remove ${name}), or choose another name.` });
  }
  return { ...siteView(clash ?? record), addedNow: !clash, records: answer.total };
}

export async function listSites(ports: SitesPorts): Promise<SiteView[]> {
  return (await readSites(await ports.configPath())).map(siteView);
}

export interface RemoveSiteResult {
  name: string;
  url: string;
  /** Stored logins removed with it (keychain accounts). */
  loggedOut: string[];
  /** Its config keys removed with it (`<name>.client_id`, …; a secret's keychain item too). */
  configRemoved: string[];
  /** An environment variable that still holds a token for it. */
  envStillSet: string[];
}

export async function removeSite(ports: SitesPorts, name: string): Promise<RemoveSiteResult> {
  const path = await ports.configPath();
  let gone: SiteRecord | undefined;
  const before = await readSites(path);
  if (!before.some((s) => s.name === name)) {
    const names = before.map((s) => s.name);
    throw new UsageError(`There is no site named "${name}".`, { hint: names.length ? `Your sites: ${names.join(', ')}.` : 'You have added no sites (rdp sites add <name> <url>).' });
  }
  // Its stored logins first: once the site is gone, `rdp logout <name>` cannot name them. The site's
  // own address and its test instance, and any other host it was logged in to (<name>.url pointed
  // elsewhere for a while): every account `<name>@<host>` rdp has a record of.
  const loggedOut: string[] = [];
  const envStillSet: string[] = [];
  const p = findProvider(name);
  if (p?.site) {
    for (const sandbox of p.site.sandboxUrl ? [false, true] : [false]) {
      const r = await runLogout(ports, { provider: p, sandbox });
      for (const x of r.removed) loggedOut.push(x.account);
      for (const v of r.envStillSet) if (!envStillSet.includes(v)) envStillSet.push(v);
    }
  }
  const store = await ports.store();
  const recorded = new Set([...Object.keys(await store.accounts.all()), ...Object.keys(await store.file.all())]);
  for (const account of recorded) {
    if (!account.startsWith(`${name}@`) || loggedOut.includes(account)) continue;
    if ((await store.delete(account)).removed) loggedOut.push(account);
  }
  // Its config keys (an OAuth client, a port, an address): a secret's keychain item before the file.
  const config = (await readConfigValues(path)).filter(([key]) => key.startsWith(`${name}.`));
  for (const [key, value] of config) {
    if (value && typeof value === 'object') await store.keychain.delete(configAccount(key));
  }
  const removed = await removeSiteRecord(path, name);
  gone = removed.site;
  const configRemoved = [...new Set([...config.map(([key]) => key), ...Object.keys(removed.values)])].sort();
  const was = gone ?? before.find((s) => s.name === name);
  return { name, url: was?.url ?? '', loggedOut, configRemoved, envStillSet };
}

/** The config file's values (`rdp config`), as they are now. */
async function readConfigValues(path: string): Promise<[string, unknown][]> {
  const { readJsonFile } = await import('../util/json-file.js');
  return Object.entries((await readJsonFile<{ values?: Record<string, unknown> }>(path, { values: {} })).values ?? {});
}
