// MD5 of a source, read as a stream (constant memory). Used to decide whether a file that is already
// on the server with the same name and size needs sending again; only then is a file read twice.
import { createHash } from 'node:crypto';
import { CancelledError } from '../errors/errors.js';
import { md5FileInWorker, WORKER_HASH_MIN_BYTES } from './md5-worker.js';
import type { UploadSource } from './source.js';

export async function md5Of(source: UploadSource, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  if (source.file !== undefined && source.size >= WORKER_HASH_MIN_BYTES && !onBytes) return md5FileInWorker(source.file, signal);
  const hash = createHash('md5');
  const stream = source.open();
  const onAbort = () => stream.destroy(new CancelledError());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let n = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
      onBytes?.(n);
    }
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return hash.digest('hex');
}
