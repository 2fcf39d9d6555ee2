// MD5 of a file computed on a worker thread, so that hashing (as fast as the network on loopback, and
// single-threaded) runs beside the upload instead of in series with it. The worker reads the file
// itself (from the page cache, which the upload is reading too) into one reused buffer: no chunks are
// copied between threads and no garbage is made. If the file changes during the upload, the hash and
// the server's checksum disagree and the upload fails loudly; it can never pass wrongly.
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../errors/errors.js';

/** Below this size hashing inline costs less than starting a worker. */
export const WORKER_HASH_MIN_BYTES = 8 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
const hash = createHash('md5');
const fd = openSync(workerData.path, 'r');
try {
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    hash.update(n === buf.length ? buf : buf.subarray(0, n));
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

export function md5FileInWorker(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(new CancelledError()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (md5: string) => finish(() => resolve(md5)));
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`the hashing thread for ${path} stopped (exit ${code})`))));
  });
}
