// Registering an OAuth client with a service, step by step (issue 10, item 10). What each service's
// registration form asks and what to enter so that rdp's login works against the real service:
// - Zenodo (invenio-oauth2server's client form): Name, Description, Website URL (required, a URL with
//   a domain), Redirect URIs (one per line; http only for localhost/127.0.0.1; matched exactly, port
//   included), Client type (Confidential or Public; public clients cannot renew their token).
// - DMPTool (Profile > Developer Tools, /users/developer_tools): Contact Name, Contact Email,
//   Application Name, Homepage, Description, Redirect URI(s) (https only on dmptool.org, or the
//   out-of-band URI); self-registered clients get the scopes public and read_dmps.
// - ORCID (Developer Tools, public API): name, website, description, redirect URIs; a bare
//   http://127.0.0.1 lets any port and path on it match.
// - Zotero (/oauth/apps): an application name and a callback URL; rdp sends its own callback address
//   with every login.
// On a terminal rdp offers to walk through it: open the page, show the values, read the client id and
// the secret (hidden), store them (the secret in the keychain, or the plaintext file with
// --insecure-storage) and go on with the login. Without a terminal, the error says the same in one
// paragraph.
import { hostname } from 'node:os';
import type { Context } from '../context.js';
import { CancelledError, UsageError } from '../errors/errors.js';
import { promptHidden, promptLine } from '../output/prompt.js';
import type { Endpoints } from '../providers/registry.js';
import type { Storage } from '../store/types.js';
import { openBrowser } from './browser.js';
import { clientEnv, type OAuthClientCreds, type OAuthProviderId } from './client.js';
import { matchingNote, type Redirect, redirectToRegister } from './redirect.js';

export interface RegistrationGuide {
  provider: OAuthProviderId;
  /** Where to register. */
  page: string;
  /** What to enter, field by field: [label, value]. */
  fields: [string, string][];
  /** The redirect URI to register (also among the fields). */
  redirectUri: string;
  /** What the service calls the two values it then shows. */
  idLabel: string;
  secretLabel: string;
  /** Zenodo's public clients have no secret; the others need one. */
  secret: 'required' | 'optional';
  /** A sentence about scopes. */
  scopes: string;
}

export function registrationGuide(provider: OAuthProviderId, ep: Endpoints, redirect: Redirect, opts: { clientCredentials?: boolean | undefined } = {}): RegistrationGuide {
  const name = `rdp on ${hostname()}`;
  const uri = redirectToRegister(provider, redirect);
  const note = matchingNote(provider, redirect);
  switch (provider) {
    case 'zenodo':
      return {
        provider,
        page: `${ep.web}/account/settings/applications/clients/new/`,
        fields: [
          ['Name', name],
          ['Description', 'anything (optional)'],
          ['Website URL', 'any https:// address with a domain name (required), e.g. your institution\'s page'],
          ['Redirect URIs', `${uri}   (exactly this: ${note})`],
          ['Client type', 'Confidential (a public client cannot renew its 60-day token)'],
        ],
        redirectUri: uri,
        idLabel: 'Client ID',
        secretLabel: 'Client Secret',
        secret: 'optional',
        scopes: 'Scopes are not chosen when registering; rdp asks for deposit:write and deposit:actions when you log in.',
      };
    case 'dmptool':
      return {
        provider,
        page: `${ep.web}/users/developer_tools`,
        fields: [
          ['Contact Name / Contact Email', 'yours'],
          ['Application Name', name],
          ['Homepage', 'any https:// address'],
          ['Description', 'anything'],
          ...(opts.clientCredentials ? [] : ([['Redirect URI(s)', `${uri}   (${note})`]] as [string, string][])),
        ],
        redirectUri: uri,
        idLabel: 'Client ID',
        secretLabel: 'Client Secret',
        secret: 'required',
        scopes: 'DMPTool gives self-registered clients the scopes public and read_dmps, which rdp asks for.',
      };
    case 'orcid':
      return {
        provider,
        page: `${ep.web}/developer-tools`,
        fields: [
          ['Name of your application', name],
          ['Your website URL', 'any https:// address'],
          ['Description', 'anything'],
          ...(opts.clientCredentials ? [] : ([['Redirect URIs', `${uri}   (${note})`]] as [string, string][])),
        ],
        redirectUri: uri,
        idLabel: 'Client ID (APP-…)',
        secretLabel: 'Client secret',
        secret: 'required',
        scopes: 'A public API client is enough: rdp asks for /authenticate (or openid), and /read-public with --client-credentials.',
      };
    case 'zotero':
      return {
        provider,
        page: `${ep.web}/oauth/apps`,
        fields: [
          ['Application Name', name],
          ['Callback URL', `${uri}   (${note})`],
        ],
        redirectUri: uri,
        idLabel: 'Client Key',
        secretLabel: 'Client Secret',
        secret: 'required',
        scopes: 'Access is chosen on the new-key form when you log in (rdp asks for library and write access).',
      };
  }
}

