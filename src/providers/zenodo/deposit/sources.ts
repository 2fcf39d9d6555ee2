// What a Zenodo upload sends, decided from local input alone (before anything remote is touched):
// the remote name of every file, the names Zenodo cannot hold, collisions, and the record's limits.
//
// Zenodo records hold a flat list of files, so a folder's files are named relative to the folder
// and a file in a subfolder (a name with "/") is refused, with a hint to use --zip. `--zip NAME.zip`
// sends everything as one stored zip archive built on the fly, with the subfolders kept inside it.
import { basename, resolve } from 'node:path';
import { InputError } from '../../../errors/errors.js';
import { formatBytes } from '../../../output/format.js';
import { excludeFlag, type LocalFile, type LocalInput } from '../../../transfer/local.js';
import { fileSource, type UploadSource, zipSource } from '../../../transfer/source.js';

/** Zenodo's limits per record (providers.md 1.7), 10^9-based. */
export const ZENODO_LIMITS = { files: 100, recordBytes: 50e9, fileBytes: 50e9 };

export interface LocalPlan {
  sources: UploadSource[];
  /** Every local file, for messages. */
  files: LocalFile[];
  totalBytes: number;
}

/** Why Zenodo cannot hold a file name, or undefined when it can. */
export function badName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'it is empty or a dot name';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  if (name.includes('\\')) return 'it contains a backslash';
  if (Buffer.byteLength(name) > 255) return 'it is longer than 255 bytes';
  return undefined;
}

function listSome(names: string[], n = 3): string {
  const shown = names.slice(0, n).join(', ');
  return names.length > n ? `${shown} and ${names.length - n} more` : shown;
}

export async function planSources(inputs: LocalInput[], zip: string | undefined): Promise<LocalPlan> {
  const files = inputs.flatMap((i) => i.files);
  // The same file named twice (a folder and a file inside it) is sent once.
  const unique = new Map<string, LocalFile>();
  const byName = new Map<string, LocalFile>();
  for (const f of files) {
    const prev = byName.get(f.rel);
    if (prev && prev.path === f.path) continue;
    if (prev) {
      throw new InputError('NAME_COLLISION', `${prev.path} and ${f.path} would both be uploaded as "${f.rel}".`, {
        hint: 'Rename one of them, or name their common parent folder instead (with --zip to keep the subfolders).',
      });
    }
    byName.set(f.rel, f);
    unique.set(f.path + '\0' + f.rel, f);
  }
  const all = [...unique.values()];
  const totalBytes = all.reduce((n, f) => n + f.size, 0);

  for (const f of all) {
    const why = badName(basename(f.rel));
    if (why) throw new InputError('BAD_FILE_NAME', `Zenodo cannot hold a file named ${JSON.stringify(f.rel)}: ${why}.`, { hint: 'Rename the file, or send the folder as one archive with --zip NAME.zip.' });
    if (f.size > ZENODO_LIMITS.fileBytes) {
      throw new InputError('FILE_TOO_LARGE', `${f.path} is ${formatBytes(f.size)}; Zenodo takes at most ${formatBytes(ZENODO_LIMITS.fileBytes)} per file.`, {
        hint: 'Split the file into parts of less than 50 GB.',
      });
    }
  }
  if (totalBytes > ZENODO_LIMITS.recordBytes) {
    throw new InputError('RECORD_TOO_LARGE', `The files add up to ${formatBytes(totalBytes)}; a Zenodo record holds at most ${formatBytes(ZENODO_LIMITS.recordBytes)}.`, {
      hint: 'Spread the data over several records, or ask Zenodo for a larger quota.',
    });
  }

  if (zip !== undefined) {
    const src = await zipSource(all, zip, `${all.length} file${all.length === 1 ? '' : 's'} as ${zip}`);
    if (src.size > ZENODO_LIMITS.fileBytes) {
      throw new InputError('FILE_TOO_LARGE', `${zip} would be ${formatBytes(src.size)}; Zenodo takes at most ${formatBytes(ZENODO_LIMITS.fileBytes)} per file.`);
    }
    return { sources: [src], files: all, totalBytes: src.size };
  }

  const nested = all.filter((f) => f.rel.includes('/'));
  if (nested.length) {
    const folders = [...new Set(nested.map((f) => f.from))];
    throw new InputError('NESTED_FOLDERS', `${folders.join(', ')} has files in subfolders (${listSome(nested.map((f) => f.rel))}), and a Zenodo record holds a flat list of files.`, {
      hint: `Send the folder as one zip archive with --zip ${basename(folders[0] ?? 'data').replace(/[^A-Za-z0-9._-]/g, '_') || 'data'}.zip (the subfolders are kept inside it), or name the files to upload.`,
    });
  }
  // Zenodo refuses a file of 0 bytes (400 "Empty files are not accepted.", providers.md 0.1): said
  // before a draft exists, with the ways on. Inside a zip an empty file is fine.
  const empty = all.filter((f) => f.size === 0);
  if (empty.length) {
    const first = empty[0] as LocalFile;
    const inFolder = resolve(first.from) !== first.path; // else named on the command line itself
    throw new InputError('EMPTY_FILE', `${listSome(empty.map((f) => f.rel))} ${empty.length === 1 ? 'is an empty file' : 'are empty files'} (0 bytes), and Zenodo does not accept empty files. Nothing was sent.`, {
      hint: `Leave ${empty.length === 1 ? 'it' : 'them'} out (${inFolder ? excludeFlag(first.rel) : 'do not name it'}), or send everything as one zip archive with --zip NAME.zip (a zip holds empty files).`,
    });
  }
  if (all.length > ZENODO_LIMITS.files) {
    throw new InputError('TOO_MANY_FILES', `${all.length} files; a Zenodo record holds at most ${ZENODO_LIMITS.files}.`, {
      hint: 'Send them as one archive with --zip NAME.zip, or spread them over several records.',
    });
  }
  return { sources: all.map((f) => fileSource(f, f.rel, f.path)), files: all, totalBytes };
}
