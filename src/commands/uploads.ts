// `rdp uploads list`: uploads on every provider that lists them (every one logged in to, or one with
// --on); the workflow lists, this renders: one table per service, and a note when --limit cut a list.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { getProvider, nameList, withCapability } from '../providers/index.js';
import { examples, positiveInt, run, sandboxOption } from './shared.js';
import { once } from './options.js';

export interface UploadsListFlags {
  on?: string;
  status?: 'draft' | 'published';
  limit?: number;
  all?: boolean;
  sandbox?: boolean;
}

const DEFAULT_LIMIT = 30;

export function uploadsCommand(ctx: Context): Command {
  const listers = withCapability('list');
  const uploads = new Command('uploads')
    .description(`Your uploads on ${nameList(listers, 'and')}`)
    // rdp's own help names no configured site (bin/rdp.js prints it pre-rendered; see scripts/build.mjs).
    .summary('Your uploads on Zenodo, NOMAD and InvenioRDM sites')
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
    .addOption(once(new Option('--on <service>', 'only this service').choices(listers.map((p) => p.id)), 'leave --on out to list every service'))
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
${listers.map((p) => p.list.columns).join('\n')}
Newest first. Without a terminal, rows are tab-separated without a header (prefixed with the
service id when several services are listed).
`,
    )
    .action(
      run(ctx, async (opts: UploadsListFlags) => {
        if (opts.all && opts.limit !== undefined) throw new UsageError('Use --limit or --all, not both.');
        const [{ runUploadsList }, { moreNote, renderUploadsList, uploadsListJson }] = await Promise.all([import('../workflows/list.js'), import('./render.js')]);
        const r = await runUploadsList(ctx, {
          on: opts.on === undefined ? undefined : getProvider(opts.on, listers),
          status: opts.status,
          limit: opts.all ? undefined : (opts.limit ?? DEFAULT_LIMIT),
          sandbox: Boolean(opts.sandbox),
        });
        // A service that failed while others were listed: --json stays one document or one error (SPEC
        // section 4); on a terminal the lists that came are shown, then the error (exit code and all).
        const [failure, ...others] = r.failed;
        if (failure && ctx.io.flags.json) throw failure.error;
        if (!ctx.io.flags.quiet) for (const s of r.sections) if (s.more !== false && s.more !== 0) ctx.io.notice(moreNote(s.provider.name, s.rows.length, s.more));
        ctx.io.result(uploadsListJson(r), () => renderUploadsList(ctx.io, r));
        if (failure) {
          for (const f of others) ctx.io.warn(`${f.provider.name} could not be listed: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
          ctx.io.warn(`${failure.provider.name} could not be listed; ${r.sections.map((s) => s.provider.name).join(' and ')} ${r.sections.length === 1 ? 'is' : 'are'} above.`);
          throw failure.error;
        }
      }),
    );
  return uploads;
}

