// `rdp upload <path>... --to zenodo|nomad`. Options shared by both services first, then each
// service's own (Zenodo's and NOMAD's below, each refused for the other service); the action hands
// plain options to the service's implementation, imported lazily.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { UPLOAD_TYPES } from '../providers/zenodo/deposit/vocab.js';
import type { ZenodoUploadOptions } from '../providers/zenodo/deposit/options.js';
import { examples, positiveInt, run, sandboxOption } from './shared.js';

export interface UploadCommandOptions extends NomadFlags, ZenodoFlags {
  to: 'zenodo' | 'nomad';
  publish?: boolean;
  sandbox?: boolean;
  includeHidden?: boolean;
  exclude?: string[];
  dryRun?: boolean;
}

// ---- Zenodo (--to zenodo) --------------------------------------------------------------------

interface ZenodoFlags {
  deposition?: string;
  newVersion?: string;
  newRecord?: boolean;
  metadata?: string;
  title?: string;
  description?: string;
  uploadType?: string;
  creator?: string[];
  keyword?: string[];
  license?: string;
  orcidCreator?: boolean;
  dmp?: string;
  zotero?: boolean;
  concurrency?: number;
  zip?: string;
  deleteExtra?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addZenodoOptions(cmd: Command): Command {
  return cmd
    .option('--deposition <id>', 'Zenodo: add to this draft (resume an interrupted upload)')
    .option('--new-version <id>', 'Zenodo: start (or continue) the next version of this record (a version id or its concept id)')
    .option('--new-record', 'Zenodo: make a separate new record even if this command made one before (a second DOI, on purpose)')
    .option('--metadata <file>', 'Zenodo: deposition metadata JSON ({"metadata": {...}}) or a CITATION.cff')
    .option('--title <text>', 'Zenodo: title')
    .option('--description <text>', 'Zenodo: description (limited HTML allowed)')
    .addOption(new Option('--upload-type <type>', 'Zenodo: upload type (default: dataset)').choices(UPLOAD_TYPES))
    .option('--creator <creator>', 'Zenodo: "Family, Given[;Affiliation][;ORCID]" (repeatable)', collect)
    .option('--keyword <word>', 'Zenodo: a keyword (repeatable)', collect)
    .option('--license <id>', 'Zenodo: license id, e.g. cc-by-4.0, cc0-1.0, mit')
    .option('--orcid-creator', 'Zenodo: add your ORCID identity (from `rdp login orcid`) as a creator')
    .option('--dmp <id>', 'Zenodo: link the data management plan (DMP DOI, DMPTool plan id or URL)')
    .option('--zotero', 'Zenodo: after --publish, add the record to your Zotero library')
    .option('--concurrency <n>', 'Zenodo: files sent at the same time (default 4)', positiveInt('--concurrency', 16))
    .option('--zip <name.zip>', 'Zenodo: send everything as one zip archive, built while sending (keeps subfolders)')
    .option('--delete-extra', 'Zenodo: delete files in the draft that are not among the local files');
}

const ZENODO_FLAGS: [keyof ZenodoFlags, string][] = [
  ['deposition', '--deposition'],
  ['newVersion', '--new-version'],
  ['newRecord', '--new-record'],
  ['metadata', '--metadata'],
  ['title', '--title'],
  ['description', '--description'],
  ['uploadType', '--upload-type'],
  ['creator', '--creator'],
  ['keyword', '--keyword'],
  ['license', '--license'],
  ['orcidCreator', '--orcid-creator'],
  ['dmp', '--dmp'],
  ['zotero', '--zotero'],
  ['concurrency', '--concurrency'],
  ['zip', '--zip'],
  ['deleteExtra', '--delete-extra'],
];

/** The Zenodo-only flags the user set (refused with --to nomad). */
function zenodoFlagsUsed(opts: ZenodoFlags): string[] {
  return ZENODO_FLAGS.filter(([key]) => opts[key] !== undefined).map(([, flag]) => flag);
}

function zenodoOptions(paths: string[], o: UploadCommandOptions): ZenodoUploadOptions {
  return {
    paths,
    deposition: o.deposition,
    newVersion: o.newVersion,
    newRecord: o.newRecord,
    metadata: o.metadata,
    title: o.title,
    description: o.description,
    uploadType: o.uploadType,
    creator: o.creator,
    keyword: o.keyword,
    license: o.license,
    orcidCreator: o.orcidCreator,
    dmp: o.dmp,
    publish: o.publish,
    zotero: o.zotero,
    concurrency: o.concurrency ?? 4,
    zip: o.zip,
    deleteExtra: o.deleteExtra,
    dryRun: o.dryRun,
    sandbox: o.sandbox,
    includeHidden: o.includeHidden,
    exclude: o.exclude,
  };
}

async function uploadToZenodo(ctx: Context, paths: string[], opts: UploadCommandOptions): Promise<void> {
  const [{ runZenodoUpload }, { renderUpload }] = await Promise.all([import('../providers/zenodo/deposit/run.js'), import('../providers/zenodo/deposit/render.js')]);
  ctx.io.result(await runZenodoUpload(ctx, zenodoOptions(paths, opts)), (r) => renderUpload(ctx.io, r));
}

const ZENODO_HELP = `
Zenodo (--to zenodo): files keep their names relative to the named folder; Zenodo records have no
folders, so files in subfolders need --zip. A file already in the draft with the same name, size and
MD5 is skipped, a changed one replaced; a rerun after a failure or Ctrl-C sends only what is missing.
The same command run again works on the draft it created until that draft is published; after that
it refuses (use --new-version ID for the next version, --new-record for a separate record).
Metadata comes from --metadata FILE, else .zenodo.json or CITATION.cff in the folder, then the flags.
stdout holds the deposition id, URL and DOI. Limits: 100 files and 50 GB per record.
`;

// ---- NOMAD (--to nomad) ----------------------------------------------------------------------

interface NomadFlags {
  name?: string;
  upload?: string;
  embargo?: number;
  /** false with --no-wait */
  wait: boolean;
  timeout?: string;
}

function parseEmbargo(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 36) {
    throw new UsageError(`--embargo must be a whole number of months from 0 to 36, not "${value}".`);
  }
  return n;
}

function addNomadOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'NOMAD: name of the new upload (default: the folder or file name)')
    .option('--upload <id>', 'NOMAD: add the files to this existing upload')
    .option('--embargo <months>', 'NOMAD: embargo period when published, 0-36 months', parseEmbargo)
    .option('--no-wait', 'NOMAD: print the upload id at once; do not wait for processing')
    .option('--timeout <duration>', 'NOMAD: stop waiting for processing after this long (90s, 30m, 2h)');
}

/** The NOMAD-only flags the user set (refused with --to zenodo). */
function nomadFlagsUsed(opts: NomadFlags): string[] {
  const used: string[] = [];
  if (opts.name !== undefined) used.push('--name');
  if (opts.upload !== undefined) used.push('--upload');
  if (opts.embargo !== undefined) used.push('--embargo');
  if (!opts.wait) used.push('--no-wait');
  if (opts.timeout !== undefined) used.push('--timeout');
  return used;
}

async function uploadToNomad(ctx: Context, paths: string[], opts: UploadCommandOptions): Promise<void> {
  const { runNomadUpload, renderNomadUpload } = await import('../providers/nomad/deposit/run.js');
  ctx.io.result(await runNomadUpload(ctx, paths, opts), renderNomadUpload);
}

const NOMAD_HELP = `
NOMAD (--to nomad): one .zip, .tar, .tar.gz or .tgz is sent as it is; anything else is streamed as
one zip built on the fly (no temporary file): one folder's contents at the root of the upload,
several inputs each under its own name. rdp then waits for NOMAD's processing (a spinner on a
terminal, plain lines in CI), prints the entries, errors and warnings, and with --publish publishes.
stdout holds the upload id. Limits: 32 GiB per upload, 10 unpublished uploads per user.
`;

