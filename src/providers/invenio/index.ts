// An InvenioRDM site the user added (`rdp sites add <name> <url>`, SPEC.md "Sites") as a provider: the
// descriptor is made from the site's record in the config file at start-up (src/cli.ts, through
// registerProviders), so `<name>` works wherever a provider id does. Personal tokens (Bearer); a
// refusal is 403 (the server ignores a token it does not know and the request runs anonymously); the
// RDM records API for uploads (deposit/), the user's records for `rdp uploads list` (list.ts), and
// `rdp publish <id> --on <name>` with the link steps (publish.ts).
// A browser login (auth.ts) once an OAuth client is configured for the site; personal tokens otherwise.
import type { SiteRecord } from '../../config/sites.js';
import { bearer, envName, strip } from '../endpoints.js';
import type { Lister, Provider } from '../types.js';
import { isObject, text } from '../../http/errors.js';
import { siteOAuth } from './auth.js';
import { parseRecordId, readSiteOptions, readSitePublishOptions, SITE_HELP, SITE_OPTIONS, SITE_PUBLISH_OPTIONS, sitePublishHelp } from './deposit/options.js';

/** A site's web and API bases from its address (people may paste the API base, `<site>/api`). */
export function siteBases(url: string): { web: string; api: string } {
  const web = strip(url).replace(/\/api$/, '');
  return { web, api: `${web}/api` };
}

/** The names a site goes by in messages and variables. */
export function siteNames(id: string) {
  return { id, name: id, tokenEnv: envName(id, 'TOKEN') };
}

/** InvenioRDM's error bodies: `{status, message, errors: [{field, messages}]}` (providers.md 1.3, 1.10). */
export function errorBody(body: unknown) {
  if (!isObject(body)) return undefined;
  const message = text(body.message);
  const fieldErrors: { field: string; message: string }[] = [];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      if (!isObject(e)) continue;
      const msgs = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : [];
      const m = text(e.message) ?? msgs.join(' ');
      if (m) fieldErrors.push({ field: text(e.field) ?? '', message: m });
    }
  }
  if (!message && fieldErrors.length === 0) return undefined;
  const detail = fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  return { message: [message, detail].filter(Boolean).join(' — '), fieldErrors: fieldErrors.length ? fieldErrors : undefined };
}

export function siteProvider(site: SiteRecord): Provider {
  const id = site.name;
  const prod = siteBases(site.url);
  const sandbox = site.sandboxUrl ? siteBases(site.sandboxUrl) : undefined;
  const names = siteNames(id);
  return {
    id,
    name: id,
    site: { url: prod.web, sandboxUrl: sandbox?.web },
    endpoints: {
      production: { ...prod, accountHost: new URL(prod.web).host },
      sandbox: sandbox ? { ...sandbox, accountHost: new URL(sandbox.web).host } : undefined,
      fromOverride: siteBases,
    },
    env: { token: names.tokenEnv, url: envName(id, 'URL') },
    errorBody,
    auth: {
      header: bearer,
      // 401 and 403 both say the token does not work (a token the site does not know makes the request
      // anonymous, which is 403 wherever a user is needed).
      classify: (status, parsed) => (status === 401 || status === 403 ? { kind: 'invalid', detail: parsed.message } : undefined),
      tokenHelp: `create a personal token on the site (<web>/account/settings/applications/tokens/new)`,
      verify: async (ports, _ep, token) => {
        const { InvenioClient } = await import('./client.js');
        const who = await new InvenioClient(await ports.verifyHttp(token), { site: names }).verifyToken();
        return { user: { id: who.owner }, expiresAt: null, grant: 'token' };
      },
      oauth: siteOAuth(id),
    },
    deposit: {
      options: SITE_OPTIONS,
      resumeOption: 'deposition',
      readOptions: readSiteOptions(id),
      help: SITE_HELP,
      examples: [],
      load: async () => {
        const [{ runSiteUpload }, { renderSiteUpload, nextSiteStep }] = await Promise.all([import('./deposit/run.js'), import('./deposit/render.js')]);
        return {
          run: (ports, input) => runSiteUpload(names, ports, input),
          render: (io, r) => renderSiteUpload(io, r as Parameters<typeof renderSiteUpload>[1]),
          next: (r) => nextSiteStep(r as Parameters<typeof nextSiteStep>[0]),
        };
      },
    },
    publish: {
      idHelp: `a record id on ${id} (or its address)`,
      options: SITE_PUBLISH_OPTIONS,
      links: true,
      checkId: (value) => parseRecordId(value, 'rdp publish', id),
      readOptions: readSitePublishOptions,
      help: sitePublishHelp(id),
      examples: [`rdp publish 4d0ns-ntd89 --on ${id} --orcid-work --zotero   # publish the draft on ${id}, then link it`],
      load: async () => ({ plan: (await import('./publish.js')).sitePublishPlan(names) }),
    },
    list: {
      columns: `Columns for ${id}: ID, TITLE, STATUS (draft, published, new version draft), FILES, SIZE, DOI, UPDATED.`,
      load: async () => (await import('./list.js')).siteLister(names) as Lister,
    },
  };
}
