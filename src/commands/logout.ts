import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import type { Provider } from '../providers/types.js';
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
      run(ctx, async (provider: Provider | undefined, opts: LogoutOptions) => {
        if (provider && opts.all) throw new UsageError('Name a service or use --all, not both.');
        if (!provider && !opts.all) throw new UsageError('Which service? Name one, or use --all.', { hint: 'rdp logout zenodo   or   rdp logout --all' });
        const [{ runLogout }, { renderLogout }] = await Promise.all([import('../workflows/logout.js'), import('./render.js')]);
        const r = await runLogout(ctx, provider ? { provider, sandbox: Boolean(opts.sandbox) } : 'all');
        ctx.io.result(r, () => renderLogout(ctx.io, r));
      }),
    );
}

