import { Command } from 'commander';
import type { Context } from '../context.js';
import type { ProviderId } from '../providers/registry.js';
import { examples, providerArgument, run, sandboxOption } from './shared.js';

export interface LogoutOptions {
  all?: boolean;
  sandbox?: boolean;
}

export function logoutCommand(ctx: Context): Command {
  return new Command('logout')
    .description('Remove a stored login (keychain item, plaintext file entry and metadata)')
    .addArgument(providerArgument('the service to log out of', false))
    .option('--all', 'remove every login rdp has stored, on every host')
    .addOption(sandboxOption())
    .addHelpText('after', examples(['rdp logout zenodo', 'rdp logout zenodo --sandbox', 'rdp logout --all']))
    .action(
      run(ctx, async (provider: ProviderId | undefined, opts: LogoutOptions) => {
        const { runLogout, renderLogout } = await import('../workflows/logout.js');
        ctx.io.result(await runLogout(ctx, provider, opts), (r) => renderLogout(ctx.io, r));
      }),
    );
}
