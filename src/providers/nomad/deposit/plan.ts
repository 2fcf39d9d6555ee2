// What `rdp upload … --to nomad` sends, decided before any byte goes out (SPEC.md section 5).
//   One .zip / .tar / .tar.gz / .tgz file: sent as it is (its first bytes must say it is that archive).
//   Anything else is streamed as ONE zip built on the fly (stored entries, exact size up front, no
//   temporary file). Layout of that zip:
//     one folder          its contents at the root           rdp upload run1        -> INCAR, out/OUTCAR
//     one plain file      the file at the root               rdp upload vasprun.xml -> vasprun.xml
//     several inputs      each file under its base name,     rdp upload run1 run2 notes.txt
//                         each folder under its own name       -> run1/INCAR, run2/INCAR, notes.txt
//   Two inputs that would land on the same path (a/data.csv and b/data.csv; folders x/run and y/run;
//   a file `run` and a folder `run`) are refused: nothing is silently overwritten.
// NOMAD takes at most 32 GiB per upload (providers.md 2.5: 34359738368 bytes).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { InputError } from '../../../errors/errors.js';
import { formatBytes } from '../../../output/format.js';
import { type LocalInput, readInputs, type SelectionOptions } from '../../../transfer/local.js';
import { fileSource, type UploadSource, type ZipEntry, zipSource } from '../../../transfer/source.js';
import type { UploadSelection } from '../../../store/upload-state.js';
import { archiveKind, MAGIC_BYTES } from '../../../util/magic.js';

export const NOMAD_MAX_UPLOAD_BYTES = 32 * 1024 ** 3;

export interface NomadPlan {
  /** `archive`: one archive sent as is; `zip`: files and folders zipped on the fly. */
  kind: 'archive' | 'zip';
  source: UploadSource;
  /** `file_name` for NOMAD. */
  fileName: string;
  /** The upload name NOMAD shows when --name is not given. */
  defaultName: string;
  /** Files inside the zip (1 for an archive sent as is). */
  files: number;
  /** Where each file goes (the zip's entries, or the archive itself). */
  entries: { name: string; size: number }[];
  /** What the named folders leave out, and why (the same selection as for Zenodo). */
  skipped: { path: string; why: string }[];
  /** The selection's fingerprint (names in the upload, sizes, modification times), for the same command run again. */
  selection: UploadSelection;
}

