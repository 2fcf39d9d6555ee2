// `--write-doi`: the record's DOIs written into the folder's CITATION.cff before its files are sent, so
// that the published file cites itself (SPEC.md, "Publish and close the loop"): `doi:` is the concept
// DOI (every version), and the version DOI goes under `identifiers` as
//   - type: doi
//     value: <version DOI>
//     description: <VERSION_DOI_DESCRIPTION>
// The rest of the file stays as it was, byte for byte: the change is made on the yaml package's
// concrete syntax tree (its lossless CST: comments, quoting, folded text, blank lines and key order are
// the source's own), read through its Document API. Only shapes the CST edit does not cover (a flow
// mapping at the top, `identifiers` in flow style or empty) go through the Document API's writer,
// which keeps comments and order but may respace the file.
// Idempotent: a file that already says all this is left untouched ('unchanged'). A folder without a
// CITATION.cff gets no new file ('no-file'; the caller warns). Written atomically, keeping its mode.
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors/errors.js';
import type { Log } from '../ports.js';
import type { LocalInput } from '../transfer/local.js';
import { writeFileAtomic } from '../util/atomic.js';

export const CFF_FILE = 'CITATION.cff';
/** How rdp marks the version DOI it writes (and finds it again for the next version). */
export const VERSION_DOI_DESCRIPTION = 'The DOI of this version of the record';

export interface RecordDois {
  /** The concept DOI (all versions): `doi:`. */
  concept: string;
  /** This version's DOI: under `identifiers`. */
  version: string;
}

export type WriteDoiOutcome =
  | {
      outcome: 'written';
      path: string;
      /** What changed, for the caller to report (`doi`, `identifiers`). */
      changed: ('doi' | 'identifiers')[];
      /** A different DOI the file had under `doi:` before (the caller says it was replaced). */
      replacedDoi?: string | undefined;
      /** True when the Document API's writer was used (the file may be respaced). */
      reformatted: boolean;
    }
  | { outcome: 'unchanged'; path: string }
  | { outcome: 'no-file'; path: string };

/** A DOI in any of its usual forms, bare and lower-cased (DOIs are case-insensitive). */
export function bareDoi(value: string): string {
  return value
    .trim()
    .replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '')
    .toLowerCase();
}


/** The folders whose CITATION.cff --write-doi writes: each named folder, and the folder of a CITATION.cff named as a file. */
export function citationFolders(inputs: LocalInput[]): string[] {
  const out = new Set<string>();
  for (const i of inputs) {
    if (i.kind === 'folder') out.add(i.path);
    else if (i.files.some((f) => f.rel === CFF_FILE)) out.add(dirname(i.path));
  }
  return [...out];
}
/**
 * Write `dois` into `<folder>/CITATION.cff`. Throws InputError (BAD_METADATA) for a file that is not a
 * CITATION.cff mapping; never creates the file.
 */
export async function writeDoiToCitation(folder: string, dois: RecordDois): Promise<WriteDoiOutcome> {
  const path = join(folder, CFF_FILE);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { outcome: 'no-file', path };
    throw new InputError('FILE_UNREADABLE', `Cannot read ${path}: ${(err as Error).message}`, { hint: 'Check the file permissions.' });
  }
  // The yaml package loads only here: an upload without --write-doi does not pay for it.
  const { rewriteCitation } = await import('./cff-rewrite.js');
  const result = rewriteCitation(raw, dois, path);
  if (result.text === raw) return { outcome: 'unchanged', path };
  // A CITATION.cff that is a link is written where it points (the rename must not replace the link).
  const target = await realpath(path);
  const mode = (await stat(target)).mode & 0o777;
  await writeFileAtomic(target, result.text, mode);
  return { outcome: 'written', path, changed: result.changed, replacedDoi: result.replacedDoi, reformatted: result.reformatted };
}

/** What --write-doi did to one CITATION.cff, as an upload's --json reports it. */
export interface CitationResult {
  path: string;
  outcome: WriteDoiOutcome['outcome'];
  doi: string;
  versionDoi: string;
}

/**
 * --write-doi for the folders of an upload: `dois` into the CITATION.cff of each (a folder without one
 * gets a warning, never a new file), each outcome said once. `changed`: a file was written, so what is
 * sent must be read again.
 */
export async function writeDoiToFolders(log: Pick<Log, 'info' | 'warn'>, cwd: string, inputs: LocalInput[], dois: RecordDois): Promise<{ citation: CitationResult[]; changed: boolean }> {
  const folders = citationFolders(inputs);
  if (!folders.length) log.warn(`--write-doi: none of the paths to upload is a folder or a ${CFF_FILE}, so no DOI was written (rdp creates no ${CFF_FILE}).`);
  const citation: CitationResult[] = [];
  let changed = false;
  for (const folder of folders) {
    const r = await writeDoiToCitation(folder, dois);
    const shown = relativeTo(cwd, r.path);
    citation.push({ path: shown, outcome: r.outcome, doi: dois.concept, versionDoi: dois.version });
    if (r.outcome === 'no-file') log.warn(`--write-doi: ${relativeTo(cwd, folder) || '.'} has no ${CFF_FILE}; rdp creates none (add one to have the DOI cited).`);
    else if (r.outcome === 'unchanged') log.info(`${shown} cites ${dois.concept} already.`);
    else {
      changed = true;
      if (r.replacedDoi) log.warn(`${shown} named the DOI ${r.replacedDoi}; it now names ${dois.concept}.`);
      log.info(`Wrote DOI ${dois.concept}${dois.version !== dois.concept ? ` (this version: ${dois.version})` : ''} into ${shown}.`);
    }
  }
  return { citation, changed };
}

function relativeTo(cwd: string, path: string): string {
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path === cwd ? '' : path;
}
