// THE list of providers. Everything else finds services here: the commands (their provider arguments,
// `--to`, `--on`, the options each deposit target takes), the config keys, the workflows (which
// provider lists uploads, holds DMPs, takes an ORCID work or a library item). The built-in five are
// listed below; more can join at run time (an InvenioRDM site the user added, stored in the config,
// built from a parameterised descriptor; a test's own provider) through registerProviders(), before
// the command tree is built. Adding a service: a folder src/providers/<id>/ whose index.ts exports its
// descriptor, one line here, and the README (plus regenerated completions).
import { readSitesSync } from '../config/sites.js';
import { UsageError } from '../errors/errors.js';
import { nearest } from '../util/text.js';
import { dmptool } from './dmptool/index.js';
import { nomad } from './nomad/index.js';
import { orcid } from './orcid/index.js';
import type { Provider } from './types.js';
import { zenodo } from './zenodo/index.js';
import { zotero } from './zotero/index.js';

export type { Provider } from './types.js';
import { siteProvider } from './invenio/index.js';
// An InvenioRDM site from the config as a provider (registered at start-up: registerSites).
export { siteBases, siteNames, siteProvider } from './invenio/index.js';

const BUILT_IN: readonly Provider[] = [zenodo, nomad, dmptool, orcid, zotero];

let added: Provider[] = [];

/** Every provider of this run, the built-in ones first, in a stable order. */
export function providers(): readonly Provider[] {
  return added.length ? [...BUILT_IN, ...added] : BUILT_IN;
}

/**
 * Providers known only at run time (sites from the config, a test's provider). An id that is taken is
 * refused: a site cannot shadow a built-in service.
 */
export function registerProviders(list: readonly Provider[]): void {
  for (const p of list) {
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(p.id)) throw new UsageError(`"${p.id}" cannot be a provider id (lower-case letters, digits and -, starting with a letter).`);
    if (providers().some((q) => q.id === p.id)) throw new UsageError(`There is a provider "${p.id}" already.`);
    added = [...added, p];
  }
}

/** The sites registered by the last registerSites (a second main() in one process reads the config again). */
let siteIds: string[] = [];

/**
 * The InvenioRDM sites in the config file (`rdp sites add`) as providers, so that `<name>` works
 * wherever a provider id does; src/cli.ts calls this before it builds the command tree. A site that
 * cannot be one (its name was given to a built-in provider since, or the file was edited by hand) is
 * skipped with a warning.
 */
export function registerSites(env: NodeJS.ProcessEnv, warn: (text: string) => void): void {
  added = added.filter((p) => !siteIds.includes(p.id));
  siteIds = [];
  for (const site of readSitesSync(env)) {
    try {
      registerProviders([siteProvider(site)]);
      siteIds.push(site.name);
    } catch (err) {
      warn(`The site "${site.name}" in the config file is skipped: ${err instanceof Error ? err.message : String(err)} (\`rdp sites remove ${site.name}\` removes it).`);
    }
  }
}

/** Forget the providers added at run time (tests). */
export function resetProviders(): void {
  added = [];
}

export function providerIds(): string[] {
  return providers().map((p) => p.id);
}

export function findProvider(id: string): Provider | undefined {
  return providers().find((p) => p.id === id);
}

/** The provider with this id, or a usage error that names the nearest one. */
export function getProvider(id: string, among: readonly Provider[] = providers()): Provider {
  const v = id.toLowerCase();
  const p = among.find((q) => q.id === v);
  if (p) return p;
  const ids = among.map((q) => q.id);
  const near = nearest(id, ids);
  throw new UsageError(`Unknown provider "${id}".${near ? ` Did you mean "${near}"?` : ''}`, { hint: `Choose one of: ${ids.join(', ')}.` });
}

type Capability = 'deposit' | 'list' | 'dmp' | 'works' | 'library' | 'publish';

/** The providers that have a capability (take part in a command). */
export function withCapability<K extends Capability>(cap: K): (Provider & Required<Pick<Provider, K>>)[] {
  return providers().filter((p): p is Provider & Required<Pick<Provider, K>> => p[cap] !== undefined);
}

/** "Zenodo or NOMAD", "DMPTool and ORCID": names in a sentence. */
export function nameList(list: readonly Provider[], word: 'and' | 'or', key: 'name' | 'id' = 'name'): string {
  const names = list.map((p) => p[key]);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${word} ${names[names.length - 1]}`;
}
