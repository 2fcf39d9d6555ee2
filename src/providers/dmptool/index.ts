// DMPTool (providers.md sections 0.2 and 3): API tokens, a browser login or client credentials; its
// plans (as JSON and PDF) and templates for `rdp dmps`, and a deposit's DMP link.
import { bearer, sameBase } from '../endpoints.js';
import type { Provider } from '../types.js';
import { classify, errorBody, oauth, verify } from './auth.js';

export const dmptool: Provider = {
  id: 'dmptool',
  name: 'DMPTool',
  endpoints: {
    production: { web: 'https://dmptool.org', api: 'https://dmptool.org', accountHost: 'dmptool.org' },
    fromOverride: sameBase,
  },
  env: { token: 'RDP_DMPTOOL_TOKEN', url: 'RDP_DMPTOOL_URL' },
  errorBody,
  auth: {
    header: bearer,
    classify,
    tokenHelp: 'get API credentials from the "Developer Tools" tab of your DMPTool profile',
    verify,
    oauth,
  },
  dmp: { load: () => import('./dmp.js') },
};
