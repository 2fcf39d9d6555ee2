// NOMAD (providers.md section 2): app tokens (or a password exchanged for one), uploads streamed as
// one archive and processed, its uploads listed.
import { bearer, strip } from '../endpoints.js';
import type { Provider } from '../types.js';
import { classify, errorBody, password, verify } from './auth.js';
import {
  confirmNomadDoi,
  NOMAD_EXAMPLES,
  NOMAD_HELP,
  NOMAD_OPTIONS,
  NOMAD_PUBLISH_EXAMPLES,
  NOMAD_PUBLISH_HELP,
  NOMAD_PUBLISH_OPTIONS,
  type NomadPublishOptions,
  readNomadOptions,
  readNomadPublishOptions,
} from './deposit/options.js';

export const nomad: Provider = {
  id: 'nomad',
  name: 'NOMAD',
  endpoints: {
    production: { web: 'https://nomad-lab.eu/prod/v1/gui', api: 'https://nomad-lab.eu/prod/v1/api/v1', accountHost: 'nomad-lab.eu' },
    // The test instance shares its host with production; its account carries the path so that the
    // two tokens never overwrite each other.
    sandbox: { web: 'https://nomad-lab.eu/prod/v1/test/gui', api: 'https://nomad-lab.eu/prod/v1/test/api/v1', accountHost: 'nomad-lab.eu/prod/v1/test' },
    fromOverride(base) {
      // For NOMAD the base is the API root (it ends in /api/v1).
      const api = strip(base);
      return { web: api.replace(/\/api\/v1$/, '/gui'), api };
    },
  },
  env: { token: 'RDP_NOMAD_TOKEN', url: 'RDP_NOMAD_URL' },
  errorBody,
  auth: {
    header: bearer,
    classify,
    tokenHelp: 'run `rdp login nomad` with your username and password, or create an app token in the NOMAD web UI',
    verify,
    password,
  },
  deposit: {
    options: NOMAD_OPTIONS,
    readOptions: readNomadOptions,
    help: NOMAD_HELP,
    examples: NOMAD_EXAMPLES,
    load: async () => {
      const { runNomadUpload, renderNomadUpload } = await import('./deposit/run.js');
      return { run: runNomadUpload, render: (_io, r) => renderNomadUpload(r as Parameters<typeof renderNomadUpload>[0]) };
    },
  },
  publish: {
    idHelp: 'a NOMAD upload id',
    // 22 base64url characters (16 random bytes); one in 64 begins with '-'.
    idShape: /^[A-Za-z0-9_-]{22}$/,
    options: NOMAD_PUBLISH_OPTIONS,
    links: false,
    readOptions: readNomadPublishOptions,
    asks: (read) => (read as NomadPublishOptions).dataset !== undefined,
    confirm: confirmNomadDoi,
    help: NOMAD_PUBLISH_HELP,
    examples: NOMAD_PUBLISH_EXAMPLES,
    load: () => import('./publish.js'),
  },
  list: {
    columns: 'Columns for NOMAD: UPLOAD_ID, NAME, STATUS (processing), ENTRIES, PUBLISHED (date, embargo).',
    load: async () => (await import('./list.js')).lister as import('../types.js').Lister,
  },
};
