// Zotero (providers.md sections 0.5 and 5): API keys (or an OAuth 1.0a login that makes one); a
// published record as a library item.
import { sameBase } from '../endpoints.js';
import type { Provider } from '../types.js';
import { classify, envUser, errorBody, oauth, verify, ZOTERO_HEADERS } from './auth.js';

export const zotero: Provider = {
  id: 'zotero',
  name: 'Zotero',
  endpoints: {
    production: { web: 'https://www.zotero.org', api: 'https://api.zotero.org', accountHost: 'api.zotero.org' },
    fromOverride: sameBase,
  },
  env: { token: 'RDP_ZOTERO_KEY', url: 'RDP_ZOTERO_URL', user: { name: 'RDP_ZOTERO_USER_ID', read: envUser } },
  errorBody,
  auth: {
    header: (token) => ({ 'zotero-api-key': token, ...ZOTERO_HEADERS }),
    classify,
    malformed: (token) => (/^[A-Za-z0-9]+$/.test(token) ? undefined : 'a Zotero API key has only letters and digits'),
    tokenHelp: 'create an API key at <web>/settings/keys/new',
    verify,
    oauth,
  },
  library: { load: () => import('./library.js') },
};
