// Atomic file writes: write a temporary file in the same directory with the final mode, fsync it,
// then rename it over the target. A crash or a full disk leaves the old file intact, never half a file.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // the umask may have narrowed or widened what open() set
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Stream into a temporary file beside `path` (same directory, so the rename cannot cross file
 * systems), fsync it, then rename it over `path`. On any failure — a cut connection, a check in one of
 * the transforms, Ctrl-C — the temporary file is removed and `path` is left as it was: a download
 * either arrives whole or not at all.
 */
export async function writeStreamAtomic(
  path: string,
  source: Readable,
  transforms: Transform[] = [],
  opts: { mode?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.part`);
  // Open first: a write stream that opens its file by itself may create it after a failure was
  // already cleaned up, leaving a stray temporary file behind.
  const sink = (await open(tmp, 'wx', opts.mode ?? 0o666)).createWriteStream(); // closes the handle when done
  try {
    await pipeline([source, ...transforms, sink], opts.signal ? { signal: opts.signal } : {});
    // fsync works on the file, whichever descriptor asks: make the bytes durable before the rename.
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    if (!sink.closed) await once(sink, 'close').catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
