// `rdp dmps list|get|templates`: data management plans from DMPTool (SPEC.md section 3 "Lists and
// DMPs"). The flags are checked here; the workflow (src/workflows/dmps.ts) fetches; this renders.
import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import type { Collected } from '../workflows/dmps.js';
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
      run(ctx, (opts: ListFlags) => listing(ctx, opts, 'plans')),
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
        const { io } = ctx;
        const pdf = Boolean(opts.pdf) || /\.pdf$/i.test(opts.output ?? '');
        const toStdout = opts.output === '-' || (pdf && opts.output === undefined);
        if (toStdout && pdf && io.flags.json) {
          throw new UsageError('--json cannot go with a PDF on stdout: stdout holds one or the other.', {
            hint: 'Save the PDF with -o FILE; --json then prints where it went.',
          });
        }
        if (toStdout && pdf && io.stdoutIsTTY) {
          throw new UsageError('Not writing a PDF to the terminal.', {
            hint: 'Save it with -o FILE (e.g. -o plan.pdf), or redirect stdout: rdp dmps get <id> --pdf > plan.pdf.',
          });
        }
        const { getPlan, dmpRender } = await import('../workflows/dmps.js');
        const output = toStdout ? { kind: 'stdout' as const, stream: io.streams.stdout } : opts.output === undefined ? { kind: 'show' as const } : { kind: 'file' as const, path: opts.output };
        const r = await getPlan(ctx, id, { pdf, output });
        const render = await dmpRender();
        if (r.kind === 'plan') io.result(r.plan.document, () => render.renderPlan(io, r.plan));
        else if (r.kind === 'document') io.document(r.text);
        else if (r.kind === 'saved') {
          const { saved } = r;
          io.result(saved, () => {
            if (saved.format === 'pdf') {
              io.success(`Saved the PDF of plan ${saved.id} to ${r.shown} (${saved.bytes} bytes).`);
            } else {
              io.success(`Saved the DMP JSON of plan ${saved.id} to ${r.shown}.`);
              const note = render.privacyNote(saved.privacy ?? null);
              if (note && note !== 'public') io.warn(`This plan is ${note}.`);
            }
            return '';
          });
        }
      }),
    );

  dmps
    .command('templates')
    .description("List DMPTool's public templates: id, title, organisation, version, last change")
    .option('-n, --limit <n>', limitHelp, positiveInt('--limit'))
    .option('--all', 'page through every template')
    .addHelpText('after', examples(['rdp dmps templates', 'rdp dmps templates --all --json | jq -r \'.[].title\'']) + '\nNeeds the public scope.\n')
    .action(
      run(ctx, (opts: ListFlags) => listing(ctx, opts, 'templates')),
    );
  return dmps;
}

const DEFAULT_LIMIT = 30;

/** `rdp dmps list` and `rdp dmps templates`: up to the limit, the notes on stderr, the table. */
async function listing(ctx: Context, opts: ListFlags, what: 'plans' | 'templates'): Promise<void> {
  const limit = limitOf(opts);
  const { listPlans, listTemplates, dmpRender } = await import('../workflows/dmps.js');
  const render = await dmpRender();
  if (what === 'plans') {
    const r = await listPlans(ctx, limit);
    notes(ctx.io, r, 'plan', 'plans');
    ctx.io.result(r.items, (items) => render.renderPlans(ctx.io, items));
  } else {
    const r = await listTemplates(ctx, limit);
    notes(ctx.io, r, 'template', 'templates');
    ctx.io.result(r.items, (items) => render.renderTemplates(ctx.io, items));
  }
}

/** The number of items to fetch; Infinity for --all. */
export function limitOf(opts: ListFlags): number {
  if (opts.all && opts.limit !== undefined) {
    throw new UsageError('Use either --limit or --all, not both.', { hint: '--all lists everything; --limit N stops after N.' });
  }
  return opts.all ? Number.POSITIVE_INFINITY : (opts.limit ?? DEFAULT_LIMIT);
}

/** On stderr: items left out, an empty list (on a terminal), or more beyond the limit. */
function notes(io: IO, r: Collected<unknown>, one: string, many: string): void {
  if (r.skipped > 0) io.warn(`Left out ${r.skipped} item${r.skipped === 1 ? '' : 's'} that DMPTool sent in an unexpected shape.`);
  if (r.items.length === 0) {
    // gh's NoResultsError: said on a terminal only; a script gets an empty stdout (or `[]`).
    if (io.stdoutIsTTY && !io.flags.json) io.info(`No ${many} found.`);
    return;
  }
  if (r.more && !io.flags.quiet) {
    const of = r.total !== undefined && r.total > r.items.length ? ` of ${r.total}` : '';
    io.notice(`Showing ${r.items.length}${of} ${r.items.length === 1 && !of ? one : many}; use --limit N or --all to see more.`);
  }
}
