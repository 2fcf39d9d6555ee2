// `rdp sites add <name> <url> | list | remove <name>`: the InvenioRDM repositories besides Zenodo
// (SPEC.md "Sites"). A site added here is a provider from the next command on.
import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples, run } from './shared.js';

export function sitesCommand(ctx: Context): Command {
  const sites = new Command('sites')
    .description('InvenioRDM repositories besides Zenodo (CaltechDATA, TU Wien, your institution\'s): add, list, remove')
    .addHelpText(
      'after',
      examples([
        'rdp sites add tuwien https://researchdata.tuwien.ac.at',
        'printf %s "$TOKEN" | rdp login tuwien --with-token',
        'rdp upload ./data --to tuwien --title "Soil samples" --creator "Doe, Jane"',
        'rdp uploads list --on tuwien',
        'rdp sites list --json',
      ]) +
        `
A site's name is then a provider id: rdp login <name>, rdp upload ... --to <name>, rdp uploads list
--on <name>, rdp auth status <name>; in CI its token is RDP_<NAME>_TOKEN (upper case, - as _).
`,
    );
  sites
    .command('add')
    .description('Add an InvenioRDM repository under a name (checked: its address must answer like InvenioRDM)')
    .argument('<name>', 'the name to use it by (lower-case letters, digits, -): becomes the provider id')
    .argument('<url>', "the repository's address (https://…)")
    .option('--sandbox-url <url>', 'its test instance, used with --sandbox')
    .addHelpText(
      'after',
      examples(['rdp sites add tuwien https://researchdata.tuwien.ac.at', 'rdp sites add caltech https://data.caltech.edu --sandbox-url https://data.caltechlibrary.dev']) +
        `
The name cannot be one of rdp's own providers. rdp asks the address for its public records
(GET /api/records) and refuses one that does not answer like an InvenioRDM repository. Plain
http:// is accepted for this machine only (or with RDP_ALLOW_HTTP=1).
`,
    )
    .action(
      run(ctx, async (name: string, url: string, opts: { sandboxUrl?: string }) => {
        const [{ addSite }, { siteProvider }] = await Promise.all([import('../workflows/sites.js'), import('../providers/index.js')]);
        const r = await addSite(ctx, { name, url, sandboxUrl: opts.sandboxUrl });
        ctx.io.result(r, () => {
          if (!r.addedNow) ctx.io.info(`Site ${r.name} (${r.url}) was added already; nothing changed.`);
          else ctx.io.success(`Added site ${r.name}: ${r.url}${r.records !== undefined ? ` (${r.records} public record${r.records === 1 ? '' : 's'})` : ''}.`);
          ctx.io.info(`Next: printf %s "$TOKEN" | rdp login ${r.name} --with-token   (a personal token from ${r.url}/account/settings/applications; in CI set ${r.tokenEnv})`);
          const oauth = siteProvider({ name: r.name, url: r.url, added: '' }).auth.oauth;
          if (oauth) ctx.io.info(`  or, with an OAuth client registered on the site for ${oauth.redirectToRegister(oauth.defaultRedirect)}: rdp login ${r.name}   (see rdp login --help)`);
          return '';
        });
      }),
    );
  sites
    .command('list')
    .description('List the sites you added')
    .addHelpText('after', examples(['rdp sites list', 'rdp sites list --json']))
    .action(
      run(ctx, async () => {
        const [{ listSites }, { renderTable }] = await Promise.all([import('../workflows/sites.js'), import('../output/table.js')]);
        const list = await listSites(ctx);
        ctx.io.result(list, () => {
          if (!list.length) {
            ctx.io.info('No sites added. Add one with: rdp sites add <name> <url>');
            return '';
          }
          return renderTable(
            ctx.io,
            [
              { header: 'NAME', value: (s) => s.name },
              { header: 'URL', value: (s) => s.url },
              { header: 'SANDBOX', value: (s) => s.sandboxUrl ?? '', display: (s) => s.sandboxUrl ?? '-' },
              { header: 'TOKEN VARIABLE', value: (s) => s.tokenEnv },
            ],
            list,
          );
        });
      }),
    );
  sites
    .command('remove')
    .description('Remove a site, the logins stored for it and its config keys')
    .argument('<name>', 'the site to remove')
    .addHelpText(
      'after',
      examples(['rdp sites remove tuwien']) +
        `
Its stored logins (every <name>@<host> token in the keychain or the token file) and its config keys
(<name>.client_id, <name>.client_secret and its keychain item, <name>.url, …) go with it. A token in
RDP_<NAME>_TOKEN is not rdp's to remove: rdp says when one is still set.
`,
    )
    .action(
      run(ctx, async (name: string) => {
        const { removeSite } = await import('../workflows/sites.js');
        const r = await removeSite(ctx, name);
        ctx.io.result(r, () => {
          for (const a of r.loggedOut) ctx.io.success(`Logged out: ${a} (its stored token is deleted).`);
          if (r.configRemoved.length) ctx.io.success(`Removed its config: ${r.configRemoved.join(', ')}.`);
          ctx.io.success(`Removed site ${r.name} (${r.url}).`);
          for (const v of r.envStillSet) ctx.io.warn(`${v} is still set: rdp cannot change your environment. Remove it with \`unset ${v}\` (and from your CI secrets).`);
          return '';
        });
      }),
    );
  return sites;
}

