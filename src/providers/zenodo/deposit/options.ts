// The options of `rdp upload --to zenodo` as data (commands/options.ts builds the commander options and
// the resume command from them), the rules of their combinations, and their typed reading. Light: it
// is loaded with the command tree.
import { UsageError } from '../../../errors/errors.js';
import type { DepositInput, OptionSpec } from '../../types.js';
import { UPLOAD_TYPES } from './vocab.js';

/** A count from 1 to `max`. */
function count(flag: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${value}".`);
    return n;
  };
}

export const ZENODO_OPTIONS: readonly OptionSpec[] = [
  { flags: '--deposition <id>', description: 'Zenodo: add to this draft (resume an interrupted upload)', notResumed: true },
  { flags: '--new-version <id>', description: 'Zenodo: start (or continue) the next version of this record (a version id or its concept id)', notResumed: true },
  { flags: '--new-record', description: 'Zenodo: make a separate new record even if this command made one before (a second DOI, on purpose)', notResumed: true },
  { flags: '--metadata <file>', description: 'Zenodo: deposition metadata JSON ({"metadata": {...}}) or a CITATION.cff' },
  { flags: '--title <text>', description: 'Zenodo: title' },
  { flags: '--description <text>', description: 'Zenodo: description (limited HTML allowed)' },
  { flags: '--upload-type <type>', description: 'Zenodo: upload type (default: dataset)', choices: UPLOAD_TYPES },
  { flags: '--creator <creator>', description: 'Zenodo: "Family, Given[;Affiliation][;ORCID]" (repeatable)', repeatable: true },
  { flags: '--keyword <word>', description: 'Zenodo: a keyword (repeatable)', repeatable: true },
  { flags: '--license <id>', description: 'Zenodo: license id, e.g. cc-by-4.0, cc0-1.0, mit' },
  { flags: '--orcid-creator', description: 'Zenodo: add your ORCID identity (from `rdp login orcid`) as a creator' },
  { flags: '--dmp <id>', description: 'Zenodo: link the data management plan (DMP DOI, DMPTool plan id or URL)' },
  { flags: '--zotero', description: 'Zenodo: after --publish, add the record to your Zotero library' },
  { flags: '--orcid-work', description: 'Zenodo: after --publish, add the record to your ORCID works (needs an ORCID member login)' },
  { flags: '--write-doi', description: "Zenodo: write the reserved DOI into the folder's CITATION.cff before its files are sent" },
  { flags: '--concurrency <n>', description: 'Zenodo: files sent at the same time (default 4)', parse: count('--concurrency', 16) },
  { flags: '--zip <name.zip>', description: 'Zenodo: send everything as one zip archive, built while sending (keeps subfolders)' },
  { flags: '--delete-extra', description: 'Zenodo: delete files in the draft that are not among the local files' },
];

/** The Zenodo options as the deposit code reads them. */
export interface ZenodoOptions {
  deposition?: number | undefined;
  newVersion?: number | undefined;
  newRecord: boolean;
  metadata?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  uploadType?: string | undefined;
  creator: string[];
  keyword: string[];
  license?: string | undefined;
  orcidCreator: boolean;
  dmp?: string | undefined;
  zotero: boolean;
  orcidWork: boolean;
  writeDoi: boolean;
  concurrency: number;
  zip?: string | undefined;
  deleteExtra: boolean;
}

/** A deposition id as given: a number, or a Zenodo URL ending in one (…/deposit/123, …/records/123). For
 * --new-version it may be a concept id (all versions), which Zenodo resolves to the latest version. */
