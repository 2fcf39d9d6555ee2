// What an upload sends: a named byte stream of known size that can be read again for every attempt
// (a consumed stream is never replayed). A file on disk, or a zip archive built on the fly from many
// files (stored, not compressed: its exact size is known before the first byte, so the request
// carries a Content-Length, and no temporary file is ever written; see ./zip.ts). Both are read into
// reused buffers (./chunks.ts), so memory stays flat whatever the size.
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { FailureError } from '../errors/errors.js';
import { copied, FileReader, fileChunks } from './chunks.js';
import type { LocalFile } from './local.js';
import { planZip, zipChunks } from './zip.js';

export interface UploadSource {
  /** The name on the remote side. */
  name: string;
  /** What to call it in messages (a local path, or "3 files as data.zip"). */
  label: string;
  size: number;
  /**
   * The whole content, read afresh, in chunks read into reused buffers: a chunk is valid only until the
   * next one is asked for (./chunks.ts). What the sender hands to the HTTP client.
   */
  chunks(): AsyncIterable<Buffer>;
  /** The whole content as a stream of fresh buffers (for consumers that keep chunks). */
  open(): Readable;
  /** Set when the content is exactly this file on disk (a multipart upload reads it in ranges). */
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
  constructor(path: string, what: string, gone = false) {
    super('FILE_CHANGED', `${path} changed while being sent (${what}).`, {
      hint: gone
        ? 'It was removed or renamed while rdp sent it: put it back (or leave it out of the command), then run the command again.'
        : 'Something is still writing to it: wait until it is finished, then run the command again.',
      details: { file: path },
    });
  }
}

/** The planned state of a file compared with the disk now. */
export async function checkUnchanged(file: Pick<LocalFile, 'path' | 'size'> & { mtimeMs?: number | undefined }, shown = file.path): Promise<FileChangedError | undefined> {
  return changedSince(file, shown);
}

/**
 * The same, with a blocking stat: a zip of 10,000 files is looked at again file by file after it was
 * sent, and one stat is cheaper than the thread-pool round trip of an asynchronous one.
 */
function changedSince(file: Pick<LocalFile, 'path' | 'size'> & { mtimeMs?: number | undefined }, shown: string): FileChangedError | undefined {
  let now;
  try {
    now = statSync(file.path);
  } catch (err) {
    return new FileChangedError(shown, `it is gone: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, true);
  }
  if (now.size !== file.size) return new FileChangedError(shown, `${file.size} bytes when rdp started, ${now.size} now`);
  if (file.mtimeMs !== undefined && now.mtimeMs !== file.mtimeMs) return new FileChangedError(shown, 'it was modified after rdp started');
  return undefined;
}

/**
 * A stream of the first `size` bytes of a file (a file that grew since it was planned yields no more
 * than the size announced; one that shrank yields fewer, which the sender notices).
 */
export function openFile(path: string, size: number): Readable {
  return Readable.from(copied(fileChunks(path, size)), { objectMode: false });
}

export function fileSource(file: Pick<LocalFile, 'path' | 'size'> & { mtimeMs?: number | undefined }, name: string, label = file.path): UploadSource {
  return {
    name,
    label,
    size: file.size,
    chunks: () => fileChunks(file.path, file.size),
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
 * that shrinks while being read fails the stream instead of producing a corrupt archive.
 */
export async function zipSource(entries: ZipEntry[], name: string, label: string): Promise<UploadSource> {
  const plan = planZip(entries);
  return {
    name,
    label,
    size: plan.size,
    verify: async () => {
      for (const e of entries) {
        const changed = changedSince(e, e.path);
        if (changed) return changed;
      }
      return undefined;
    },
    // An entry whose bytes do not add up (EntrySizeError) fails the stream; the sender then asks
    // verify() which file changed.
    chunks: () => zipChunks(plan, (e) => FileReader.open(e.path)),
    open: () => Readable.from(copied(zipChunks(plan, (e) => FileReader.open(e.path))), { objectMode: false }),
  };
}
