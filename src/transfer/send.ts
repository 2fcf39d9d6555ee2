// Sending one source: streamed from disk with constant memory, MD5 computed while the bytes go out,
// progress reported as they go, and retried by the HTTP layer (which re-opens the source for every
// attempt, so a retry resends from a fresh stream and the hash starts over). A POST (which creates
// something) is resent after a network failure only while its body was still going out: a server
// that has not received the whole body cannot have acted on it.
import { createHash, type Hash } from 'node:crypto';
import { FailureError, RdpError } from '../errors/errors.js';
import type { HttpClient, HttpRequest, Method, ResponseHeaders, RetryPolicy } from '../http/client.js';
import type { FileChangedError, UploadSource } from './source.js';

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
  /**
   * A file that changed after its bytes were read (found by a look at the disk once the server has
   * answered) is an error by default; with this, the send succeeds and this is told instead.
   */
  onChangedAfterSend?: ((err: FileChangedError) => void) | undefined;
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

/**
 * The source's chunks, counted and (optionally) hashed on their way to the socket: each chunk is read
 * once, hashed and handed on in the same buffer. The source is held to the size it announced as
 * Content-Length: more or fewer bytes end the body with an error that says why (a file that changed
 * while being read, or rdp's own fault), never with the network error the HTTP client would report
 * for a length mismatch; a read failure is a local error, not a network one.
 */
async function* metered(source: UploadSource, hash: Hash | undefined, onBytes: (n: number) => void): AsyncGenerator<Buffer, void, undefined> {
  let bytes = 0;
  try {
    for await (const chunk of source.chunks()) {
      if (bytes + chunk.length > source.size) throw await lengthError(source, bytes + chunk.length);
      hash?.update(chunk);
      bytes += chunk.length;
      onBytes(bytes);
      yield chunk;
    }
  } catch (err) {
    throw await readError(source, err);
  }
  if (bytes !== source.size) throw await lengthError(source, bytes);
}

/** Why a source produced `got` bytes instead of its size: a file changed, or (never expected) rdp erred. */
async function lengthError(source: UploadSource, got: number): Promise<RdpError> {
  const changed = await source.verify?.().catch(() => undefined);
  if (changed) return changed;
  return new FailureError('LENGTH_MISMATCH', `rdp announced ${source.size} bytes for ${source.label} but produced ${got > source.size ? 'more' : got}: this is a fault in rdp, not in the network. Nothing was stored.`, {
    hint: 'Please report it (with the output of --debug); meanwhile, sending the files in smaller groups may avoid it.',
  });
}

/** A failure to read the source (a file removed, permissions changed): a local error, not a network one. */
async function readError(source: UploadSource, err: unknown): Promise<unknown> {
  if (err instanceof RdpError) return err;
  const changed = await source.verify?.().catch(() => undefined);
  if (changed) return changed;
  const code = (err as NodeJS.ErrnoException).code;
  return new FailureError('READ_ERROR', `Cannot read ${source.label} while sending it: ${code ?? (err as Error).message}.`, {
    hint: 'Check the files (permissions, a disk that went away), then run the command again.',
    cause: err,
  });
}

export async function sendSource(opts: SendOptions): Promise<SendResult> {
  const { source } = opts;
  let attempts = 0;
  let hash: Hash | undefined;
  /** Bytes passed on to the HTTP client in the current attempt. */
  let sent = 0;
  /** The current attempt's body: closed when the next attempt starts and when the send ends. */
  let current: AsyncGenerator<Buffer, void, undefined> | undefined;
  const body = () => {
    attempts += 1;
    if (attempts > 1) opts.onRestart?.(attempts);
    void current?.return(undefined).catch(() => {});
    hash = opts.md5 !== false ? createHash('md5') : undefined;
    sent = 0;
    current = metered(source, hash, (n) => {
      sent = n;
      opts.onProgress?.(n);
    });
    return current;
  };
  // The body is incomplete while not every byte has been passed on (bytes passed on may still
  // sit in socket buffers, so a cut after the last byte is never taken for an incomplete body).
  const unsent = () => sent < source.size;
  const postRetry: RetryPolicy = (f) =>
    f.status !== undefined ? f.status === 429 || f.status === 503 : f.code === 'ECONNREFUSED' || f.code === 'EAI_AGAIN' || unsent();
  const retry = opts.method === 'POST' && (opts.retry ?? 'auto') === 'auto' ? postRetry : opts.retry;
  const { res, text } = await opts.http
    .exchange({
      method: opts.method,
      path: opts.path,
      query: opts.query,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(source.size), ...opts.headers },
      body,
      retry,
      accept: opts.accept,
      anonymous: opts.anonymous,
      timeoutMs: opts.timeoutMs ?? 15 * 60_000,
      progress: { total: source.size, sent: () => sent },
      signal: opts.signal,
    })
    // undici does not close an iterable body it stops reading (a cut, an early answer): close the file.
    .finally(() => void current?.return(undefined).catch(() => {}));
  // A file that changed after its bytes were read went out whole and consistent, but older than
  // what is on disk now: say so (the size and modification time tell).
  const changed = await source.verify?.();
  if (changed) {
    if (opts.onChangedAfterSend) opts.onChangedAfterSend(changed);
    else throw changed;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    md5: hash?.digest('hex'),
    bytes: sent,
    attempts,
  };
}
