// How Zotero authenticates (providers.md 0.5, 5.1, 5.2): API keys in `Zotero-API-Key`, letters and
// digits only; refusals as plain-text bodies (HTML-escaped): 403 "Invalid key", 404 "Key … not found",
// 403 for a key without write access; its OAuth 1.0a login, which always comes back to rdp's listener
// (rdp sends its own callback address with each login), and the application registration behind it.
import { hostname } from 'node:os';
import { clientName } from '../endpoints.js';
import type { BrowserLoginSettings } from '../../auth/ports.js';
import { UsageError } from '../../errors/errors.js';
import type { Redirect } from '../../auth/redirect.js';
import { isObject, looksLikeHtml, oauthErrorBody, type ParsedError, unescapeHtml } from '../../http/errors.js';
import type { AccountUser, AuthClassifier, Endpoints, Identity, OAuthLogin, ProviderPorts } from '../types.js';

export const ZOTERO_HEADERS = { 'zotero-api-version': '3' };

export const classify: AuthClassifier = (status, parsed) => {
  const m = parsed.message;
  if (status === 403 && /invalid key/i.test(m)) return { kind: 'invalid', detail: m };
  if (status === 404 && /key .* not found/i.test(m)) return { kind: 'invalid', detail: 'Key not found' };
  if (status === 400 && /authorization header/i.test(m)) return { kind: 'invalid', detail: m };
  if (status === 403 && /write access|forbidden/i.test(m)) return { kind: 'scope', detail: m };
  return undefined;
};

/** Zotero's error bodies are plain text (HTML-escaped); its OAuth endpoints may answer OAuth's JSON. */
export function errorBody(body: unknown, text: string): ParsedError | undefined {
  if (body === undefined && text.trim() && !looksLikeHtml(text)) return { message: unescapeHtml(text.trim()) };
  return isObject(body) ? oauthErrorBody(body) : undefined;
}

export async function verify(ports: ProviderPorts, _ep: Endpoints, token: string): Promise<Identity> {
  const { ZoteroClient, zoteroScopes } = await import('./client.js');
  const key = await new ZoteroClient(await ports.verifyHttp(token)).currentKey();
  return {
    user: { id: String(key.userID), username: key.username, name: key.displayName },
    scopes: zoteroScopes(key),
    expiresAt: null, // keys never expire unless revoked
    grant: 'token',
  };
}

/** RDP_ZOTERO_USER_ID: the user a key from the environment belongs to. */
export const envUser = (value: string): AccountUser => ({ id: value });

export const ZOTERO_SCOPE_WORDS = ['library', 'notes', 'write', 'groups:read', 'groups:write'];

/** The authorize form's pre-fill (providers.md 5.1) from the flags. */
export function zoteroAuthorizeParams(s: Pick<BrowserLoginSettings, 'scopes' | 'keyName' | 'readOnly'>): Record<string, string> {
  for (const w of s.scopes) {
    if (!ZOTERO_SCOPE_WORDS.includes(w)) {
      throw new UsageError(`Unknown Zotero scope "${w}".`, { hint: `Zotero's are: ${ZOTERO_SCOPE_WORDS.join(', ')} (library and write are asked for by default; --read-only drops write).` });
    }
  }
  if (s.readOnly && s.scopes.includes('write')) throw new UsageError('Use either --read-only or --scope write, not both.');
  const groups = s.scopes.includes('groups:write') ? 'write' : s.scopes.includes('groups:read') ? 'read' : 'none';
  return {
    name: s.keyName?.trim() || `rdp on ${hostname()}`,
    library_access: '1',
    notes_access: s.scopes.includes('notes') ? '1' : '0',
    write_access: s.readOnly ? '0' : '1',
    all_groups: groups,
  };
}

const matchingNote = () => 'rdp sends its own callback address with each login';

function redirectToRegister(r: Redirect): string {
  if (r.kind !== 'loopback') return r.uri;
  return `http://127.0.0.1${r.port === 0 ? '' : `:${r.port}`}${r.path}`;
}

export const oauth: OAuthLogin = {
  protocol: 'oauth1',
  defaultRedirect: { kind: 'loopback', port: 0, path: '/callback' },
  config: { redirectUri: false, port: true },
  clientSecret: 'required',
  keyOptions: true,
  renewable: false,
  checkSettings: (s) => void zoteroAuthorizeParams(s),
  authorizeParams: zoteroAuthorizeParams,
  matchingNote,
  redirectToRegister,
  registration(ep, redirect) {
    const uri = redirectToRegister(redirect);
    return {
      page: `${ep.web}/oauth/apps`,
      fields: [
        ['Application Name', clientName()],
        ['Callback URL', `${uri}   (${matchingNote()})`],
      ],
      redirectUri: uri,
      idLabel: 'Client Key',
      secretLabel: 'Client Secret',
      secret: 'required',
      scopes: 'Access is chosen on the new-key form when you log in (rdp asks for library and write access).',
      tokenWord: 'an API key',
    };
  },
  login: async (ports, p, ep, client, s) => (await import('./login.js')).zoteroLogin(ports, p, ep, client, s),
};
