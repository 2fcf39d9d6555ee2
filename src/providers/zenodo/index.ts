// Zenodo (providers.md sections 0.1 and 1): personal tokens or a browser login, the legacy deposit API
// for uploads (drafts, the bucket API, publish, new versions), its depositions listed.
import { bearer, strip } from '../endpoints.js';
import type { Lister, Provider } from '../types.js';
import { classify, errorBody, oauth, verify } from './auth.js';
import { parseDepositionId, readZenodoOptions, ZENODO_EXAMPLES, ZENODO_HELP, ZENODO_OPTIONS, ZENODO_PUBLISH_EXAMPLES, ZENODO_PUBLISH_HELP, ZENODO_PUBLISH_OPTIONS } from './deposit/options.js';

export const zenodo: Provider = {
  id: 'zenodo',
  name: 'Zenodo',
  endpoints: {
    production: { web: 'https://zenodo.org', api: 'https://zenodo.org/api', accountHost: 'zenodo.org' },
    sandbox: { web: 'https://sandbox.zenodo.org', api: 'https://sandbox.zenodo.org/api', accountHost: 'sandbox.zenodo.org' },
    fromOverride(base) {
      // People copy the REST base (".../api") from Zenodo's docs; the base is the web host.
      const web = strip(base).replace(/\/api$/, '');
      return { web, api: `${web}/api` };
    },
  },
  env: { token: 'RDP_ZENODO_TOKEN', url: 'RDP_ZENODO_URL' },
  errorBody,
  auth: {
    header: bearer,
    classify,
    needs: 'deposit:write and deposit:actions',
    tokenHelp: 'create a personal access token at <web>/account/settings/applications/tokens/new/',
    verify,
    oauth,
  },
  deposit: {
    options: ZENODO_OPTIONS,
    resumeOption: 'deposition',
    readOptions: readZenodoOptions,
    help: ZENODO_HELP,
    examples: ZENODO_EXAMPLES,
    load: async () => {
      const [{ runZenodoUpload }, { renderUpload, nextStep }] = await Promise.all([import('./deposit/run.js'), import('./deposit/render.js')]);
      return { run: runZenodoUpload, render: (io, r) => renderUpload(io, r as Parameters<typeof renderUpload>[1]), next: (r) => nextStep(r as Parameters<typeof nextStep>[0]) };
    },
  },
  publish: {
    idHelp: 'a Zenodo deposition id (or its URL)',
    options: ZENODO_PUBLISH_OPTIONS,
    links: true,
    checkId: (id) => String(parseDepositionId(id, 'rdp publish')),
    readOptions: (o) => ({ writeDoi: Boolean(o.writeDoi) }),
    help: ZENODO_PUBLISH_HELP,
    examples: ZENODO_PUBLISH_EXAMPLES,
    load: () => import('./publish.js'),
  },
  list: {
    columns: 'Columns for Zenodo: ID, TITLE, STATE (draft, published, editing), FILES, SIZE, DOI, MODIFIED.',
    load: async () => (await import('./list.js')).lister as Lister,
  },
};
