// ORCID (providers.md sections 0.3 and 4): tokens (with the iD they belong to), a browser login
// (OpenID's id_token verified), client credentials for /read-public; a researcher's identity as a
// deposit's creator.
import { bearer, sameBase } from '../endpoints.js';
import type { Provider } from '../types.js';
import { classify, envUser, errorBody, oauth, parseOwner, verify } from './auth.js';

export const orcid: Provider = {
  id: 'orcid',
  name: 'ORCID',
  endpoints: {
    production: { web: 'https://orcid.org', api: 'https://pub.orcid.org', accountHost: 'orcid.org' },
    sandbox: { web: 'https://sandbox.orcid.org', api: 'https://pub.sandbox.orcid.org', accountHost: 'sandbox.orcid.org' },
    fromOverride: sameBase,
  },
  env: { token: 'RDP_ORCID_TOKEN', url: 'RDP_ORCID_URL', user: { name: 'RDP_ORCID_ID', read: envUser } },
  errorBody,
  auth: {
    header: bearer,
    classify,
    tokenHelp: 'run `rdp login orcid`, or register a public API client under Developer Tools on orcid.org',
    verify,
    owner: { describe: 'ORCID iD', parse: parseOwner },
    oauth,
  },
  works: { load: () => import('./works.js') },
};
