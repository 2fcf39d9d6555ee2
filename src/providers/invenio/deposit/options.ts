// The options of `rdp upload --to <site>` as data. They are Zenodo's (the same flags, the same meaning:
// the command builds one option from the declarations that share a flag), read here with a site's ids:
// strings like "4d0ns-ntd89" (numeric on some sites), or an address ending in one. Light: loaded with
// the command tree whenever a site is configured.
import { UsageError } from '../../../errors/errors.js';
import type { DepositInput, OptionSpec } from '../../types.js';

function count(flag: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${value}".`);
    return n;
  };
}

export const SITE_OPTIONS: readonly OptionSpec[] = [
  { flags: '--deposition <id>', description: 'sites: add to this draft (its id, e.g. 4d0ns-ntd89; resume an interrupted upload)', notResumed: true },
  { flags: '--new-version <id>', description: 'sites: start (or continue) the next version of this record', notResumed: true },
  { flags: '--new-record', description: 'sites: make a separate new record even if this command made one before', notResumed: true },
  { flags: '--metadata <file>', description: 'sites: metadata as Zenodo deposition JSON or a CITATION.cff (mapped to the RDM schema)' },
  { flags: '--title <text>', description: 'sites: title' },
  { flags: '--description <text>', description: 'sites: description' },
  { flags: '--upload-type <type>', description: 'sites: resource type (default: dataset)' },
  { flags: '--creator <creator>', description: 'sites: "Family, Given[;Affiliation][;ORCID]"', repeatable: true },
  { flags: '--keyword <word>', description: 'sites: a subject', repeatable: true },
  { flags: '--license <id>', description: 'sites: rights id (SPDX in lower case, e.g. cc-by-4.0)' },
  { flags: '--orcid-creator', description: 'sites: add your ORCID identity as a creator' },
  { flags: '--dmp <id>', description: 'sites: link the data management plan' },
  { flags: '--zotero', description: 'sites: after --publish, add the record to your Zotero library' },
  { flags: '--orcid-work', description: 'sites: after --publish, add the record to your ORCID works (needs an ORCID member login)' },
  { flags: '--concurrency <n>', description: 'sites: files sent at the same time (default 4)', parse: count('--concurrency', 16) },
  { flags: '--zip <name.zip>', description: 'sites: send everything as one zip archive, built while sending' },
  { flags: '--delete-extra', description: 'sites: delete files in the draft that are not among the local files' },
  { flags: '--write-doi', description: "sites: write the reserved DOI into the folder's CITATION.cff before its files are sent" },
];

/** \`rdp publish --on <site>\`'s own options. */
export const SITE_PUBLISH_OPTIONS: readonly OptionSpec[] = [
  { flags: '--write-doi', description: "sites: write the draft's reserved DOI into ./CITATION.cff (and the draft's copy of it) before publishing" },
];

/** \`rdp publish --on <site>\`'s options as its plan reads them. */
export interface SitePublishOptions {
  writeDoi: boolean;
}

export function readSitePublishOptions(o: Record<string, unknown>): SitePublishOptions {
  return { writeDoi: Boolean(o.writeDoi) };
}

/** The options as a site's deposit reads them. */
export interface SiteOptions {
  deposition?: string | undefined;
  newVersion?: string | undefined;
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
  concurrency: number;
  zip?: string | undefined;
  deleteExtra: boolean;
  writeDoi: boolean;
}

/** A record or draft id as given: the id itself, or a site address ending in /records/<id> or /uploads/<id>. */
export function parseRecordId(value: string, flag: string, siteId: string): string {
  const v = value.trim();
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,99})$/.exec(v) ?? /^https?:\/\/[^/]+\/(?:.*\/)?(?:records|uploads)\/([A-Za-z0-9][A-Za-z0-9._-]{0,99})(?:[/?#].*)?$/.exec(v);
  if (!m?.[1]) {
    throw new UsageError(`${flag} needs a record id (like 4d0ns-ntd89, the part after /records/ or /uploads/ in its address), not "${value}".`, {
      hint: `\`rdp uploads list --on ${siteId}\` shows your records and drafts with their ids.`,
    });
  }
  return m[1];
}

export function readSiteOptions(siteId: string) {
  return (input: Pick<DepositInput, 'options' | 'publish'>): SiteOptions => {
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
    for (const [key, flag, what] of [
      ['zotero', '--zotero', 'adds the published record to your Zotero library'],
      ['orcidWork', '--orcid-work', 'adds the published record to your ORCID works'],
    ] as const) {
      if (o[key] && !input.publish) throw new UsageError(`${flag} ${what}, so it needs --publish.`, { hint: `Add --publish, or leave out ${flag}.` });
    }
    const zip = str('zip');
    if (zip !== undefined && (!/\.zip$/i.test(zip) || zip.includes('/') || zip.includes('\\') || zip.length < 5)) {
      throw new UsageError(`--zip needs a file name ending in .zip (no folders), not "${zip}".`, { hint: 'For example: --zip data.zip' });
    }
    return {
      deposition: str('deposition') !== undefined ? parseRecordId(str('deposition') as string, '--deposition', siteId) : undefined,
      newVersion: str('newVersion') !== undefined ? parseRecordId(str('newVersion') as string, '--new-version', siteId) : undefined,
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
      concurrency: typeof o.concurrency === 'number' ? o.concurrency : 4,
      zip,
      deleteExtra: Boolean(o.deleteExtra),
      writeDoi: Boolean(o.writeDoi),
    };
  };
}

export const SITE_HELP = `
InvenioRDM sites (--to <site>, added with \`rdp sites add\`): the RDM records API. Files keep their
names relative to the named folder, subfolders included. A file already in the draft with the same
name, size and checksum is skipped, a changed one replaced; large files go in parts sent in parallel
where the site offers multipart uploads (a cut resends one part; an interrupted upload resumes the
missing parts), else as one stream. The same command run again works on the draft it created until
that draft is published; after that it refuses (--new-version ID, or --new-record). Metadata as for
Zenodo (--metadata, .zenodo.json, CITATION.cff, flags), mapped to the RDM schema. With --publish,
--dmp also adds the record's DOI to the plan, --orcid-work adds it to your ORCID works and --zotero to
your Zotero library, as the steps of \`rdp publish\` (a rerun does only what is missing).
--write-doi reserves the draft's DOI and writes it into the folder's CITATION.cff before the files are
sent (a new version: doi: the record's DOI of all versions, this version's under identifiers; a first
version: its own DOI, since the site mints the DOI of all versions only when it is published).
`;

/** \`rdp publish --help\`'s paragraph on a site. */
export function sitePublishHelp(id: string): string {
  return `
${id} (--on ${id}, an InvenioRDM site): publishes the draft (a published record is left as it is), after
--dmp has put the plan's DOI among its related identifiers (a draft only) and --write-doi has written
the draft's reserved DOI into ./CITATION.cff (and the draft's copy); the fields the site requires are
checked first. Then the links: --dmp gives the plan the record's DOI, --orcid-work adds it to
your ORCID works, --zotero to your Zotero library.
`;
}
