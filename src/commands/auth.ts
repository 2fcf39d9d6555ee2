import { Command } from 'commander';
import type { Context } from '../context.js';
import { describeUser } from '../output/format.js';
import type { IO } from '../output/io.js';
import type { Provider } from '../providers/types.js';
import type { ProviderStatus } from '../workflows/auth-status.js';
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
        const { runStatus } = await import('../workflows/auth-status.js');
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

export function renderStatus(io: IO, result: ProviderStatus | ProviderStatus[]): string {
  const list = Array.isArray(result) ? result : [result];
  const s = io.outStyle;
  const lines: string[] = [];
  for (const st of list) {
    lines.push(`${s.bold(st.name)} ${s.dim(`(${st.host})`)}`);
    if (st.error) {
      lines.push(`  ${s.yellow('?')} unknown: the keychain could not be read (${st.error.code})`);
      continue;
    }
    if (!st.loggedIn) {
      const why = st.expired ? `token expired on ${st.expiresAt}` : 'not logged in';
      lines.push(`  ${s.red('✗')} ${why}; run \`rdp login ${st.provider}\``);
      continue;
    }
    const who = st.user ? describeUser(st.user) : '';
    lines.push(`  ${s.green('✓')} logged in${who ? ` as ${who}` : ''}`);
    const source = st.source === 'env' ? `environment (${st.location})` : st.source === 'file' ? `plaintext file ${st.location}` : `keychain: ${st.location}`;
    lines.push(`  token:   ${source}`);
    if (st.scopes?.length) lines.push(`  scopes:  ${st.scopes.join(' ')}`);
    const exp = st.expiresAt === null ? 'never' : st.expiresAt ? st.expiresAt.replace('.000Z', 'Z') : 'unknown';
    lines.push(`  expires: ${st.expiresSoon ? s.yellow(exp) : exp}${st.renews ? ' (rdp renews it by itself)' : ''}`);
  }
  return lines.join('\n');
}
