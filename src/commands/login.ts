// `rdp login <provider>`: the flags, the rules of their combinations (which provider takes which, from
// the descriptors' capabilities), the plain request for the login workflow, and the rendering of its
// result.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { providers } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import type { LoginMethod } from '../workflows/login.js';
import { examples, onlyFor, providerArgument, run, sandboxOption } from './shared.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoginFlags {
  withToken?: boolean;
  username?: string;
  passwordStdin?: boolean;
  lifetime: string;
  orcid?: string;
  sandbox?: boolean;
  insecureStorage?: boolean;
  /** false with --no-browser. */
  browser?: boolean;
  port?: string;
  redirectUri?: string;
  timeout?: string;
  scope?: string[];
  clientCredentials?: boolean;
  clientId?: string;
  /** A value, or true: read it from stdin. */
  clientSecret?: string | boolean;
  keyName?: string;
  readOnly?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function loginCommand(ctx: Context): Command {
  return new Command('login')
    .description('Log in to a service (in the browser, or with a token) and keep the token in the OS keychain')
    .addArgument(providerArgument())
    .addOption(new Option('--no-browser', 'do not open a browser: print the address to open, then wait (on a terminal you can paste where the browser ended)'))
    .option('--port <n>', 'port of the 127.0.0.1 listener (default: config <service>.port; Zenodo and sites 21930, the one to register; else any free port; 0 = any)')
    .option('--redirect-uri <uri>', 'redirect URI registered with the service: http://127.0.0.1:<port>/callback, urn:ietf:wg:oauth:2.0:oob (paste the code) or https://… (paste the address); default: config <service>.redirect_uri')
    .option('--timeout <duration>', 'give up waiting for the browser after this long (default 5m)')
    .option('--scope <scope>', 'ask for this scope too (repeatable), e.g. user:email (Zenodo), create_dmps (DMPTool), openid (ORCID)', collect)
    .option('--client-credentials', 'DMPTool, ORCID: log in as your API client, no browser (DMPTool public, ORCID /read-public)')
    .option('--client-id <id>', 'OAuth client id (else RDP_<ID>_CLIENT_ID, else config <service>.client_id)')
    .option('--client-secret [secret]', 'OAuth client secret; without a value it is read from stdin (else RDP_<ID>_CLIENT_SECRET, else config)')
    .option('--key-name <name>', 'Zotero: the description of the new API key')
    .option('--read-only', 'Zotero: ask for a key without write access')
    .option('--with-token', 'read a token from stdin (never from arguments); checked with the service before it is stored')
    .option('--username <name>', 'NOMAD: your username, exchanged with your password for an app token')
    .option('--password-stdin', 'NOMAD: read the password from stdin instead of prompting')
    .option('--lifetime <duration>', 'NOMAD: lifetime of the app token (at most 30d)', '30d')
    .option('--orcid <iD>', 'ORCID: the iD the token belongs to (checked: ISO 7064 check character)')
    .addOption(sandboxOption())
    .option('--insecure-storage', 'keep the token in a plaintext 0600 file instead of the OS keychain')
    .addHelpText(
      'after',
      examples([
        'rdp login zenodo                                 # opens the browser; approve, done (listens on 127.0.0.1:21930)',
        'rdp login zenodo --scope user:email',
        'rdp login dmptool                                # approve, then paste the code DMPTool shows',
        'rdp login orcid --scope openid                   # OpenID: the id_token is verified',
        'ssh host rdp login zenodo --no-browser           # open the printed address anywhere, paste where it ends',
        'rdp login orcid --redirect-uri https://example.org/orcid-callback   # paste the address the browser lands on',
        'rdp login dmptool --client-credentials --client-id ID --client-secret < secret.txt',
        'rdp login zotero --key-name "laptop" --read-only',
        'rdp login zenodo --with-token < zenodo-token.txt',
        'printf %s "$TOKEN" | rdp login dmptool --with-token',
        'rdp login nomad --username jdoe                  # asks for the password',
        'printf %s "$PW" | rdp login nomad --username jdoe --password-stdin',
        'rdp login orcid --with-token --orcid 0000-0002-1825-0097 < orcid-token.txt',
        'rdp login zotero --with-token < zotero-key.txt   # userID looked up via /keys/current',
        'rdp login zenodo --with-token --insecure-storage < t.txt   # no keychain on this machine',
      ]) +
        `
Browser logins (zenodo, dmptool, orcid, zotero, sites) need an OAuth client registered with the service.
On a terminal without one, rdp offers to walk you through registering it; otherwise configure it with
RDP_<ID>_CLIENT_ID and RDP_<ID>_CLIENT_SECRET, or \`rdp config set <id>.client_id ID\` and
\`rdp config set <id>.client_secret\` (the secret goes to the keychain). The redirect URI to register:
  zenodo   http://127.0.0.1:21930/callback   (exactly: Zenodo matches redirect URIs exactly, port included;
           with another port, register that one and set --port or \`rdp config set zenodo.port N\`)
  dmptool  urn:ietf:wg:oauth:2.0:oob          (dmptool.org refuses http:// redirect URIs; DMPTool shows a
           code after you approve, and you paste it here)
  orcid    http://127.0.0.1                   (ORCID lets any port and path on it match)
  zotero   http://127.0.0.1/callback          (rdp sends its own callback address with each login)
  <site>   http://127.0.0.1:21930/callback   (an InvenioRDM site from \`rdp sites add\`, at
           <site>/account/settings/applications/clients/new/; matched exactly as on Zenodo. Without a
           client configured, \`rdp login <site>\` asks for a personal token instead)
--redirect-uri (or \`rdp config set <id>.redirect_uri URI\`) picks another mode: a 127.0.0.1 URI (rdp
listens there), urn:ietf:wg:oauth:2.0:oob (paste the code the service shows) or an https:// page you
registered (paste the address the browser lands on). Pasted input is read hidden on a terminal, or as
one line on stdin. Zenodo's codes expire about 100 seconds after you approve.
rdp listens on 127.0.0.1 only. BROWSER names the command that opens the address. The address is always
printed; with --no-browser, or over SSH, open it on any machine and paste the address the browser ends
on (http://127.0.0.1:…/callback?…) into the terminal.
Scopes asked for: zenodo deposit:write deposit:actions; dmptool public read_dmps (also with
--client-credentials); orcid /authenticate (or openid; no PKCE: ORCID does not support it); zotero
library write; a site user:email (its records API needs no scope).

Tokens you can paste:
  zenodo   a personal access token with deposit:write and deposit:actions
  nomad    an app token (or use --username to have rdp create one)
  dmptool  an API token with public and read_dmps
  orcid    an access token and its iD (--orcid, or read from ORCID's userinfo)
  zotero   an API key (the userID is looked up)
  <site>   a personal token (<site>/account/settings/applications/tokens/new/)
In CI, skip login and set RDP_ZENODO_TOKEN, RDP_NOMAD_TOKEN, RDP_DMPTOOL_TOKEN,
RDP_ORCID_TOKEN + RDP_ORCID_ID or RDP_ZOTERO_KEY instead. A Zenodo login with the same OAuth client on
another machine revokes this one's token: use one OAuth client per machine, or a personal token there.`,
    )
    .action(
      run(ctx, async (provider: Provider, flags: LoginFlags) => {
        const [{ runLogin }, { renderLogin }, method] = await Promise.all([import('../workflows/login.js'), import('./render.js'), loginMethod(provider, flags)]);
        const command = `rdp login ${provider.id}${flags.sandbox ? ' --sandbox' : ''}${flags.clientCredentials ? ' --client-credentials' : ''}`;
        const r = await runLogin(ctx, { provider, sandbox: Boolean(flags.sandbox), storage: flags.insecureStorage ? 'file' : 'keychain', method, command });
        ctx.io.result(r, () => renderLogin(ctx.io, ctx.clock.now(), r));
      }),
    );
}

