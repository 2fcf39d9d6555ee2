// Sending one source: streamed from disk with constant memory, MD5 computed while the bytes go out,
// progress reported as they go, and retried by the HTTP layer (which re-opens the source for every
// attempt, so a retry resends from a fresh stream and the hash starts over). A POST (which creates
// something) is resent after a network failure only while its body was still going out: a server
// that has not received the whole body cannot have acted on it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { HttpClient, HttpRequest, Method, ResponseHeaders, RetryPolicy } from '../providers/http.js';
import { md5FileInWorker, WORKER_HASH_MIN_BYTES } from './md5-worker.js';
import type { UploadSource } from './source.js';

export interface SendOptions extends Pick<HttpRequest, 'query' | 'headers' | 'retry' | 'accept' | 'signal' | 'anonymous'> {
  http: HttpClient;
  method: Extract<Method, 'PUT' | 'POST'>;
  /** A path under the client's base or an absolute URL (e.g. a Zenodo bucket link). */
  path: string;
  source: UploadSource;
  /** Compute the MD5 of what was sent (default true). */
  md5?: boolean | undefined;
  /** Bytes of this source sent so far in the current attempt. */
  onProgress?: ((sent: number) => void) | undefined;
  /** A new attempt starts from byte 0. */
  onRestart?: ((attempt: number) => void) | undefined;
  /** Time allowed for the answer after the last byte (servers checksum large files). */
  timeoutMs?: number | undefined;
}

export interface SendResult {
  status: number;
  headers: ResponseHeaders;
  /** The response body (the servers answer JSON or text here). */
  text: string;
  /** Hex MD5 of the bytes sent in the successful attempt. */
  md5?: string | undefined;
  bytes: number;
  attempts: number;
}

/** Counts (and optionally hashes) the bytes flowing through. */
class Meter extends Transform {
  bytes = 0;
  constructor(
    private readonly hash: Hash | undefined,
    private readonly onBytes: ((n: number) => void) | undefined,
  ) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
}

export async function sendSource(opts: SendOptions): Promise<SendResult> {
  const { source } = opts;
  let attempts = 0;
  let hash: Hash | undefined;
  let meter: Meter | undefined;
  // A large file on disk is hashed on a worker thread while the bytes go out; anything else inline.
  const wantMd5 = opts.md5 !== false;
  const hashAside = wantMd5 && source.file !== undefined && source.size >= WORKER_HASH_MIN_BYTES;
  let aside: Promise<string> | undefined;
  const body = () => {
    attempts += 1;
    if (attempts > 1) opts.onRestart?.(attempts);
    if (hashAside && source.file) {
      aside ??= md5FileInWorker(source.file, opts.signal);
      aside.catch(() => {}); // awaited below; a failure here must not be an unhandled rejection
    }
    hash = wantMd5 && !hashAside ? createHash('md5') : undefined;
    meter = new Meter(hash, opts.onProgress);
    const input = source.open();
    input.on('error', (err) => meter?.destroy(err));
    return input.pipe(meter);
  };
  // The body is incomplete while the meter has not passed every byte on (bytes passed on may still
  // sit in socket buffers, so a cut after the last byte is never taken for an incomplete body).
  const unsent = () => (meter?.bytes ?? 0) < source.size;
  const postRetry: RetryPolicy = (f) =>
    f.status !== undefined ? f.status === 429 || f.status === 503 : f.code === 'ECONNREFUSED' || f.code === 'EAI_AGAIN' || unsent();
  const retry = opts.method === 'POST' && (opts.retry ?? 'auto') === 'auto' ? postRetry : opts.retry;
  const res = await opts.http.request({
    method: opts.method,
    path: opts.path,
    query: opts.query,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(source.size), ...opts.headers },
    body,
    retry,
    accept: opts.accept,
    anonymous: opts.anonymous,
    timeoutMs: opts.timeoutMs ?? 15 * 60_000,
    signal: opts.signal,
  });
  const text = await res.body.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    md5: aside ? await aside : hash?.digest('hex'),
    bytes: meter?.bytes ?? 0,
    attempts,
  };
}
