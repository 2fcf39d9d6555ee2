// How DMPTool authenticates (providers.md 0.2, 3.2, 3.5; Doorkeeper): Bearer tokens; 401 for a bad
// token; a valid token without the scope gets 403 with an empty body (the scope named, in some
// versions, in WWW-Authenticate); error bodies in its v2 envelope (`errors`, `message`) or OAuth's;
// its OAuth client registration (Developer Tools), out-of-band logins (dmptool.org refuses http://
// redirect URIs) and client credentials.
import { clientName } from '../endpoints.js';
import type { Redirect } from '../../auth/redirect.js';
import { isObject, oauthErrorBody, type ParsedError, type ResponseHeadersLike, text } from '../../http/errors.js';
import type { AuthClassifier, Endpoints, Identity, OAuthLogin, ProviderPorts } from '../types.js';

/** What `--client-credentials` asks for: templates need public; plans and their PDFs read_dmps. */
const DMPTOOL_CLIENT_SCOPES = ['public', 'read_dmps'];
export const OOB_URI = 'urn:ietf:wg:oauth:2.0:oob';

export const classify: AuthClassifier = (status, parsed, headers) => {
  if (status === 401) return { kind: 'invalid', detail: parsed.message };
  if (status === 403) {
    // Doorkeeper: a valid token without the scope gets 403 with an empty body (and, in the
    // versions that send it, `WWW-Authenticate: Bearer …, error="insufficient_scope"`). A 403 with
    // an envelope is a policy refusal ("The client is not authorized…"), not a scope problem.
    const raw = headers['www-authenticate'];
    const www = (Array.isArray(raw) ? raw[0] : raw) ?? '';
    const scopeError = /insufficient_scope|invalid_scope/.test(www) || parsed.oauthError === 'insufficient_scope';
    if (!scopeError && parsed.message && !/^HTTP 403$/.test(parsed.message)) return undefined;
    return { kind: 'scope', detail: parsed.message.replace(/^HTTP 403$/, 'insufficient_scope'), scopes: scopesNamedIn(www) };
  }
  return undefined;
};

/** Scopes a Doorkeeper error description names: `requires scope "read_dmps"`, `Required scopes: a b`. */
function scopesNamedIn(www: string): string[] | undefined {
  const desc = /error_description="([^"]*)"/.exec(www)?.[1] ?? '';
  const m = /requires? scopes?[:\s]+(?:&quot;|")?([a-z_ ]+)/i.exec(desc) ?? /required scopes?:\s*([a-z_ ]+)/i.exec(desc);
  const list = m?.[1]?.trim().split(/\s+/).filter(Boolean);
  return list?.length ? list : undefined;
}

export function errorBody(body: unknown, _text: string, headers: ResponseHeadersLike): ParsedError | undefined {
  if (isObject(body)) {
    const o = oauthErrorBody(body);
    if (o) return o;
    if (Array.isArray(body.errors)) {
      const flat = (body.errors as unknown[]).flat(2).filter((m): m is string => typeof m === 'string');
      if (flat.length) return { message: flat.join('; ') };
    }
    const m = text(body.message);
    if (m) return { message: m };
  }
  // Doorkeeper's 403 for a missing scope has an empty body and says why in WWW-Authenticate.
  const www = headers['www-authenticate'];
  const w = Array.isArray(www) ? www.join(', ') : www;
  if (w) {
    const err = /error="([^"]*)"/.exec(w)?.[1];
    const desc = /error_description="([^"]*)"/.exec(w)?.[1];
    if (err || desc) return { message: [err, desc].filter(Boolean).join(': '), oauthError: err };
  }
  return undefined;
}

export async function verify(ports: ProviderPorts, _ep: Endpoints, token: string): Promise<Identity> {
  const { DmptoolClient } = await import('./client.js');
  const who = await new DmptoolClient(await ports.verifyHttp(token)).identify();
  return { user: { name: who.caller }, grant: 'token' };
}

const matchingNote = (r: Redirect) =>
  r.kind === 'oob' ? 'dmptool.org accepts only https:// redirect URIs and this out-of-band one' : 'DMPTool matches the redirect URI exactly (dmptool.org refuses http:// ones)';

function redirectToRegister(r: Redirect): string {
  if (r.kind !== 'loopback') return r.uri;
  return `http://127.0.0.1${r.port === 0 ? '' : `:${r.port}`}${r.path}`;
}

export const oauth: OAuthLogin = {
  protocol: 'oauth2',
  defaultRedirect: { kind: 'oob', uri: OOB_URI },
  // Out-of-band unless a redirect URI says otherwise: a port alone means nothing there.
  config: { redirectUri: true, port: false },
  portRefused: {
    message: 'DMPTool logs in out-of-band (it shows a code to paste), so --port does not apply.',
    hint: 'dmptool.org accepts no http:// redirect URIs. On a DMPTool that does, ask for the listener with --redirect-uri http://127.0.0.1:<port>/callback.',
  },
  codeLifetime: '10 minutes',
  clientSecret: 'required',
  // Doorkeeper's enforce_configured_scopes: a client gets only the scopes of its own record (providers.md 0.2).
  scopeRefusedHint:
    'DMPTool gives an API client only the scopes its record holds: public and read_dmps, unless a DMPTool administrator enabled edit_dmps (adding a DOI to a plan) or create_dmps for it. Ask them to enable it for your client, or leave out --scope.',
  clientCredentials: {
    scopes: DMPTOOL_CLIENT_SCOPES,
    replaces: 'DMPTool then answers as the client, so `rdp dmps list` shows what the client may see, not your plans.',
  },
  renewable: true,
  matchingNote,
  redirectToRegister,
  registration(ep, redirect, opts) {
    const uri = redirectToRegister(redirect);
    return {
      page: `${ep.web}/users/developer_tools`,
      fields: [
        ['Contact Name / Contact Email', 'yours'],
        ['Application Name', clientName()],
        ['Homepage', 'any https:// address'],
        ['Description', 'anything'],
        ...(opts.clientCredentials ? [] : ([['Redirect URI(s)', `${uri}   (${matchingNote(redirect)})`]] as [string, string][])),
      ],
      redirectUri: uri,
      idLabel: 'Client ID',
      secretLabel: 'Client Secret',
      secret: 'required',
      scopes: 'DMPTool gives self-registered clients the scopes public and read_dmps, which rdp asks for.',
    };
  },
  login: async (ports, p, ep, client, s) => (await import('./login.js')).dmptoolLogin(ports, p, ep, client, s),
};
