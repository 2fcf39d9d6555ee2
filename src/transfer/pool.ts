// Run tasks N at a time. Every task runs to its own end (one failed file does not stop the others);
// the results say which succeeded. An aborted signal stops new tasks from starting.
import { CancelledError } from '../errors/errors.js';

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      if (signal?.aborted) {
        results[i] = { ok: false, error: new CancelledError() };
        continue;
      }
      try {
        results[i] = { ok: true, value: await task(items[i] as T, i) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
