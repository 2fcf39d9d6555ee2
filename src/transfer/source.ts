// What an upload sends: a named byte stream of known size that can be opened again for every attempt
// (a consumed stream is never replayed). A file on disk, or a zip archive built on the fly from many
// files (stored, not compressed: its exact size is known before the first byte, so the request
// carries a Content-Length, and no temporary file is ever written).
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type { LocalFile } from './local.js';

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
}

/** Read size for files: large enough for few syscalls, small enough to keep memory flat. */
export const READ_CHUNK = 1 << 20;

/**
 * A read stream for a file of known size. Node allocates a whole highWaterMark per read even for a
 * small file, so a folder of many small files would churn through 1 MiB buffers (garbage that counts
 * towards peak RSS until the next GC); small files get a buffer of their own size.
 */
export function openFile(path: string, size: number): Readable {
  return createReadStream(path, { highWaterMark: Math.min(READ_CHUNK, Math.max(16 * 1024, size)) });
}

export function fileSource(file: Pick<LocalFile, 'path' | 'size'>, name: string, label = file.path): UploadSource {
  return {
    name,
    label,
    size: file.size,
    open: () => openFile(file.path, file.size),
    file: file.path,
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

function buildZip(yazl: (typeof import('yazl'))['default'], entries: ZipEntry[], open: (e: ZipEntry) => Readable) {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    zip.addReadStreamLazy(
      e.rel,
      { size: e.size, compress: false, mtime: new Date(e.mtimeMs), mode: (e.mode & 0o7777) | 0o100000 },
      (cb) => cb(null, open(e)),
    );
  }
  let size = -1;
  zip.end(null, (s) => {
    size = s;
  });
  return { zip, size };
}

/**
 * A zip archive of `entries`, streamed. The size is computed up front by yazl (stored entries of
 * known size); a file that changes size while being read fails the stream instead of producing a
 * corrupt archive.
 */
export async function zipSource(entries: ZipEntry[], name: string, label: string): Promise<UploadSource> {
  const yazl = (await import('yazl')).default;
  // A dry run for the size: yazl reports it during end(); the placeholder streams are never read.
  const dry = buildZip(yazl, entries, () => new PassThrough());
  dry.zip.outputStream.on('error', () => {});
  dry.zip.on('error', () => {});
  dry.zip.outputStream.destroy();
  if (dry.size < 0) throw new Error('zip size could not be computed');
  return {
    name,
    label,
    size: dry.size,
    open: () => {
      const { zip } = buildZip(yazl, entries, (e) => openFile(e.path, e.size));
      const out = zip.outputStream;
      zip.on('error', (err: Error) => out.destroy(err));
      return out;
    },
  };
}
