// `rdp upload <path>... --to zenodo|nomad`. Options shared by every target come first; each target's
// own options say so in their help and are refused for another target. The action hands plain
// options to the target's implementation, imported lazily.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { UPLOAD_TYPES } from '../providers/zenodo/vocab.js';
import type { ZenodoUploadOptions } from '../upload/zenodo/options.js';
import { examples, positiveInt, run, sandboxOption } from './shared.js';

export const UPLOAD_TARGETS = ['zenodo', 'nomad'] as const;
export type UploadTarget = (typeof UPLOAD_TARGETS)[number];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options only one target understands (attribute names as commander gives them). */
const TARGET_ONLY: Record<string, { target: UploadTarget; flag: string }> = {
  deposition: { target: 'zenodo', flag: '--deposition' },
  newVersion: { target: 'zenodo', flag: '--new-version' },
  metadata: { target: 'zenodo', flag: '--metadata' },
  title: { target: 'zenodo', flag: '--title' },
  description: { target: 'zenodo', flag: '--description' },
  uploadType: { target: 'zenodo', flag: '--upload-type' },
  creator: { target: 'zenodo', flag: '--creator' },
  keyword: { target: 'zenodo', flag: '--keyword' },
  license: { target: 'zenodo', flag: '--license' },
  orcidCreator: { target: 'zenodo', flag: '--orcid-creator' },
  dmp: { target: 'zenodo', flag: '--dmp' },
  zotero: { target: 'zenodo', flag: '--zotero' },
  zip: { target: 'zenodo', flag: '--zip' },
  deleteExtra: { target: 'zenodo', flag: '--delete-extra' },
};

export interface UploadFlags {
  to: UploadTarget;
  publish?: boolean;
  dryRun?: boolean;
  sandbox?: boolean;
  concurrency: number;
  [option: string]: unknown;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : undefined);
const flag = (v: unknown) => (v === true ? true : undefined);

function zenodoOptions(paths: string[], f: UploadFlags): ZenodoUploadOptions {
  return {
    paths,
    deposition: text(f.deposition),
    newVersion: text(f.newVersion),
    metadata: text(f.metadata),
    title: text(f.title),
    description: text(f.description),
    uploadType: text(f.uploadType),
    creator: list(f.creator),
    keyword: list(f.keyword),
    license: text(f.license),
    orcidCreator: flag(f.orcidCreator),
    dmp: text(f.dmp),
    publish: flag(f.publish),
    zotero: flag(f.zotero),
    concurrency: f.concurrency,
    zip: text(f.zip),
    deleteExtra: flag(f.deleteExtra),
    dryRun: flag(f.dryRun),
    sandbox: flag(f.sandbox),
  };
}

function refuseForeign(flags: UploadFlags): void {
  for (const [key, { target, flag }] of Object.entries(TARGET_ONLY)) {
    if (flags[key] !== undefined && target !== flags.to) {
      throw new UsageError(`${flag} is for --to ${target}, not --to ${flags.to}.`, { hint: 'Run `rdp upload --help` for the options of each service.' });
    }
  }
}

export function uploadCommand(ctx: Context): Command {
  return new Command('upload')
    .description('Upload files and folders to Zenodo: resumable, verified (MD5), several at a time')
    .argument('<path...>', 'files and folders to upload')
    .addOption(new Option('--to <service>', 'where to upload').choices(UPLOAD_TARGETS).makeOptionMandatory())
    .option('--publish', 'publish after uploading (otherwise the upload stays a draft)')
    .option('--dry-run', 'show the plan (what would be created, sent, skipped, deleted) and change nothing')
    .option('--concurrency <n>', 'files sent at the same time', positiveInt('--concurrency', 16), 4)
    .addOption(sandboxOption())
    .option('--deposition <id>', 'Zenodo: add to this draft (resume an interrupted upload)')
    .option('--new-version <id>', 'Zenodo: start (or continue) the next version of this published record')
    .option('--metadata <file>', 'Zenodo: deposition metadata JSON ({"metadata": {...}}) or a CITATION.cff')
    .option('--title <text>', 'Zenodo: title')
    .option('--description <text>', 'Zenodo: description (limited HTML allowed)')
    .addOption(new Option('--upload-type <type>', 'Zenodo: upload type (default: dataset)').choices(UPLOAD_TYPES))
    .option('--creator <creator>', 'Zenodo: "Family, Given[;Affiliation][;ORCID]" (repeatable)', collect)
    .option('--keyword <word>', 'Zenodo: a keyword (repeatable)', collect)
    .option('--license <id>', 'Zenodo: license id, e.g. cc-by-4.0, cc0-1.0, mit')
    .option('--orcid-creator', 'Zenodo: add your ORCID identity (from `rdp login orcid`) as a creator')
    .option('--dmp <id>', 'Zenodo: link the data management plan (DMP DOI or DMPTool plan id)')
    .option('--zotero', 'Zenodo: after --publish, add the record to your Zotero library')
    .option('--zip <name.zip>', 'Zenodo: send everything as one zip archive, built while sending (keeps subfolders)')
    .option('--delete-extra', 'Zenodo: delete files in the draft that are not among the local files')
    .addHelpText(
      'after',
      examples([
        'rdp upload ./data --to zenodo                          # a new draft; prints its id, URL and reserved DOI',
        'rdp upload ./data --to zenodo --deposition 542201      # resume, or sync the draft with ./data',
        'rdp upload ./data --to zenodo --title "Soil samples" --creator "Doe, Jane;Example University" --publish',
        'rdp upload ./data --to zenodo --new-version 542201 --publish   # only changed files are sent',
        'rdp upload ./tree --to zenodo --zip tree.zip           # subfolders kept inside one streamed zip',
        'rdp upload ./data --to zenodo --dry-run --json         # the plan as JSON; nothing changes',
      ]) +
        `
Files keep their names relative to the named folder; Zenodo records have no folders, so files in
subfolders need --zip. A file already in the draft with the same name, size and MD5 is skipped, a
changed one replaced; a rerun after a failure or Ctrl-C sends only what is missing. Metadata comes
from --metadata FILE, else .zenodo.json or CITATION.cff in the folder, then the flags. Limits:
100 files and 50 GB per record. In CI set RDP_ZENODO_TOKEN.
`,
    )
    .action(
      run(ctx, async (paths: string[], flags: UploadFlags) => {
        refuseForeign(flags);
        switch (flags.to) {
          case 'zenodo': {
            const [{ runZenodoUpload }, { renderUpload }] = await Promise.all([import('../upload/zenodo/run.js'), import('../upload/zenodo/render.js')]);
            const result = await runZenodoUpload(ctx, zenodoOptions(paths, flags));
            ctx.io.result(result, (r) => renderUpload(ctx.io, r));
            return;
          }
          case 'nomad':
            throw new UsageError('Uploading to NOMAD is not available in this version of rdp yet.', { hint: 'Use --to zenodo.' });
        }
      }),
    );
}
