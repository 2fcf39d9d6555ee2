// `rdp uploads list`: uploads on Zenodo and NOMAD (every service logged in to, or one with --on).
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { examples, positiveInt, run, sandboxOption } from './shared.js';

export interface UploadsListFlags {
  on?: 'zenodo' | 'nomad';
  status?: 'draft' | 'published';
  limit?: number;
  all?: boolean;
  sandbox?: boolean;
}

const DEFAULT_LIMIT = 30;

export function uploadsCommand(ctx: Context): Command {
  const uploads = new Command('uploads')
    .description('Your uploads on Zenodo and NOMAD')
    .addHelpText(
      'after',
      examples([
        'rdp uploads list                              # every upload service you are logged in to',
        'rdp uploads list --on zenodo --status draft',
        'rdp uploads list --on nomad --all --json',
      ]),
    );
  uploads
    .command('list')
    .description('List your uploads: on every upload service you are logged in to, or on one (--on)')
    .addOption(new Option('--on <service>', 'only this service').choices(['zenodo', 'nomad']))
    .addOption(new Option('--status <status>', 'only drafts (never published) or only published uploads (also while being edited)').choices(['draft', 'published']))
    .option('-n, --limit <n>', `at most N uploads per service (default ${DEFAULT_LIMIT})`, positiveInt('--limit'))
    .option('--all', 'every upload, through all pages')
    .addOption(sandboxOption())
    .addHelpText(
      'after',
      examples([
        'rdp uploads list                              # every service you are logged in to',
        'rdp uploads list --on zenodo --status draft --all',
        'rdp uploads list --on nomad --status draft    # unpublished NOMAD uploads (NOMAD allows 10)',
        'rdp uploads list --on nomad --all --json | jq -r ".[].uploadId"',
      ]) +
        `
Columns for Zenodo: ID, TITLE, STATE (draft, published, editing), FILES, SIZE, DOI, MODIFIED.
Columns for NOMAD: UPLOAD_ID, NAME, STATUS (processing), ENTRIES, PUBLISHED (date, embargo).
Newest first. Without a terminal, rows are tab-separated without a header (prefixed with the
service id when several services are listed).
`,
    )
    .action(
      run(ctx, async (opts: UploadsListFlags) => {
        if (opts.all && opts.limit !== undefined) throw new UsageError('Use --limit or --all, not both.');
        const { runUploadsList, uploadsListJson, renderUploadsList } = await import('../workflows/list.js');
        const r = await runUploadsList(ctx, {
          on: opts.on,
          status: opts.status,
          limit: opts.all ? undefined : (opts.limit ?? DEFAULT_LIMIT),
          sandbox: opts.sandbox,
        });
        ctx.io.result(uploadsListJson(r), () => renderUploadsList(ctx.io, r));
      }),
    );
  return uploads;
}