const SELECTION_HELP = `
What a folder sends: every regular file in it and below it, except hidden files and folders (names
starting with "."; --include-hidden sends them), what matches --exclude, and what matches the
folder's own .rdpignore (gitignore syntax; "!pattern" brings something back). .gitignore is not read.
Symbolic links are followed, except into a loop. --dry-run lists what is left out and why.
`;

// ---- the command -------------------------------------------------------------------------------

/** "--title and --license work only with --to zenodo": flags given for the other service. */
function serviceOnly(flags: string[], service: 'zenodo' | 'nomad', used: 'zenodo' | 'nomad'): UsageError {
  const list = flags.length === 1 ? (flags[0] as string) : `${flags.slice(0, -1).join(', ')} and ${flags[flags.length - 1]}`;
  const names = { zenodo: 'Zenodo', nomad: 'NOMAD' };
  return new UsageError(`${list} ${flags.length === 1 ? 'works' : 'work'} only with --to ${service}, not with --to ${used}.`, {
    hint: `Leave ${flags.length === 1 ? 'it' : 'them'} out to upload to ${names[used]}; \`rdp upload --help\` lists the options of each service.`,
  });
}

export function uploadCommand(ctx: Context): Command {
  const cmd = new Command('upload')
    .description('Upload files and folders to Zenodo or NOMAD: resumable, verified, several files at a time')
    .argument('<path...>', 'files and folders to upload')
    .addOption(new Option('--to <service>', 'where to upload: zenodo or nomad').choices(['zenodo', 'nomad']).makeOptionMandatory())
    .option('--publish', 'publish once the upload is complete (NOMAD: after successful processing)')
    .option('--exclude <glob>', 'leave out what matches, gitignore-style, relative to each folder (repeatable)', collect)
    .option('--include-hidden', 'also send hidden files and folders (names starting with ".")')
    .option('--dry-run', 'show the plan (what would be sent, skipped, left out and why) and change nothing')
    .addOption(sandboxOption());
  addZenodoOptions(cmd);
  addNomadOptions(cmd);
  return cmd
    .addHelpText(
      'after',
      examples([
        'rdp upload ./data --to zenodo                          # a new draft; prints its id, URL and reserved DOI',
        'rdp upload ./data --to zenodo --deposition 542201      # resume, or sync the draft with ./data',
        'rdp upload ./data --to zenodo --title "Soil samples" --creator "Doe, Jane;Example University" --publish',
        'rdp upload ./data --to zenodo --new-version 542201 --publish   # only changed files are sent',
        'rdp upload ./tree --to zenodo --zip tree.zip           # subfolders kept inside one streamed zip',
        'rdp upload ./data --to zenodo --dry-run --json         # the plan as JSON; nothing changes',
        "rdp upload ./data --to zenodo --exclude '*.tmp' --exclude scratch/   # gitignore-style; also ./data/.rdpignore",
        'rdp upload ./run1 --to nomad                           # zipped on the fly, processing waited for',
        'rdp upload calc.tar.gz --to nomad --publish            # sent as it is, published after processing',
        'rdp upload run1 run2 notes.txt --to nomad --name "Si phonons"',
        'rdp upload extra/ --to nomad --upload YXUIZpw5RJyV3LAsFI2MmQ',
        'rdp upload run1 --to nomad --publish --embargo 12 --timeout 2h',
        'id=$(rdp upload data.zip --to nomad --no-wait)',
        'rdp upload run1 --to nomad --dry-run                   # what the zip would hold, and what is left out',
      ]) + SELECTION_HELP + ZENODO_HELP + NOMAD_HELP,
    )
    .action(
      run(ctx, async (paths: string[], opts: UploadCommandOptions) => {
        if (opts.to === 'nomad') {
          const zenodoOnly = zenodoFlagsUsed(opts);
          if (zenodoOnly.length) throw serviceOnly(zenodoOnly, 'zenodo', 'nomad');
          return uploadToNomad(ctx, paths, opts);
        }
        const nomadOnly = nomadFlagsUsed(opts);
        if (nomadOnly.length) throw serviceOnly(nomadOnly, 'nomad', 'zenodo');
        return uploadToZenodo(ctx, paths, opts);
      }),
    );
}
