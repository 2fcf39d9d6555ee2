import { Command } from 'commander';
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
}

export function loginCommand(ctx: Context): Command {
  return new Command('login')
    .description('Log in to a service and keep the token in the OS keychain')
    .addArgument(providerArgument())
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
        'rdp login zenodo --with-token < zenodo-token.txt',
        'printf %s "$TOKEN" | rdp login dmptool --with-token',
        'rdp login nomad --username jdoe                  # asks for the password',
        'printf %s "$PW" | rdp login nomad --username jdoe --password-stdin',
        'rdp login orcid --with-token --orcid 0000-0002-1825-0097 < orcid-token.txt',
        'rdp login zotero --with-token < zotero-key.txt   # userID looked up via /keys/current',
        'rdp login zenodo --with-token --insecure-storage < t.txt   # no keychain on this machine',
      ]) +
        `
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
