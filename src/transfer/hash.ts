// MD5 of a source, read in reused buffers (constant memory, no garbage). Used to decide whether a file
// that is already on the server with the same name and size needs sending again; only then is a file
// read twice.
import { createHash } from 'node:crypto';
import { CancelledError } from '../errors/errors.js';
import type { UploadSource } from './source.js';

export async function md5Of(source: UploadSource, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('md5');
  let n = 0;
  // Leaving the loop (an abort, a read error) closes the file: for-await returns the generator.
  for await (const chunk of source.chunks()) {
    if (signal?.aborted) throw new CancelledError();
    hash.update(chunk);
    n += chunk.length;
    onBytes?.(n);
  }
  if (signal?.aborted) throw new CancelledError();
  return hash.digest('hex');
}
