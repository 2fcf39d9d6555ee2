// How ORCID authenticates (providers.md 0.3, 4.2-4.5): Bearer tokens; 401 for a bad one; error bodies
// as OAuth's or ORCID's own (`user-message`, `developer-message`); a token does not say whose it is
// unless ORCID's userinfo answers, so `--orcid` (or RDP_ORCID_ID) names the iD; its public API client
// registration (Developer Tools), where a bare http://127.0.0.1 lets any port and path match; no PKCE.
import { clientName } from '../endpoints.js';
import type { Redirect } from '../../auth/redirect.js';
import { AuthDeniedError, AuthRequiredError, UsageError } from '../../errors/errors.js';
import { isObject, oauthErrorBody, type ParsedError, text } from '../../http/errors.js';
import type { AccountUser, AuthClassifier, Endpoints, Identity, OAuthLogin, ProviderPorts } from '../types.js';
import { parseOrcid } from '../../util/orcid-id.js';

export const ORCID_CLIENT_SCOPE = '/read-public';

export const classify: AuthClassifier = (status, parsed) => (status === 401 ? { kind: 'invalid', detail: parsed.message } : undefined);

export function errorBody(body: unknown): ParsedError | undefined {
  if (!isObject(body)) return undefined;
  const o = oauthErrorBody(body);
  if (o) return o;
  const m = text(body['user-message']) ?? text(body['developer-message']) ?? text(body.userMessage) ?? text(body.developerMessage) ?? text(body.message);
  return m ? { message: m } : undefined;
}

function joinName(a?: string, b?: string): string | undefined {
  const s = [a, b].filter(Boolean).join(' ');
  return s || undefined;
}

export async function verify(ports: ProviderPorts, ep: Endpoints, token: string, hint: { owner?: string | undefined }): Promise<Identity> {
  const { OrcidClient, personName } = await import('./client.js');
  const client = new OrcidClient(await ports.verifyHttp(token), ep.web);
  if (hint.owner) {
    const person = await client.person(hint.owner);
    return { user: { orcid: hint.owner, name: personName(person) }, grant: 'token' };
  }
  const info = await client.userinfo().catch((err: unknown) => {
    if (err instanceof AuthDeniedError && err.code === 'AUTH_INVALID') throw err;
    throw new UsageError('ORCID did not say which iD this token belongs to.', {
      hint: 'Pass it: `rdp login orcid --with-token --orcid 0000-0002-1825-0097`.',
      cause: err,
    });
  });
  const parsed = info.sub ? parseOrcid(info.sub) : undefined;
  if (!parsed?.ok) {
    throw new UsageError('ORCID did not return a valid iD for this token.', {
      hint: 'Pass it: `rdp login orcid --with-token --orcid 0000-0002-1825-0097`.',
    });
  }
  return { user: { orcid: parsed.id, name: info.name ?? joinName(info.given_name, info.family_name) }, grant: 'token' };
}

/** An --orcid value (ISO 7064 check character). */
export function parseOwner(value: string): string {
  const parsed = parseOrcid(value);
  if (!parsed.ok) throw new UsageError(`"${value}" is not a valid ORCID iD: ${parsed.reason}.`);
  return parsed.id;
}

/** RDP_ORCID_ID: the iD a token from the environment belongs to. */
export function envUser(value: string): AccountUser {
  const parsed = parseOrcid(value);
  if (!parsed.ok) {
    throw new AuthRequiredError(`RDP_ORCID_ID is not a valid ORCID iD: ${parsed.reason}.`, { hint: 'Set RDP_ORCID_ID to the iD the token belongs to.' });
  }
  return { orcid: parsed.id };
}

const matchingNote = (r: Redirect) =>
  r.kind === 'loopback' && r.port === 0 ? 'ORCID lets any port and path on a registered host match' : 'ORCID matches the registered host, port and path';

function redirectToRegister(r: Redirect): string {
  if (r.kind !== 'loopback') return r.uri;
  // ORCID lets any port and path on a registered bare host match.
  if (r.port === 0) return 'http://127.0.0.1';
  return `http://127.0.0.1:${r.port}${r.path}`;
}

export const oauth: OAuthLogin = {
  protocol: 'oauth2',
  defaultRedirect: { kind: 'loopback', port: 0, path: '/callback' },
  config: { redirectUri: true, port: true },
  clientSecret: 'required',
  clientCredentials: {
    scopes: [ORCID_CLIENT_SCOPE],
    replaces: 'ORCID no longer knows who you are (no iD), so it is not added as a Zenodo creator.',
  },
  renewable: true,
  matchingNote,
  redirectToRegister,
  mismatchHint: (r, uri) =>
    r.kind === 'loopback' ? `If ORCID said the redirect URI does not match, register ${uri} with your OAuth client (${matchingNote(r)}), or use the port you registered with --port.` : undefined,
  registration(ep, redirect, opts) {
    const uri = redirectToRegister(redirect);
    return {
      page: `${ep.web}/developer-tools`,
      fields: [
        ['Name of your application', clientName()],
        ['Your website URL', 'any https:// address'],
        ['Description', 'anything'],
        ...(opts.clientCredentials ? [] : ([['Redirect URIs', `${uri}   (${matchingNote(redirect)})`]] as [string, string][])),
      ],
      redirectUri: uri,
      idLabel: 'Client ID (APP-…)',
      secretLabel: 'Client secret',
      secret: 'required',
      scopes: 'A public API client is enough: rdp asks for /authenticate (or openid), and /read-public with --client-credentials.',
    };
  },
  login: async (ports, p, ep, client, s) => (await import('./login.js')).orcidLogin(ports, p, ep, client, s),
};
