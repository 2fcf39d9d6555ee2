// MD5 of a source, read in reused buffers (constant memory, no garbage). Used to decide whether a file
// that is already on the server with the same name and size needs sending again; only then is a file
// read twice.
import { createHash } from 'node:crypto';
import { CancelledError } from '../errors/errors.js';
import { FileReader } from './chunks.js';
import type { UploadSource } from './source.js';

/**
 * Bytes hashed between two turns of the event loop. Reads that are quick are blocking calls and a
 * resolved promise is no turn, so without these pauses a file of gigabytes held Ctrl-C, timers and
 * progress until it was hashed (3.8 s for two files of 1 GiB).
 */
export const TURN_BYTES = 8 * 1024 * 1024;

/**
 * Read size for a file that is only hashed (nothing waits for the bytes but the hash): one buffer this
 * small stays in the core's cache, where the kernel's copies into a larger one miss it. 1 GiB from the
 * page cache: 0.25 s of system time with 128 KiB reads, 0.68 s with 512 KiB, 0.76 s with 1 MiB
 * (bench/NOTES.md 14).
 */
export const HASH_READ = 128 * 1024;

/** The first `size` bytes of a file (fewer if it shrank) through one reused buffer: each is valid until the next is asked for. */
async function* hashReads(path: string, size: number): AsyncGenerator<Buffer, void, undefined> {
  const reader = FileReader.open(path);
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(HASH_READ, size)));
  try {
    for (let pos = 0; pos < size; ) {
      const got = reader.read(buf, 0, Math.min(buf.length, size - pos), pos);
      const n = typeof got === 'number' ? got : await got;
      if (n === 0) return;
      pos += n;
      yield buf.subarray(0, n);
    }
  } finally {
    await reader.close();
  }
}

export async function md5Of(source: UploadSource, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('md5');
  let n = 0;
  let sinceTurn = 0;
  // Leaving the loop (an abort, a read error) closes the file: for-await returns the generator.
  for await (const chunk of source.file !== undefined ? hashReads(source.file, source.size) : source.chunks()) {
    if (signal?.aborted) throw new CancelledError();
    hash.update(chunk);
    n += chunk.length;
    onBytes?.(n);
    sinceTurn += chunk.length;
    if (sinceTurn >= TURN_BYTES) {
      sinceTurn = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (signal?.aborted) throw new CancelledError();
  return hash.digest('hex');
}
