import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples, run } from './shared.js';

export function configCommand(ctx: Context): Command {
  const config = new Command('config')
    .description('Read and change settings (base URLs, OAuth clients); secrets go to the keychain')
    .addHelpText(
      'after',
      examples([
        'rdp config list                                   # every known key, set or not',
        'rdp config get zenodo.url',
        'rdp config set zenodo.url https://sandbox.zenodo.org',
        'printf %s "$SECRET" | rdp config set zenodo.client_secret',
        'rdp config unset zenodo.url',
      ]) + '\nThe file is $XDG_CONFIG_HOME/rdp/config.json (~/.config/rdp/config.json).\n',
    );

  config
    .command('get')
    .description('Print one setting')
    .argument('<key>', 'for example zenodo.url')
    .addHelpText(
      'after',
      examples(['rdp config get zenodo.url', 'rdp config get zenodo.client_secret          # only says whether and where it is set', 'rdp config get nomad.url --json']) +
        '\nAn unset key prints nothing (exit 0). `rdp config list` shows every known key.\n',
    )
    .action(
      run(ctx, async (key: string) => {
        const [{ configGet }, { secretWhere }] = await Promise.all([import('../workflows/config.js'), import('./render.js')]);
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
        const { configSet } = await import('../workflows/config.js');
        const r = await configSet(ctx, key, value, opts);
        ctx.io.result(r, () => {
          ctx.io.success(`Set ${key}${r.secret ? (r.storage === 'keychain' ? ' (in the keychain)' : ' (in the config file, plaintext)') : ''}.`);
          return '';
        });
      }),
    );

  config
    .command('unset')
    .description('Remove a setting (a secret is removed from the keychain too)')
    .argument('<key>', 'for example zenodo.url')
    .addHelpText('after', examples(['rdp config unset zenodo.url', 'rdp config unset zenodo.client_secret']) + '\nRemoving a key that is not set is not an error.\n')
    .action(
      run(ctx, async (key: string) => {
        const { configUnset } = await import('../workflows/config.js');
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
    .description('Print every known key: its value, or "(not set)", and what it is for')
    .addHelpText(
      'after',
      examples(['rdp config list', 'rdp config list --json | jq -r \'.[] | select(.set) | .key\'', "rdp config list | grep zenodo"]) +
        `
On a terminal: a table of every known key (KEY, VALUE, DESCRIPTION); a key that is not set shows
"(not set)", a secret only where it is kept. Piped: one tab-separated line per key (key, value,
description), an unset key with an empty value. --json: [{key, value, secret, set, storage, description}].
`,
    )
    .action(
      run(ctx, async () => {
        const [{ configList }, { renderConfigList }] = await Promise.all([import('../workflows/config.js'), import('./render.js')]);
        const r = await configList(ctx);
        ctx.io.result(r, (list) => renderConfigList(ctx.io, list));
      }),
    );
  return config;
}