function configureWays(provider: OAuthProviderId): string {
  return (
    `set ${clientEnv(provider, 'ID')} and ${clientEnv(provider, 'SECRET')}, or run \`rdp config set ${provider}.client_id <id>\` and ` +
    `\`printf %s "$SECRET" | rdp config set ${provider}.client_secret\``
  );
}

/** The whole registration in one paragraph (the error without a terminal). */
export function guideParagraph(g: RegistrationGuide, command: string): string {
  const fields = g.fields.map(([k, v]) => `${k}: ${v.replace(/\s{3}\(/, ' (')}`).join('; ');
  const token = g.provider === 'zotero' ? 'an API key' : 'a token';
  return `Register one at ${g.page} with ${fields}. ${g.scopes} Then ${configureWays(g.provider)}, and run \`${command}\` again. Or log in with ${token}: \`rdp login ${g.provider} --with-token\`.`;
}

/**
 * On a terminal: offer to register a client now, show the values, read them back and store them.
 * Returns the client, or undefined when the user declines (the caller then reports the error).
 */
export async function guidedRegistration(
  ctx: Context,
  g: RegistrationGuide,
  ep: Endpoints,
  opts: { noBrowser: boolean; storage: Storage; command: string },
): Promise<OAuthClientCreds | undefined> {
  const { io } = ctx;
  io.notice(`No OAuth client for ${ep.name} is configured yet. rdp can walk you through registering one (about a minute).`);
  const answer = (await promptLine(io, 'Register one now? [Y/n] ', '')).toLowerCase();
  if (answer && !/^y(es)?$/.test(answer)) return undefined;

  io.notice('');
  io.notice(`1. Open ${g.page} (log in to ${ep.name} if asked).`);
  io.notice('2. Fill in:');
  for (const [label, value] of g.fields) io.notice(`     ${label}: ${value}`);
  io.notice(`   ${g.scopes}`);
  io.notice(`3. Save it; ${ep.name} then shows the ${g.idLabel} and the ${g.secretLabel}. Copy them here.`);
  if (!opts.noBrowser) {
    const opened = await openBrowser(g.page, { env: ctx.env, interactive: io.stderrIsTTY });
    if (opened.opened) io.info(`Opened the registration page ${opened.how}.`);
  }
  io.notice('');
  const clientId = (await promptLine(io, `${g.idLabel}: `, '')).trim();
  if (!clientId) throw new CancelledError('No client id was given; nothing was stored.');
  if (/[\s\u0000-\u001f]/.test(clientId)) throw new UsageError(`That ${g.idLabel} contains spaces or control characters.`, { hint: `Run \`${opts.command}\` again and paste only the id.` });
  const secret = (
    await promptHidden(io, `${g.secretLabel} (input hidden${g.secret === 'optional' ? '; press Enter if you chose a public client' : ''}):`, '')
  ).trim();
  io.secret(secret);
  if (!secret && g.secret === 'required') throw new CancelledError(`No ${g.secretLabel} was given; nothing was stored.`);

  const { configSet } = await import('../workflows/config.js');
  await configSet(ctx, `${g.provider}.client_id`, clientId, {});
  let secretWhere = '';
  if (secret) {
    const entry = await configSet(ctx, `${g.provider}.client_secret`, secret, { insecureStorage: opts.storage === 'file', quiet: true });
    secretWhere = entry.storage === 'keychain' ? ' (the secret in the keychain)' : ' (the secret in the config file: --insecure-storage)';
  }
  io.success(`Saved the ${ep.name} OAuth client as ${g.provider}.client_id${secretWhere}. Going on with the login.`);
  return {
    clientId,
    clientSecret: secret || undefined,
    idSource: `config ${g.provider}.client_id`,
    secretSource: secret ? `config ${g.provider}.client_secret` : undefined,
  };
}