/** A hash of what an upload would hold: how it is sent, and each file's name, size and modification time. */
function selectionOf(kind: NomadPlan['kind'], fileName: string, files: { rel: string; size: number; mtimeMs: number }[]): UploadSelection {
  const list = files.map((f) => [f.rel, f.size, Math.trunc(f.mtimeMs)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const fingerprint = createHash('sha256').update(JSON.stringify([kind, fileName, list])).digest('hex');
  return { fingerprint, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
}

const ARCHIVE_EXT: [RegExp, 'zip' | 'tar' | 'gzip'][] = [
  [/\.zip$/i, 'zip'],
  [/\.(tar\.gz|tgz)$/i, 'gzip'],
  [/\.tar$/i, 'tar'],
];

function archiveByName(name: string): 'zip' | 'tar' | 'gzip' | undefined {
  return ARCHIVE_EXT.find(([re]) => re.test(name))?.[1];
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAGIC_BYTES);
    const { bytesRead } = await fh.read(buf, 0, MAGIC_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const KIND_NAME = { zip: 'a zip archive', tar: 'a tar archive', gzip: 'a gzip-compressed tar archive' } as const;

/** A name NOMAD accepts as `file_name` (no separators). */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[/\\\0]/g, '_').trim();
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'upload';
}

/** Where each file goes in the zip, with collisions refused. */
export function zipLayout(inputs: LocalInput[]): ZipEntry[] {
  const single = inputs.length === 1;
  const entries: ZipEntry[] = [];
  const owner = new Map<string, string>(); // archive path -> the argument it came from
  const dirs = new Map<string, string>(); // folder paths inside the archive -> argument
  const clash = (path: string, a: string, b: string) =>
    new InputError('NAME_COLLISION', `Two inputs would land on the same path in the upload, "${path}": ${a === b ? a : `${a} and ${b}`}.`, {
      hint: 'Rename one of them, or upload the folder that holds them both instead.',
    });
  for (const input of inputs) {
    const top = basename(input.path);
    for (const f of input.files) {
      const rel = single || input.kind === 'file' ? f.rel : `${top}/${f.rel}`;
      const prev = owner.get(rel) ?? dirs.get(rel);
      if (prev !== undefined) throw clash(rel, prev, input.arg);
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        const file = owner.get(dir);
        if (file !== undefined) throw clash(dir, file, input.arg);
        dirs.set(dir, input.arg);
      }
      owner.set(rel, input.arg);
      entries.push({ path: f.path, rel, size: f.size, mtimeMs: f.mtimeMs, mode: f.mode });
    }
  }
  return entries;
}

/** The name of the folder that holds every input (the upload name for several inputs). */
function commonParentName(inputs: LocalInput[], cwd: string): string {
  const parents = inputs.map((i) => dirname(i.path).split(sep));
  const first = parents[0] ?? [];
  let n = first.length;
  for (const p of parents) {
    let i = 0;
    while (i < n && p[i] === first[i]) i++;
    n = i;
  }
  return first[n - 1] || basename(resolve(cwd)) || 'upload';
}

export async function planNomadUpload(args: string[], cwd: string, selection: SelectionOptions = {}): Promise<NomadPlan> {
  const inputs = await readInputs(args, cwd, selection);
  const skipped = inputs.flatMap((i) => i.skipped.map((x) => ({ path: `${i.arg.replace(/\/+$/, '')}/${x.rel}`, why: x.why })));
  const only = inputs.length === 1 ? inputs[0] : undefined;
  const onlyFile = only?.kind === 'file' ? only.files[0] : undefined;
  const byName = onlyFile ? archiveByName(onlyFile.rel) : undefined;

  let plan: NomadPlan;
  if (only && onlyFile && byName) {
    if (onlyFile.size === 0) {
      throw new InputError('EMPTY_FILE', `${only.arg} is empty.`, { hint: 'Name an archive that holds the data.' });
    }
    const actual = archiveKind(await head(onlyFile.path));
    if (actual !== byName && !(byName === 'tar' && actual === 'gzip')) {
      throw new InputError('NOT_AN_ARCHIVE', `${only.arg} is named like ${KIND_NAME[byName]} but its content is ${actual ? KIND_NAME[actual] : 'not an archive NOMAD can extract'}.`, {
        hint: 'NOMAD decides by content: give the file its right extension, or upload its folder so that rdp zips it.',
      });
    }
    plan = {
      kind: 'archive',
      source: fileSource(onlyFile, onlyFile.rel, only.arg),
      fileName: onlyFile.rel,
      defaultName: onlyFile.rel,
      files: 1,
      entries: [{ name: onlyFile.rel, size: onlyFile.size }],
      skipped,
      selection: selectionOf('archive', onlyFile.rel, [onlyFile]),
    };
  } else {
    const entries = zipLayout(inputs);
    const name = only ? (only.kind === 'folder' ? basename(only.path) || basename(resolve(cwd)) : basename(only.path)) : commonParentName(inputs, cwd);
    const fileName = `${safeFileName(name)}.zip`;
    const label = `${entries.length} file${entries.length === 1 ? '' : 's'} as ${fileName}`;
    plan = {
      kind: 'zip',
      source: await zipSource(entries, fileName, label),
      fileName,
      defaultName: name,
      files: entries.length,
      entries: entries.map((e) => ({ name: e.rel, size: e.size })),
      skipped,
      selection: selectionOf('zip', fileName, entries),
    };
  }
  if (plan.source.size > NOMAD_MAX_UPLOAD_BYTES) {
    throw new InputError('RECORD_TOO_LARGE', `This upload would be ${formatBytes(plan.source.size)}; NOMAD takes at most 32 GiB (${formatBytes(NOMAD_MAX_UPLOAD_BYTES)}) per upload.`, {
      hint: 'Split the data into several uploads of at most 32 GiB each (for example one per folder).',
    });
  }
  return plan;
}
