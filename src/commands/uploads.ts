// `rdp uploads list [--on SERVICE]`. The services come from src/uploads/list.ts (LISTERS); adding one
// there adds it to --on.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { UPLOAD_SERVICES, type UploadService } from '../uploads/list.js';
import { examples, positiveInt, run, sandboxOption } from './shared.js';


interface ListFlags {
  on?: UploadService;
  status?: 'draft' | 'published';
  limit?: number;
  all?: boolean;
  sandbox?: boolean;
}

export function uploadsCommand(ctx: Context): Command {
  const uploads = new Command('uploads').description('Your uploads: drafts and published records');
  uploads
    .command('list')
    .description('List your uploads (newest first): id, title, state, files, size, DOI, modified')
    .addOption(new Option('--on <service>', 'only this service (default: every service you are logged in to)').choices(UPLOAD_SERVICES))
    .addOption(new Option('--status <status>', 'only drafts or only published records').choices(['draft', 'published']))
    .option('-n, --limit <n>', 'at most this many per service (default 30)', positiveInt('--limit'))
    .option('--all', 'every upload, paging through all the server has')
    .addOption(sandboxOption())
    .addHelpText(
      'after',
      examples([
        'rdp uploads list --on zenodo',
        'rdp uploads list --on zenodo --status draft --all',
        'rdp uploads list --json | jq ".[] | select(.state == \\"draft\\") | .id"',
      ]) + '\nWithout a terminal: one tab-separated line per upload, no header (id, title, state, files, size in bytes, DOI, modified in ISO 8601).\n',
    )
    .action(
      run(ctx, async (flags: ListFlags) => {
        if (flags.all && flags.limit !== undefined) throw new UsageError('Use only one of --limit and --all.');
        const { runUploadsList, renderUploadsList } = await import('../uploads/list.js');
        const list = await runUploadsList(ctx, { on: flags.on, status: flags.status, limit: flags.all ? undefined : (flags.limit ?? 30), sandbox: flags.sandbox });
        const human = ctx.io.flags.json ? '' : await renderUploadsList(ctx, list);
        ctx.io.result(list.rows, () => human);
      }),
    );
  return uploads;
}