export function parseDepositionId(value: string, flag: string): number {
  const v = value.trim();
  const m = /^(\d+)$/.exec(v) ?? /^https?:\/\/[^/]+\/(?:.*\/)?(?:deposit|records|record|uploads|depositions)\/(\d+)(?:[/?#].*)?$/.exec(v);
  const id = m?.[1] ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    // Not a Zenodo id, but maybe another service's: `rdp publish` takes those with --on.
    const elsewhere =
      flag !== 'rdp publish'
        ? undefined
        : /^[a-z0-9]{5}-[a-z0-9]{5}$/.test(v)
          ? `"${v}" looks like the id of a record on an InvenioRDM site: name the site, \`rdp publish ${v} --on <site>\` (\`rdp sites list\` shows your sites).`
          : /^[A-Za-z0-9_-]{22}$/.test(v)
            ? `"${v}" looks like a NOMAD upload id: \`rdp publish ${v} --on nomad\`.`
            : undefined;
    throw new UsageError(`${flag} needs a deposition id (a number like 542201, or its Zenodo URL), not "${value}".`, {
      hint: elsewhere ?? '`rdp uploads list --on zenodo` shows your depositions and their ids.',
    });
  }
  return id;
}

/** The rules of the combinations (UsageErrors naming the flags), then the typed options. */
export function readZenodoOptions(input: Pick<DepositInput, 'options' | 'publish'>): ZenodoOptions {
  const o = input.options as Record<string, string | string[] | boolean | number | undefined>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  if (o.deposition !== undefined && o.newVersion !== undefined) {
    throw new UsageError('Use only one of --deposition and --new-version.', {
      hint: '--deposition adds to a draft; --new-version starts (or continues) the next version of a published record.',
    });
  }
  if (o.newRecord && (o.deposition !== undefined || o.newVersion !== undefined)) {
    throw new UsageError(`--new-record starts a separate record, so it goes with neither ${o.deposition !== undefined ? '--deposition' : '--new-version'}.`, {
      hint: '--deposition adds to a draft; --new-version starts the next version of a record; --new-record a new record.',
    });
  }
  if (o.zotero && !input.publish) {
    throw new UsageError('--zotero adds the published record to your Zotero library, so it needs --publish.', {
      hint: 'Add --publish, or leave out --zotero.',
    });
  }
  if (o.orcidWork && !input.publish) {
    throw new UsageError('--orcid-work adds the published record to your ORCID works, so it needs --publish.', {
      hint: 'Add --publish, or leave out --orcid-work.',
    });
  }
  const zip = str('zip');
  if (zip !== undefined && (!/\.zip$/i.test(zip) || zip.includes('/') || zip.includes('\\') || zip.length < 5)) {
    throw new UsageError(`--zip needs a file name ending in .zip (no folders), not "${zip}".`, { hint: 'For example: --zip data.zip' });
  }
  return {
    deposition: str('deposition') !== undefined ? parseDepositionId(str('deposition') as string, '--deposition') : undefined,
    newVersion: str('newVersion') !== undefined ? parseDepositionId(str('newVersion') as string, '--new-version') : undefined,
    newRecord: Boolean(o.newRecord),
    metadata: str('metadata'),
    title: str('title'),
    description: str('description'),
    uploadType: str('uploadType'),
    creator: (o.creator as string[] | undefined) ?? [],
    keyword: (o.keyword as string[] | undefined) ?? [],
    license: str('license'),
    orcidCreator: Boolean(o.orcidCreator),
    dmp: str('dmp'),
    zotero: Boolean(o.zotero),
    orcidWork: Boolean(o.orcidWork),
    writeDoi: Boolean(o.writeDoi),
    concurrency: typeof o.concurrency === 'number' ? o.concurrency : 4,
    zip,
    deleteExtra: Boolean(o.deleteExtra),
  };
}

export const ZENODO_HELP = `
Zenodo (--to zenodo): files keep their names relative to the named folder; Zenodo records have no
folders, so files in subfolders need --zip. A file already in the draft with the same name, size and
MD5 is skipped, a changed one replaced; a rerun after a failure or Ctrl-C sends only what is missing.
The same command run again works on the draft it created until that draft is published; after that
it refuses (use --new-version ID for the next version, --new-record for a separate record).
Metadata comes from --metadata FILE, else .zenodo.json or CITATION.cff in the folder, then the flags.
--write-doi writes the draft's reserved DOI into the folder's CITATION.cff (doi: the concept DOI, the
version DOI under identifiers; comments kept) before the files are sent, so the record cites itself.
With --publish, --dmp also adds the record's DOI to the plan, --orcid-work adds it to your ORCID works
and --zotero to your Zotero library, as the steps of \`rdp publish\` (a rerun does only what is missing).
stdout holds the deposition id, URL and DOI. Limits: 100 files and 50 GB per record.
`;

export const ZENODO_EXAMPLES = [
  'rdp upload ./data --to zenodo                          # a new draft; prints its id, URL and reserved DOI',
  'rdp upload ./data --to zenodo --deposition 542201      # resume, or sync the draft with ./data',
  'rdp upload ./data --to zenodo --title "Soil samples" --creator "Doe, Jane;Example University" --publish',
  'rdp upload ./data --to zenodo --new-version 542201 --publish   # only changed files are sent',
  'rdp upload ./data --to zenodo --write-doi --publish --dmp 89799 --orcid-work   # the DOI in CITATION.cff, the plan, ORCID',
  'rdp upload ./tree --to zenodo --zip tree.zip           # subfolders kept inside one streamed zip',
  'rdp upload ./data --to zenodo --dry-run --json         # the plan as JSON; nothing changes',
  "rdp upload ./data --to zenodo --exclude '*.tmp' --exclude scratch/   # gitignore-style; also ./data/.rdpignore",
];

/** `rdp publish <deposition-id>`'s own options (the links are the command's). */
export const ZENODO_PUBLISH_OPTIONS: readonly OptionSpec[] = [
  { flags: '--write-doi', description: "Zenodo: write the DOI into ./CITATION.cff (and the draft's copy of it) before publishing" },
];

export const ZENODO_PUBLISH_HELP = `
Zenodo (--on zenodo, the default): publishes the draft (a published record is left as it is), after
--dmp has put the plan's DOI on it (a draft only) and --write-doi has written the reserved DOI into
./CITATION.cff and replaced the draft's copy; then the links: --dmp gives the plan the record's DOI,
--orcid-work adds it to your ORCID works, --zotero to your Zotero library.
`;

export const ZENODO_PUBLISH_EXAMPLES = [
  'rdp publish 542201                                     # publish the draft',
  'rdp publish 542201 --dmp 89799 --orcid-work --zotero   # and link it to the plan, ORCID and Zotero',
  'rdp publish 542201 --write-doi                         # the DOI into CITATION.cff first',
];
