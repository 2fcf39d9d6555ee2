import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import type { ProviderId } from '../providers/registry.js';
import { examples, providerArgument, run, sandboxOption } from './shared.js';

export interface LoginOptions {
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
    .option('--port <n>', 'port of the loopback listener on 127.0.0.1 (default: config <service>.port, else any free port)')
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
        'rdp login zenodo                                 # opens the browser; approve, done',
        'rdp login zenodo --scope user:email',
        'rdp login orcid --scope openid                   # OpenID: the id_token is verified',
        'ssh host rdp login dmptool --no-browser          # open the printed address anywhere, paste where it ends',
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
Browser logins (zenodo, dmptool, orcid, zotero) need an OAuth client registered with the service,
with the redirect URI http://127.0.0.1:<port>/callback. Configure it with RDP_<ID>_CLIENT_ID and
RDP_<ID>_CLIENT_SECRET, or \`rdp config set <id>.client_id ID\` and \`rdp config set <id>.client_secret\`
(the secret goes to the keychain). rdp listens on 127.0.0.1 only; --port (or \`rdp config set <id>.port\`)
fixes the port when the service matches redirect URIs exactly. BROWSER names the command that opens
the address. The address is always printed; with --no-browser, or over SSH, open it on any machine
and paste the address the browser ends on (http://127.0.0.1:…/callback?…) into the terminal.
Scopes asked for: zenodo deposit:write deposit:actions; dmptool read_dmps (public with
--client-credentials); orcid /authenticate (or openid); zotero library write.

Tokens you can paste:
  zenodo   a personal access token with deposit:write and deposit:actions
  nomad    an app token (or use --username to have rdp create one)
  dmptool  an API token with read_dmps (or public)
  orcid    an access token and its iD (--orcid, or read from ORCID's userinfo)
  zotero   an API key (the userID is looked up)
In CI, skip login and set RDP_ZENODO_TOKEN, RDP_NOMAD_TOKEN, RDP_DMPTOOL_TOKEN,
RDP_ORCID_TOKEN + RDP_ORCID_ID or RDP_ZOTERO_KEY instead.`,
    )
    .action(
      run(ctx, async (provider: ProviderId, opts: LoginOptions) => {
        const { runLogin, renderLogin } = await import('../auth/login.js');
        ctx.io.result(await runLogin(ctx, provider, opts), (r) => renderLogin(ctx.io, r));
      }),
    );
}