/** Flags that only a browser login (or a client-credentials login) uses. */
function browserFlags(f: LoginFlags): string[] {
  const used: string[] = [];
  if (f.browser === false) used.push('--no-browser');
  if (f.port !== undefined) used.push('--port');
  if (f.timeout !== undefined) used.push('--timeout');
  if (f.scope?.length) used.push('--scope');
  if (f.redirectUri !== undefined) used.push('--redirect-uri');
  if (f.clientCredentials) used.push('--client-credentials');
  if (f.clientId !== undefined) used.push('--client-id');
  if (f.clientSecret !== undefined) used.push('--client-secret');
  if (f.keyName !== undefined) used.push('--key-name');
  if (f.readOnly) used.push('--read-only');
  return used;
}

/** Scopes from repeated --scope flags, each of which may hold several separated by spaces. */
export function splitScopes(values: string[] | undefined): string[] {
  const out = (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  for (const s of out) {
    if (s.length > 200 || /[\u0000-\u001f"\\]/.test(s)) throw new UsageError(`"${s}" is not a scope.`);
  }
  return out;
}

/** The way to log in that the flags ask for, checked against what the provider offers. */
export async function loginMethod(p: Provider, f: LoginFlags): Promise<LoginMethod> {
  const { parseDuration } = await import('../output/format.js');
  const has = (pred: (q: Provider) => unknown) => providers().filter(pred);
  if (!p.auth.password && (f.username !== undefined || f.passwordStdin)) throw onlyFor('--username and --password-stdin', has((q) => q.auth.password));
  if (!p.auth.owner && f.orcid !== undefined) throw onlyFor('--orcid', has((q) => q.auth.owner));
  if (f.withToken && (f.username !== undefined || f.passwordStdin)) throw new UsageError('Use either --with-token or --username/--password-stdin, not both.');
  const browser = browserFlags(f);
  if (browser.length && !p.auth.oauth) {
    throw new UsageError(`${p.name} has no browser login, so ${browser.join(', ')} ${browser.length === 1 ? 'does' : 'do'} not apply.`, {
      hint: f.withToken || !p.auth.password
        ? `rdp login ${p.id} --with-token < token.txt`
        : `rdp login ${p.id} --username jdoe   (asks for the password; or pipe it with --password-stdin), or --with-token`,
    });
  }
  if (browser.length && f.withToken) {
    throw new UsageError(`${browser.join(', ')} ${browser.length === 1 ? 'is' : 'are'} for browser logins; --with-token reads a token from stdin instead.`);
  }
  if (f.passwordStdin && f.username === undefined) {
    throw new UsageError('--password-stdin needs --username.', { hint: `rdp login ${p.id} --username jdoe --password-stdin` });
  }
  const owner = f.orcid !== undefined && p.auth.owner ? p.auth.owner.parse(f.orcid) : undefined;
  let lifetimeSeconds = 0;
  if (p.auth.password) {
    const max = p.auth.password.maxLifetimeSeconds;
    lifetimeSeconds = parseDuration(f.lifetime);
    if (lifetimeSeconds <= 0 || lifetimeSeconds > max) {
      throw new UsageError(`--lifetime must be more than 0 and at most ${Math.round(max / 86400)} days (${p.name}'s limit), not "${f.lifetime}".`);
    }
  }
  if (f.withToken) return { kind: 'token', owner };
  if (p.auth.password) return { kind: 'password', username: f.username, passwordStdin: Boolean(f.passwordStdin), lifetimeSeconds };
  const oauth = p.auth.oauth;
  if (!oauth) return { kind: 'token', owner };

  // A browser login (or the client's own credentials).
  if (f.clientCredentials && !oauth.clientCredentials) throw onlyFor('--client-credentials', has((q) => q.auth.oauth?.clientCredentials));
  if ((f.keyName !== undefined || f.readOnly) && !oauth.keyOptions) throw onlyFor('--key-name and --read-only', has((q) => q.auth.oauth?.keyOptions));
  if (f.clientCredentials) {
    const browserOnly = [f.redirectUri !== undefined && '--redirect-uri', f.port !== undefined && '--port', f.browser === false && '--no-browser'].filter(Boolean);
    if (browserOnly.length) {
      throw new UsageError(`${browserOnly.join(', ')} ${browserOnly.length === 1 ? 'is' : 'are'} for browser logins; --client-credentials opens no browser and needs no redirect URI.`);
    }
  }
  const { parsePort, parseRedirectUri } = await import('../auth/redirect.js');
  let redirect;
  let port;
  if (f.redirectUri !== undefined) {
    redirect = parseRedirectUri(f.redirectUri, '--redirect-uri');
    if (f.port !== undefined) {
      const n = parsePort(f.port, '--port');
      if (redirect.kind !== 'loopback') throw new UsageError(`--port is for the 127.0.0.1 listener; --redirect-uri ${redirect.uri} does not use one. Give one of them.`);
      if (n !== redirect.port) throw new UsageError(`--port ${n} and the port of --redirect-uri (${redirect.port}) differ. Give one of them.`);
    }
    if (oauth.protocol === 'oauth1' && redirect.kind !== 'loopback') {
      throw new UsageError(`${p.name}'s login (OAuth 1.0a) always comes back to rdp's 127.0.0.1 listener; --redirect-uri can only choose its port and path there.`, {
        hint: 'Without a browser on this machine, use --no-browser and paste the address the browser ends on.',
      });
    }
  } else if (f.port !== undefined) {
    if (oauth.portRefused) throw new UsageError(oauth.portRefused.message, { hint: oauth.portRefused.hint });
    port = parsePort(f.port, '--port');
  }
  const timeoutMs = f.timeout !== undefined ? parseDuration(f.timeout) * 1000 : DEFAULT_LOGIN_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be longer than 0, not "${f.timeout}".`);
  return {
    kind: 'browser',
    redirect,
    port,
    timeoutMs,
    noBrowser: f.browser === false,
    scopes: splitScopes(f.scope),
    clientCredentials: Boolean(f.clientCredentials),
    client: { clientId: f.clientId, clientSecret: f.clientSecret },
    keyName: f.keyName,
    readOnly: f.readOnly,
    // A site without a configured OAuth client logs in with a personal token (no browser flag asked otherwise).
    orToken: oauth.withoutClient === 'token' && browser.length === 0 ? true : undefined,
  };
}

