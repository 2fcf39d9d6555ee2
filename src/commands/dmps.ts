// `rdp dmps list|get|templates`: data management plans from DMPTool (SPEC.md section 3 "Lists and
// DMPs"). Definitions only; each action imports its implementation from src/dmps/ when it runs.
import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples, positiveInt, run } from './shared.js';

interface ListFlags {
  limit?: number;
  all?: boolean;
}

const limitHelp = 'show at most N (default 30)';

export function dmpsCommand(ctx: Context): Command {
  const dmps = new Command('dmps')
    .description('Data management plans (DMPs) from DMPTool: list them, fetch one as JSON or PDF, list templates')
    .addHelpText(
      'after',
      examples(['rdp dmps list', 'rdp dmps get 89799', 'rdp dmps get https://doi.org/10.48321/D1ABCD --json', 'rdp dmps get 89799 --pdf -o plan.pdf']) +
        '\nNeeds a DMPTool login with the read_dmps scope (`rdp login dmptool`), or RDP_DMPTOOL_TOKEN.\n',
    );

  dmps
    .command('list')
    .description('List your plans, newest first: id, title, DMP ID, last change (and privacy, when DMPTool says)')
    .option('-n, --limit <n>', limitHelp, positiveInt('--limit'))
    .option('--all', 'page through every plan')
    .addHelpText(
      'after',
      examples([
        'rdp dmps list',
        'rdp dmps list --all --json | jq -r \'.[] | select(.doi) | .doi\'',
        'rdp dmps list --limit 5 | cut -f1,2           # without a terminal: tab-separated, no header',
      ]) + '\nWithout a terminal each plan is one line: id, title, DMP ID, modified (ISO 8601), privacy.\n',
    )
    .action(
      run(ctx, async (opts: ListFlags) => {
        const { runList } = await import('../workflows/dmp-list.js');
        await runList(ctx, opts);
      }),
    );

  dmps
    .command('get')
    .description('Show one plan (its full RDA DMP JSON with --json), or save it as JSON or PDF')
    .argument('<id>', 'the plan number, its DMPTool URL, or its DMP ID (a DOI, in any form)')
    .option('--pdf', 'fetch the PDF (to -o FILE, or to stdout when it is not a terminal)')
    .option('-o, --output <file>', 'save to FILE (atomically; a directory gets dmp-<id>.pdf|json; "-" = stdout)')
    .addHelpText(
      'after',
      examples([
        'rdp dmps get 89799                                   # a summary',
        'rdp dmps get https://dmptool.org/plans/89799',
        'rdp dmps get doi:10.48321/D1ABCD --json > dmp.json   # RDA DMP Common Standard JSON',
        'rdp dmps get 10.48321/D1ABCD -o dmp.json',
        'rdp dmps get 89799 --pdf -o plan.pdf                 # checked, and never left half-written',
        'rdp dmps get 89799 --pdf | lpr',
      ]) +
        `
A DOI is looked up among the plans your token can see (DMPTool's API finds plans by number).
A plan whose privacy is not "public" is marked; respect that when you share it.
`,
    )
    .action(
      run(ctx, async (id: string, opts: { pdf?: boolean; output?: string }) => {
        const { runGet } = await import('../workflows/dmp-get.js');
        await runGet(ctx, id, opts);
      }),
    );

  dmps
    .command('templates')
    .description("List DMPTool's public templates: id, title, organisation, version, last change")
    .option('-n, --limit <n>', limitHelp, positiveInt('--limit'))
    .option('--all', 'page through every template')
    .addHelpText('after', examples(['rdp dmps templates', 'rdp dmps templates --all --json | jq -r \'.[].title\'']) + '\nNeeds the public scope.\n')
    .action(
      run(ctx, async (opts: ListFlags) => {
        const { runTemplates } = await import('../workflows/dmp-list.js');
        await runTemplates(ctx, opts);
      }),
    );
  return dmps;
}
