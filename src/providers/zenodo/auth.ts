// How Zenodo authenticates (providers.md 0.1, 1.2, 1.3): Bearer tokens; a refusal is always 403 (never
// 401: an invalid, expired or revoked token is ignored and the request runs anonymously, which is 403;
// so is a missing scope, and Zenodo does not say which); its error bodies (`{status, message, errors}`,
// or OAuth's `{error, error_description}`); its OAuth client registration (invenio-oauth2server's form),
// and how it matches redirect URIs: exactly, port included.
import { clientName, LOOPBACK_HOST } from '../endpoints.js';
import type { Redirect } from '../../auth/redirect.js';
import { isObject, oauthErrorBody, text } from '../../http/errors.js';
import type { AuthClassifier, Endpoints, Identity, OAuthLogin, ProviderPorts } from '../types.js';

/**
 * Zenodo's default loopback port. Zenodo compares redirect URIs by string equality, so a login can
 * only come back to a port registered with the OAuth client: this one, documented in the README
 * (an unassigned port in IANA's registry, below the Linux ephemeral range).
 */
export const ZENODO_DEFAULT_PORT = 21930;

export const classify: AuthClassifier = (status, parsed) => {
  if (status === 401) return { kind: 'invalid', detail: parsed.message };
  if (status === 403) return { kind: 'refused', detail: parsed.message };
  return undefined;
};

/**
 * Zenodo validates a deposition as an InvenioRDM record, and its errors name InvenioRDM's fields (the
 * legacy layer does not translate them back): the deposition field each one comes from.
 */
const LEGACY_NAME: Record<string, string> = {
  'metadata.resource_type': 'upload_type, with publication_type or image_type',
  'metadata.rights': 'license',
  'metadata.subjects': 'keywords',
  'metadata.languages': 'language',
  'metadata.additional_descriptions': 'notes',
  'access.embargo.until': 'embargo_date',
  'files.enabled': 'no file uploaded',
};

export function errorBody(body: unknown) {
  if (!isObject(body)) return undefined;
  const o = oauthErrorBody(body);
  if (o) return o;
  const message = text(body.message);
  const fieldErrors: { field: string; message: string }[] = [];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      if (!isObject(e)) continue;
      const field = text(e.field) ?? '';
      const msgs = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : [];
      const m = text(e.message) ?? msgs[0];
      if (m) fieldErrors.push({ field, message: m });
    }
  }
  if (!message && fieldErrors.length === 0) return undefined;
  const detail = fieldErrors.map((e) => (e.field ? `${e.field}${LEGACY_NAME[e.field] ? ` (${LEGACY_NAME[e.field]})` : ''}: ${e.message}` : e.message)).join('; ');
  return { message: [message, detail].filter(Boolean).join(' — '), fieldErrors: fieldErrors.length ? fieldErrors : undefined };
}

export async function verify(ports: ProviderPorts, _ep: Endpoints, token: string): Promise<Identity> {
  const { ZenodoClient } = await import('./client.js');
  const who = await new ZenodoClient(await ports.verifyHttp(token)).identify();
  // Personal access tokens never expire (providers.md 1.2).
  return { user: { id: who.ownerId }, expiresAt: null, grant: 'token' };
}

const matchingNote = () => 'Zenodo matches redirect URIs exactly, port included';

function redirectToRegister(r: Redirect): string {
  if (r.kind !== 'loopback') return r.uri;
  // Zenodo never matches a random port: register the default one (and log in without --port 0).
  const port = r.port === 0 ? ZENODO_DEFAULT_PORT : r.port;
  return `http://${LOOPBACK_HOST}:${port}${r.path}`;
}

export const oauth: OAuthLogin = {
  protocol: 'oauth2',
  defaultRedirect: { kind: 'loopback', port: ZENODO_DEFAULT_PORT, path: '/callback' },
  config: { redirectUri: true, port: true },
  codeLifetime: 'about 100 seconds',
  clientSecret: 'optional',
  notFoundIsInvalidClient: true,
  renewable: true,
  matchingNote,
  redirectToRegister,
  mismatchHint(r, uri) {
    if (r.kind === 'loopback' && r.port === 0) {
      return (
        `If Zenodo showed "mismatching_redirect_uri": Zenodo matches redirect URIs exactly, port included, so a login on a random port (--port 0) never matches there. ` +
        `Register http://127.0.0.1:${ZENODO_DEFAULT_PORT}/callback with your OAuth client and log in without --port (or register another fixed port and pass it with --port).`
      );
    }
    if (r.kind === 'loopback') {
      return (
        `If Zenodo showed "mismatching_redirect_uri", your OAuth client is not registered with exactly ${uri} ` +
        `(${matchingNote()}): add that URI to the client, or pass the port you registered with --port (\`rdp config set zenodo.port N\` keeps it).`
      );
    }
    return undefined;
  },
  registration(ep, redirect) {
    const uri = redirectToRegister(redirect);
    return {
      page: `${ep.web}/account/settings/applications/clients/new/`,
      fields: [
        ['Name', clientName()],
        ['Description', 'anything (optional)'],
        ['Website URL', "any https:// address with a domain name (required), e.g. your institution's page"],
        ['Redirect URIs', `${uri}   (exactly this: ${matchingNote()})`],
        ['Client type', 'Confidential (a public client cannot renew its 60-day token)'],
      ],
      redirectUri: uri,
      idLabel: 'Client ID',
      secretLabel: 'Client Secret',
      secret: 'optional',
      scopes: 'Scopes are not chosen when registering; rdp asks for deposit:write and deposit:actions when you log in.',
    };
  },
  login: async (ports, p, ep, client, s) => (await import('./login.js')).zenodoLogin(ports, p, ep, client, s),
};
