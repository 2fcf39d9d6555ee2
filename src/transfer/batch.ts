// Sending many sources N at a time with one progress display: every item streams from disk (constant
// memory), is hashed while it goes out, retried from a fresh stream by the HTTP layer, and checked by
// the caller's `verify` (a server checksum, say). One item failing does not stop the others; the
// results say what happened to each. Knows nothing about any particular service.
import type { TransferProgress } from '../output/progress.js';
import type { HttpClient, Method } from '../http/client.js';
import { runPool, type Settled } from './pool.js';
import { type SendResult, sendSource } from './send.js';
import type { UploadSource } from './source.js';

export interface BatchItem {
  source: UploadSource;
  method: Extract<Method, 'PUT' | 'POST'>;
  /** A path under the client's base or an absolute URL. */
  path: string;
  headers?: Record<string, string> | undefined;
}

export interface BatchOptions<I extends BatchItem, R> {
  http: HttpClient;
  items: readonly I[];
  concurrency: number;
  progress: TransferProgress;
  signal?: AbortSignal | undefined;
  /** Statuses besides 2xx that mean success. */
  accept?: readonly number[] | undefined;
  /** Check a finished send; throw to fail the item. Its return value is kept in the result. */
  verify?: ((item: I, sent: SendResult) => R | Promise<R>) | undefined;
}

export interface BatchDone<R> {
  sent: SendResult;
  value: R;
}

export async function sendBatch<I extends BatchItem, R = undefined>(opts: BatchOptions<I, R>): Promise<Settled<BatchDone<R>>[]> {
  const { progress } = opts;
  return runPool(
    opts.items,
    opts.concurrency,
    async (item) => {
      const name = item.source.name;
      progress.begin(name, item.source.size);
      try {
        const sent = await sendSource({
          http: opts.http,
          method: item.method,
          path: item.path,
          headers: item.headers,
          source: item.source,
          accept: opts.accept,
          signal: opts.signal,
          onProgress: (n) => progress.update(name, n),
          onRestart: () => progress.restart(name, 'the transfer failed'),
        });
        const value = (opts.verify ? await opts.verify(item, sent) : undefined) as R;
        progress.complete(name);
        return { sent, value };
      } catch (err) {
        if (!opts.signal?.aborted) progress.fail(name, err instanceof Error ? err.message : String(err));
        throw err;
      }
    },
    opts.signal,
  );
}
