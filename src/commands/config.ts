import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples, run } from './shared.js';

export function configCommand(ctx: Context): Command {
  const config = new Command('config')
    .description('Read and change settings (base URLs, OAuth clients); secrets go to the keychain')
    .addHelpText('after', '\nThe file is $XDG_CONFIG_HOME/rdp/config.json (~/.config/rdp/config.json).\n');

  config
    .command('get')
    .description('Print one setting')
    .argument('<key>', 'for example zenodo.url')
    .action(
      run(ctx, async (key: string) => {
        const { configGet, secretWhere } = await import('../config/run.js');
        const r = await configGet(ctx, key);
        const file = (await ctx.paths()).config;
        ctx.io.result(r, (v) => (v.secret ? (v.set ? `(set; ${secretWhere(v, file)})` : '') : (v.value ?? '')));
      }),
    );

  config
    .command('set')
    .description('Change a setting; a secret is read from stdin when no value is given')
    .argument('<key>', 'for example zenodo.url or zenodo.client_secret')
    .argument('[value]', 'the new value (leave out for secrets: read from stdin)')
    .option('--insecure-storage', 'keep a secret value in the config file instead of the keychain')
    .addHelpText(
      'after',
      examples([
        'rdp config set zenodo.url https://sandbox.zenodo.org',
        'rdp config set zenodo.client_id ABCDEF',
        'printf %s "$SECRET" | rdp config set zenodo.client_secret',
      ]),
    )
    .action(
      run(ctx, async (key: string, value: string | undefined, opts: { insecureStorage?: boolean }) => {
        const { configSet } = await import('../config/run.js');
        const r = await configSet(ctx, key, value, opts);
        ctx.io.result(r, () => {
          ctx.io.success(`Set ${key}${r.secret ? (r.storage === 'keychain' ? ' (in the keychain)' : ' (in the config file, plaintext)') : ''}.`);
          return '';
        });
      }),
    );

  config
    .command('unset')
    .description('Remove a setting')
    .argument('<key>')
    .action(
      run(ctx, async (key: string) => {
        const { configUnset } = await import('../config/run.js');
        const r = await configUnset(ctx, key);
        ctx.io.result(r, () => {
          if (r.removed) ctx.io.success(`Removed ${key}.`);
          else ctx.io.info(`${key} was not set.`);
          return '';
        });
      }),
    );

  config
    .command('list')
    .description('Print every setting and the known keys')
    .action(
      run(ctx, async () => {
        const { configList } = await import('../config/run.js');
        const r = await configList(ctx);
        ctx.io.result(r, (list) =>
          list
            .filter((e) => e.set)
            .map((e) => `${e.key}=${e.secret ? '(secret, set)' : e.value}`)
            .join('\n') || '',
        );
      }),
    );
  return config;
}
