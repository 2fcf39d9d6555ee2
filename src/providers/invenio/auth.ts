// A site's browser login (SPEC.md "Sites"; providers.md 0.1): every InvenioRDM runs Invenio-OAuth2Server,
// the server Zenodo's login talks to: authorize at `<site>/oauth/authorize`, token at `<site>/oauth/token`,
// redirect URIs matched exactly (port included, so a fixed, registered loopback port), codes that live
// about 100 s, one token per client and user. Read in the server code (December 2026):
// - the only scope a generic InvenioRDM offers a client is invenio-oauth2server's `user:email` (its
//   `invenio_oauth2server.scopes` entry point); invenio-rdm-records adds `tokens:generate`, which is
//   internal (not offered). No scope guards the RDM records API: the REST app's before-request hook
//   (`verify_oauth_token_and_set_current_user`) checks a token with an empty scope list and acts as its
//   user. rdp asks for `user:email` (the token response then carries the user's email).
// - Neither invenio-app nor invenio-app-rdm sets a token lifetime: flask-oauthlib's default, 3600 s
//   (Zenodo sets 60 days). A confidential client's refresh token lets rdp renew it; a public client's
//   login lasts an hour.
// A site offers this login once an OAuth client is configured for it (RDP_<NAME>_CLIENT_ID, or
// `<name>.client_id`); without one, `rdp login <name>` asks for a personal token (`withoutClient`).
import type { Redirect } from '../../auth/redirect.js';
import { clientName, LOOPBACK_HOST } from '../endpoints.js';
import type { OAuthLogin } from '../types.js';

/**
 * The default loopback port of a site's browser login: the one to register (Invenio-OAuth2Server
 * matches redirect URIs exactly). The same as Zenodo's, so one number is all a person needs to know.
 */
export const SITE_DEFAULT_PORT = 21930;

/** The scopes a site's login asks for (the only one a generic InvenioRDM offers). */
export const SITE_SCOPES = ['user:email'];

export function siteOAuth(id: string): OAuthLogin {
  const matchingNote = () => `InvenioRDM matches redirect URIs exactly, port included`;
  const redirectToRegister = (r: Redirect): string => {
    if (r.kind !== 'loopback') return r.uri;
    const port = r.port === 0 ? SITE_DEFAULT_PORT : r.port;
    return `http://${LOOPBACK_HOST}:${port}${r.path}`;
  };
  return {
    protocol: 'oauth2',
    defaultRedirect: { kind: 'loopback', port: SITE_DEFAULT_PORT, path: '/callback' },
    config: { redirectUri: true, port: true },
    codeLifetime: 'about 100 seconds',
    clientSecret: 'optional',
    notFoundIsInvalidClient: true,
    renewable: true,
    withoutClient: 'token',
    matchingNote,
    redirectToRegister,
    mismatchHint(r, uri) {
      if (r.kind !== 'loopback') return undefined;
      const fixed = r.port === 0 ? `http://${LOOPBACK_HOST}:${SITE_DEFAULT_PORT}${r.path}` : uri;
      return (
        `If ${id} showed "mismatching_redirect_uri", your OAuth client is not registered with exactly ${fixed} (${matchingNote()}${r.port === 0 ? '; a random port from --port 0 never matches' : ''}): ` +
        `add that URI to the OAuth client on the site, or pass the port you registered with --port (\`rdp config set ${id}.port N\` keeps it).`
      );
    },
    registration(ep, redirect) {
      const uri = redirectToRegister(redirect);
      return {
        page: `${ep.web}/account/settings/applications/clients/new/`,
        fields: [
          ['Name', clientName()],
          ['Description', 'anything (optional)'],
          ['Website URL', "any https:// address with a domain name, e.g. your institution's page"],
          ['Redirect URIs', `${uri}   (exactly this: ${matchingNote()})`],
          ['Client type', 'Confidential (a public client cannot renew its token, which lasts an hour on most sites)'],
        ],
        redirectUri: uri,
        idLabel: 'Client ID',
        secretLabel: 'Client Secret',
        secret: 'optional',
        scopes: `Scopes are not chosen when registering; rdp asks for ${SITE_SCOPES.join(' ')} when you log in (the records API needs no scope).`,
        tokenWord: 'a personal token',
      };
    },
    // Invenio-OAuth2Server's login, as Zenodo's (src/auth/invenio-login.ts); the records API needs no scope.
    login: async (ports, p, ep, client, s) => (await import('../../auth/invenio-login.js')).invenioLogin(ports, p, ep, client, s, { scopes: SITE_SCOPES }),
  };
}
