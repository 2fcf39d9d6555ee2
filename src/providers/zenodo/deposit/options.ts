// The options of `rdp upload --to zenodo`, as plain data (the command parses them), the checks of
// flag combinations, and the command line that resumes an interrupted upload.
import { UsageError } from '../../../errors/errors.js';

export interface ZenodoUploadOptions {
  paths: string[];
  deposition?: string | undefined;
  newVersion?: string | undefined;
  /** A separate record on purpose, even when this command made (and published) one before. */
  newRecord?: boolean | undefined;
  metadata?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  uploadType?: string | undefined;
  creator?: string[] | undefined;
  keyword?: string[] | undefined;
  license?: string | undefined;
  orcidCreator?: boolean | undefined;
  dmp?: string | undefined;
  publish?: boolean | undefined;
  zotero?: boolean | undefined;
  concurrency: number;
  zip?: string | undefined;
  deleteExtra?: boolean | undefined;
  dryRun?: boolean | undefined;
  sandbox?: boolean | undefined;
  /** Send hidden files and folders of a folder too. */
  includeHidden?: boolean | undefined;
  /** gitignore-style patterns of what a folder leaves out (--exclude, repeatable). */
  exclude?: string[] | undefined;
}

/** A deposition id as given: a number, or a Zenodo URL ending in one (…/deposit/123, …/records/123). For
 * --new-version it may be a concept id (all versions), which Zenodo resolves to the latest version. */
export function parseDepositionId(value: string, flag: string): number {
  const v = value.trim();
  const m = /^(\d+)$/.exec(v) ?? /^https?:\/\/[^/]+\/(?:.*\/)?(?:deposit|records|record|uploads|depositions)\/(\d+)(?:[/?#].*)?$/.exec(v);
  const id = m?.[1] ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`${flag} needs a deposition id (a number like 542201, or its Zenodo URL), not "${value}".`, {
      hint: '`rdp uploads list --on zenodo` shows your depositions and their ids.',
    });
  }
  return id;
}

export function checkOptions(opts: ZenodoUploadOptions): { deposition?: number | undefined; newVersion?: number | undefined } {
  if (opts.deposition !== undefined && opts.newVersion !== undefined) {
    throw new UsageError('Use only one of --deposition and --new-version.', {
      hint: '--deposition adds to a draft; --new-version starts (or continues) the next version of a published record.',
    });
  }
  if (opts.newRecord && (opts.deposition !== undefined || opts.newVersion !== undefined)) {
    throw new UsageError(`--new-record starts a separate record, so it goes with neither ${opts.deposition !== undefined ? '--deposition' : '--new-version'}.`, {
      hint: '--deposition adds to a draft; --new-version starts the next version of a record; --new-record a new record.',
    });
  }
  if (opts.zotero && !opts.publish) {
    throw new UsageError('--zotero adds the published record to your Zotero library, so it needs --publish.', {
      hint: 'Add --publish, or leave out --zotero.',
    });
  }
  if (opts.zip !== undefined) {
    const z = opts.zip;
    if (!/\.zip$/i.test(z) || z.includes('/') || z.includes('\\') || z.length < 5) {
      throw new UsageError(`--zip needs a file name ending in .zip (no folders), not "${z}".`, { hint: 'For example: --zip data.zip' });
    }
  }
  return {
    deposition: opts.deposition !== undefined ? parseDepositionId(opts.deposition, '--deposition') : undefined,
    newVersion: opts.newVersion !== undefined ? parseDepositionId(opts.newVersion, '--new-version') : undefined,
  };
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that continues this upload in deposition `id` (printed after Ctrl-C or a failure). */
export function resumeCommand(opts: ZenodoUploadOptions, id: number): string {
  const args: string[] = ['rdp', 'upload', ...opts.paths, '--to', 'zenodo', '--deposition', String(id)];
  const value = (flag: string, v: string | undefined) => {
    if (v !== undefined) args.push(flag, v);
  };
  const flag = (name: string, on: boolean | undefined) => {
    if (on) args.push(name);
  };
  value('--metadata', opts.metadata);
  value('--title', opts.title);
  value('--description', opts.description);
  value('--upload-type', opts.uploadType);
  for (const c of opts.creator ?? []) args.push('--creator', c);
  for (const k of opts.keyword ?? []) args.push('--keyword', k);
  value('--license', opts.license);
  flag('--orcid-creator', opts.orcidCreator);
  value('--dmp', opts.dmp);
  flag('--publish', opts.publish);
  flag('--zotero', opts.zotero);
  if (opts.concurrency !== 4) args.push('--concurrency', String(opts.concurrency));
  value('--zip', opts.zip);
  flag('--include-hidden', opts.includeHidden);
  for (const e of opts.exclude ?? []) args.push('--exclude', e);
  flag('--delete-extra', opts.deleteExtra);
  flag('--sandbox', opts.sandbox);
  return args.map(shellQuote).join(' ');
}
