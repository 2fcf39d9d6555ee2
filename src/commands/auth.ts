import { Command } from 'commander';
import type { Context } from '../context.js';
import type { Provider } from '../providers/types.js';
import { examples, providerArgument, run, sandboxOption } from './shared.js';

export function authCommand(ctx: Context): Command {
  const auth = new Command('auth')
    .description('Inspect logins: who is logged in where, and print tokens for scripts')
    .addHelpText(
      'after',
      examples([
        'rdp auth status                        # every service: account, token source, scopes, expiry',
        'rdp auth status zenodo --json',
        'rdp auth token nomad                   # the token rdp would use, for curl and scripts',
      ]) + '\nLog in with `rdp login <provider>`, out with `rdp logout <provider>`.\n',
    );

  auth
    .command('status')
    .description('Show, per service: account, host, token source (env, keychain, file), scopes, expiry')
    .addArgument(providerArgument('only this service', false))
    .addOption(sandboxOption())
    .addHelpText(
      'after',
      examples(['rdp auth status', 'rdp auth status nomad', 'rdp auth status --json | jq ".[] | select(.loggedIn)"']) +
        '\nExit status: 0; with a service named, 4 when not logged in to it.\n',
    )
    .action(
      run(ctx, async (provider: Provider | undefined, opts: { sandbox?: boolean }) => {
        const [{ runStatus }, { renderStatus }] = await Promise.all([import('../workflows/auth-status.js'), import('./render.js')]);
        const result = await runStatus(ctx, { provider, sandbox: Boolean(opts.sandbox) });
        ctx.io.result(result, (r) => renderStatus(ctx.io, r));
      }),
    );

  auth
    .command('token')
    .description('Print the token rdp would use for a service (for scripts; handle with care)')
    .addArgument(providerArgument())
    .addOption(sandboxOption())
    .addHelpText(
      'after',
      examples(['rdp auth token zenodo', 'curl -H "Authorization: Bearer $(rdp auth token zenodo)" https://zenodo.org/api/deposit/depositions', 'rdp auth token nomad --json']),
    )
    .action(
      run(ctx, async (provider: Provider, opts: { sandbox?: boolean }) => {
        const { runToken } = await import('../workflows/auth-status.js');
        const t = await runToken(ctx, provider, Boolean(opts.sandbox));
        // Printed on purpose: bypasses the redactor for this document only.
        ctx.io.printSecret(ctx.io.flags.json ? JSON.stringify(t, null, 2) : t.token);
      }),
    );
  return auth;
}

