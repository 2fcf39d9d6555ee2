// What an upload sends: a named byte stream of known size that can be opened again for every attempt
// (a consumed stream is never replayed). A file on disk, or a zip archive built on the fly from many
// files (stored, not compressed: its exact size is known before the first byte, so the request
// carries a Content-Length, and no temporary file is ever written; see ./zip.ts).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { FailureError } from '../errors/errors.js';
import type { LocalFile } from './local.js';
import { planZip, zipStream } from './zip.js';

export interface UploadSource {
  /** The name on the remote side. */
  name: string;
  /** What to call it in messages (a local path, or "3 files as data.zip"). */
  label: string;
  size: number;
  /** A fresh stream of the whole content. */
  open(): Readable;
  /** Set when the content is exactly this file on disk (it can then be hashed on another thread). */
  file?: string | undefined;
  /**
   * Whether the files behind the source still are what was planned (size and modification time):
   * the error that says which one changed, or undefined. Asked after a send, and when the bytes read
   * were not the bytes announced.
   */
  verify?: (() => Promise<FileChangedError | undefined>) | undefined;
}

/** A local file changed (grew, shrank, was rewritten) between planning and the end of its sending. */
export class FileChangedError extends FailureError {
  constructor(path: string, what: string) {
    super('FILE_CHANGED', `${path} changed while being sent (${what}).`, {
      hint: 'Something is still writing to it: wait until it is finished, then run the command again.',
      details: { file: path },
    });
  }
}

/** The planned state of a file compared with the disk now. */
export async function checkUnchanged(file: Pick<LocalFile, 'path' | 'size'> & { mtimeMs?: number | undefined }, shown = file.path): Promise<FileChangedError | undefined> {
  let now;
  try {
    now = await stat(file.path);
  } catch (err) {
    return new FileChangedError(shown, `it is gone: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (now.size !== file.size) return new FileChangedError(shown, `${file.size} bytes when rdp started, ${now.size} now`);
  if (file.mtimeMs !== undefined && now.mtimeMs !== file.mtimeMs) return new FileChangedError(shown, 'it was modified after rdp started');
  return undefined;
}

/** Read size for files: large enough for few syscalls, small enough to keep memory flat. */
export const READ_CHUNK = 1 << 20;

/**
 * A read stream of the first `size` bytes of a file (a file that grew since it was planned yields no
 * more than the size announced; one that shrank yields fewer, which the sender notices). Node allocates
 * a whole highWaterMark per read even for a small file, so a folder of many small files would churn
 * through 1 MiB buffers (garbage that counts towards peak RSS until the next GC); small files get a
 * buffer of their own size.
 */
export function openFile(path: string, size: number): Readable {
  if (size === 0) return Readable.from([]);
  return createReadStream(path, { start: 0, end: size - 1, highWaterMark: Math.min(READ_CHUNK, Math.max(16 * 1024, size)) });
}

export function fileSource(file: Pick<LocalFile, 'path' | 'size'> & { mtimeMs?: number | undefined }, name: string, label = file.path): UploadSource {
  return {
    name,
    label,
    size: file.size,
    open: () => openFile(file.path, file.size),
    file: file.path,
    verify: () => checkUnchanged(file, label),
  };
}

export interface ZipEntry {
  path: string;
  /** Name inside the archive (POSIX separators). */
  rel: string;
  size: number;
  mtimeMs: number;
  mode: number;
}

/**
 * A zip archive of `entries` (stored, see ./zip.ts), streamed, its exact size known up front. A file
 * that changes size while being read fails the stream instead of producing a corrupt archive.
 */
export async function zipSource(entries: ZipEntry[], name: string, label: string): Promise<UploadSource> {
  const plan = planZip(entries);
  return {
    name,
    label,
    size: plan.size,
    verify: async () => {
      for (const e of entries) {
        const changed = await checkUnchanged(e);
        if (changed) return changed;
      }
      return undefined;
    },
    // An entry whose bytes do not add up (EntrySizeError) fails the stream; the sender then asks
    // verify() which file changed.
    open: () => zipStream(plan, (e) => openFile(e.path, e.size)),
  };
}
