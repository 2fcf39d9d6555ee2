// The one HTTP client everything that talks HTTP uses (undici): provider clients, token endpoints,
// the DMP download. It joins paths onto the service's base, adds the User-Agent and credentials, paces
// requests under the server's rate limit (./rate-limit.ts), retries by the policy of ./retry.ts, logs
// requests for --debug with secrets redacted, and is the only place that turns an HTTP failure into an
// ApiError. It knows services only through its options (their name, URL variable and error bodies):
// nothing here imports a provider, and nothing here prints (notes go to the log port).
//
// It is also where rdp defends itself against servers that misbehave (SPEC.md section 4):
//   - credentials go only to the base's own origin (an absolute `links.*` URL on another host is
//     refused before any header is attached), and never over plain http:// to another machine;
//   - a server that accepts the connection and never answers ends with a clear TIMEOUT error: short
//     connect and header timeouts for API calls, and at most one retry after a timeout; uploads keep a
//     long allowance for the answer after their last byte;
//   - a body that trickles is cut at an overall deadline per answer, and an answer larger than any
//     API returns is refused at a size cap (read in chunks, so memory stays small);
//   - after some seconds without progress, a note on stderr says what rdp is waiting for.
// The limits come from httpLimits() (internal RDP_HTTP_* variables let the tests shorten them).
import { type Readable, Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ApiError, CancelledError, FailureError, NetworkError, RdpError } from '../errors/errors.js';
import { fmtMs, formatBytes } from '../output/format.js';
import { type Clock, type Log, systemClock } from '../ports.js';
import { redactUrl } from '../util/redact.js';
import { VERSION } from '../version.js';
import { describeNetError, type ErrorBodyReader, errCode, isTlsTrustError, looksLikeHtml, type ParsedError, parseJson, readErrorBody, TIMEOUT_CODES } from './errors.js';
import { header, type ResponseHeaders } from './headers.js';
import { parseRetryAfter, RateLimiter } from './rate-limit.js';
import { backoff as backoffFor, type RetryPolicy, type RetrySettings, retryNetworkFailure, retrySettings, retryStatus } from './retry.js';

export { header, type ResponseHeaders };
export type { RetryFailure, RetryPolicy } from './retry.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

/**
 * A request body. A function is called again for every attempt, so a stream can be re-opened. An async
 * iterable is written chunk by chunk, the next asked for once the socket has taken the last.
 */
export type BodySource = string | Uint8Array | (() => Readable | AsyncIterable<Uint8Array> | string | Uint8Array);

/** Join a base (which may carry a path prefix) and an absolute path of the service's API. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The service a client talks to, for messages: `zenodo`, `Zenodo`, `RDP_ZENODO_URL`. */
export interface ServiceName {
  id: string;
  name: string;
  /** The environment variable that sets its base URL (named in hints). */
  urlEnv: string;
  /** Everything that chooses its base, for hints (`RDP_ZENODO_URL (or the config's zenodo.url, or --sandbox)`). */
  baseSetting?: string | undefined;
}

export interface HttpRequest {
  method: Method;
  /** A path under the client's base (`/deposit/depositions`) or an absolute URL (a `links.*` value). */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  headers?: Record<string, string> | undefined;
  json?: unknown;
  form?: Record<string, string> | undefined;
  body?: BodySource | undefined;
  /** Send without credentials (token endpoints, public pages). */
  anonymous?: boolean | undefined;
  /** When a failed attempt may be repeated (see RetryPolicy). */
  retry?: RetryPolicy | undefined;
  /** Statuses to hand back instead of throwing (besides 2xx). */
  accept?: readonly number[] | undefined;
  /**
   * Time allowed for the response headers after the request was sent (an upload: after its last
   * byte). Default: the API-call limit of httpLimits().
   */
  timeoutMs?: number | undefined;
  /** For a streamed body: its size, and how much of it has been sent (for the note on a stall). */
  progress?: { total: number; sent(): number } | undefined;
  /** The OAuth scopes this endpoint needs: a missing-scope error names them (`read_dmps`). */
  scopes?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  url: string;
  body: Dispatcher.ResponseData['body'];
  /** `GET /api/x`, for messages. */
  what?: string | undefined;
  /** Epoch ms by which the whole body must have arrived (read with HttpClient.text()). */
  deadline?: number | undefined;
}

/** The HTTP layer's limits (milliseconds, bytes). */
export interface HttpLimits {
  /** Establishing a TCP/TLS connection. */
  connectTimeoutMs: number;
  /** An API call's response headers, after the request was sent. */
  headersTimeoutMs: number;
  /** Silence in the middle of a response body. */
  bodyTimeoutMs: number;
  /** A whole API answer (headers and body; for uploads and long calls: the body after the headers). */
  deadlineMs: number;
  /** The largest API answer rdp reads. */
  maxResponseBytes: number;
  /** Without progress for this long, a note on stderr says what rdp is waiting for. */
  noteAfterMs: number;
  /** Attempts of one request that may end in a timeout (the rest of the retry budget is for other failures). */
  timeoutAttempts: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  deadlineMs: 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
  noteAfterMs: 10_000,
  timeoutAttempts: 2,
};

/**
 * The limits, with internal overrides for the tests (RDP_HTTP_CONNECT_TIMEOUT_MS,
 * RDP_HTTP_HEADERS_TIMEOUT_MS, RDP_HTTP_BODY_TIMEOUT_MS, RDP_HTTP_DEADLINE_MS,
 * RDP_HTTP_MAX_RESPONSE_BYTES, RDP_HTTP_NOTE_AFTER_MS): a test of a server that never answers runs in
 * a second instead of a minute, and asserts what happens, not how long it took.
 */
export function httpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const num = (name: string, dflt: number) => {
    const raw = env[name];
    const v = Number(raw);
    return raw !== undefined && raw !== '' && Number.isFinite(v) && v > 0 ? v : dflt;
  };
  return {
    connectTimeoutMs: num('RDP_HTTP_CONNECT_TIMEOUT_MS', DEFAULT_LIMITS.connectTimeoutMs),
    headersTimeoutMs: num('RDP_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_LIMITS.headersTimeoutMs),
    bodyTimeoutMs: num('RDP_HTTP_BODY_TIMEOUT_MS', DEFAULT_LIMITS.bodyTimeoutMs),
    deadlineMs: num('RDP_HTTP_DEADLINE_MS', DEFAULT_LIMITS.deadlineMs),
    maxResponseBytes: num('RDP_HTTP_MAX_RESPONSE_BYTES', DEFAULT_LIMITS.maxResponseBytes),
    noteAfterMs: num('RDP_HTTP_NOTE_AFTER_MS', DEFAULT_LIMITS.noteAfterMs),
    timeoutAttempts: DEFAULT_LIMITS.timeoutAttempts,
  };
}

/** A streamed body (a PDF) that brings fewer bytes than this in a whole deadline window (60 s) is given up. */
export const MIN_PACE_BYTES = 64 * 1024;

/** The opt-in for plain http:// to a machine other than this one (a trusted network, a local Oasis). */
export const ALLOW_HTTP_ENV = 'RDP_ALLOW_HTTP';

/** 127.0.0.0/8, ::1 and localhost: plain http there never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface HttpClientOptions {
  service: ServiceName;
  base: string;
  /** Notes (a retry, a slow answer) and the --debug request log. */
  log: Pick<Log, 'info' | 'debug'>;
  signal: AbortSignal;
  clock?: Clock | undefined;
  /** The service's reader of its error bodies (its provider descriptor's). */
  errorBody?: ErrorBodyReader | undefined;
  dispatcher: () => Promise<Dispatcher>;
  env: NodeJS.ProcessEnv;
  /** Credentials for a request (called per attempt, so a refreshed token is picked up). */
  auth?: (() => Promise<Record<string, string>>) | undefined;
  /** Turns an error response into a specific RdpError (401 -> AuthRequiredError); undefined = ApiError. */
  mapError?:
    | ((status: number, parsed: ParsedError, res: { headers: ResponseHeaders; scopes?: readonly string[] | undefined }) => RdpError | undefined)
    | undefined;
  limiter?: RateLimiter | undefined;
  /**
   * Other origins of the same service that may receive the credentials besides the base's (ORCID's
   * web host, where its userinfo lives, beside its API host). Links to any other origin are refused.
   */
  origins?: readonly string[] | undefined;
}

export const USER_AGENT = `rdp/${VERSION} (+https://github.com/rdp-cli/rdp; node ${process.version})`;

export class HttpClient {
  /** The service's id (ApiError.provider). */
  readonly provider: string;
  readonly base: string;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  private readonly opts: HttpClientOptions;
  readonly retry: RetrySettings;
  readonly limits: HttpLimits;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.provider = opts.service.id;
    this.base = opts.base;
    this.clock = opts.clock ?? systemClock;
    this.retry = retrySettings(opts.env);
    // A Backoff header is honoured up to the backoff cap, like a 503's Retry-After (./retry.ts).
    this.limiter = opts.limiter ?? new RateLimiter({ clock: this.clock, maxBackoffMs: this.retry.backoffCapMs });
    this.limits = httpLimits(opts.env);
  }

  get name(): string {
    return this.opts.service.name;
  }

  private get urlEnv(): string {
    return this.opts.service.urlEnv;
  }

  private get baseSetting(): string {
    return this.opts.service.baseSetting ?? this.urlEnv;
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const u = new URL(/^https?:\/\//.test(path) ? path : joinUrl(this.base, path));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /**
   * Where a request may go: credentials only to the base's own origin (a link in an answer may name
   * any host), and nothing over plain http:// to another machine unless the user opted in.
   */
  checkTarget(target: URL, req: Pick<HttpRequest, 'method' | 'anonymous' | 'headers'>): void {
    const base = new URL(this.base);
    const credentials = (!req.anonymous && this.opts.auth !== undefined) || Object.keys(req.headers ?? {}).some((k) => k.toLowerCase() === 'authorization');
    const own = [base.origin, ...(this.opts.origins ?? []).map((o) => new URL(o).origin)];
    if (credentials && !own.includes(target.origin)) {
      throw new FailureError('FOREIGN_LINK', `${this.name} pointed rdp at another host (${target.host}, for ${req.method} ${target.pathname}); rdp does not send your ${this.name} credentials there. Nothing was sent.`, {
        hint: `${this.name} at ${base.host} should link only to itself: check ${this.urlEnv} (this base is ${this.base}), or report the answer to its operators.`,
        details: { host: target.host },
      });
    }
    const allowed = ['1', 'true', 'yes'].includes((this.opts.env[ALLOW_HTTP_ENV] ?? '').toLowerCase());
    if (target.protocol === 'http:' && !isLoopbackHost(target.hostname) && !allowed) {
      throw new RdpError('INSECURE_URL', `${target.origin} is plain http:// to another machine: rdp does not send ${this.name} credentials or data unencrypted. Nothing was sent.`, {
        hint: `Use https:// in ${this.urlEnv} (or the config's ${this.provider}.url). On a network you trust (a test server, a local NOMAD Oasis), set ${ALLOW_HTTP_ENV}=1.`,
      });
    }
  }

  /**
   * A note on stderr when nothing moves for limits.noteAfterMs: what rdp is waiting for. `moved()`
   * reports progress (bytes sent or received); the note is given once per stall.
   */
  private watch(what: string, started: number, moved: () => number, total?: number, body = false): { stop(): void } {
    const every = this.limits.noteAfterMs;
    let last = moved();
    let since = started;
    let noted = false;
    let timer: NodeJS.Timeout;
    const tick = () => {
      const now = moved();
      if (now !== last) {
        last = now;
        since = Date.now();
        noted = false;
      } else if (!noted && Date.now() - since >= every * 0.9) {
        noted = true;
        const waited = fmtMs(Date.now() - started);
        if (body) {
          this.note(`${this.name} is slow to send its answer to ${what}: ${formatBytes(now)} so far, nothing new for ${fmtMs(Date.now() - since)}; still waiting.`);
        } else if (total !== undefined && now >= total && total > 0) {
          this.note(`All ${formatBytes(total)} sent to ${this.name}; waiting for its answer to ${what} (${waited} so far; servers check large files before answering).`);
        } else if (total !== undefined && now > 0) {
          this.note(`No progress sending to ${this.name} for ${fmtMs(Date.now() - since)} (${what}, ${formatBytes(now)} of ${formatBytes(total)} sent); still waiting.`);
        } else {
          this.note(`Still waiting for ${this.name} to answer ${what} (${waited} so far).`);
        }
      }
      timer = setTimeout(tick, every);
      timer.unref();
    };
    timer = setTimeout(tick, every);
    timer.unref();
    return { stop: () => clearTimeout(timer) };
  }

  /** Send with retries; returns any final status (the caller inspects it). */
  async raw(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req.path, req.query);
    const target = new URL(url);
    this.checkTarget(target, req);
    const dispatcher = await this.opts.dispatcher();
    const signal = req.signal ? AbortSignal.any([this.opts.signal, req.signal]) : this.opts.signal;
    const what = `${req.method} ${target.pathname}`;
    const streamed = typeof req.body === 'function';
    const headersTimeout = req.timeoutMs ?? this.limits.headersTimeoutMs;
    let timeouts = 0;

    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new CancelledError();
      await this.limiter.acquire(signal, (ms, why) => this.note(`Waiting ${fmtMs(ms)} for ${this.name}: ${why}.`));
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        accept: 'application/json',
        ...(req.anonymous || !this.opts.auth ? {} : await this.opts.auth()),
        ...req.headers,
      };
      let body: Readable | AsyncIterable<Uint8Array> | string | Uint8Array | undefined;
      if (req.json !== undefined) {
        body = JSON.stringify(req.json);
        headers['content-type'] ??= 'application/json';
      } else if (req.form) {
        body = new URLSearchParams(req.form).toString();
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      } else if (req.body !== undefined) {
        body = typeof req.body === 'function' ? req.body() : req.body;
      }
      const started = Date.now();
      this.opts.log.debug(`→ ${req.method} ${redactUrl(url)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      let res: HttpResponse;
      const watch = this.watch(what, started, () => req.progress?.sent() ?? 0, req.progress?.total);
      try {
        const r = await dispatcher.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers,
          // undici writes async iterables too (its types leave them out)
          body: (body ?? null) as Dispatcher.DispatchOptions['body'],
          signal,
          headersTimeout,
          bodyTimeout: this.limits.bodyTimeoutMs,
        });
        // The whole answer is due within the deadline: counted from the request for an API call,
        // from the headers for an upload or a call allowed a long wait.
        const from = streamed || req.timeoutMs !== undefined ? Date.now() : started;
        res = { status: r.statusCode, headers: r.headers, url, body: r.body, what, deadline: from + this.limits.deadlineMs };
      } catch (err) {
        this.limiter.settle();
        if (signal.aborted) throw new CancelledError();
        // The body's own failure (a file that changed while being read): not the network's.
        if (err instanceof RdpError) throw err;
        const code = errCode(err);
        this.opts.log.debug(`← ${req.method} ${redactUrl(url)} failed: ${code ?? (err as Error).message}`);
        if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
          throw new FailureError('LENGTH_MISMATCH', `rdp sent ${this.name} a request body whose length differs from the length it announced (${what}): this is a fault in rdp, not in the network.`, {
            hint: 'Please report it (with the output of --debug).',
            cause: err,
          });
        }
        if (code !== undefined && TIMEOUT_CODES.has(code)) timeouts += 1;
        if (retryNetworkFailure(code, req, attempt, timeouts, this.retry)) {
          const ms = backoffFor(attempt, this.retry);
          this.note(`${this.name}: ${describeNetError(code, err)}; retrying in ${fmtMs(ms)} (attempt ${attempt + 1} of ${this.retry.maxAttempts}).`);
          await this.clock.sleep(ms, signal);
          continue;
        }
        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          throw new NetworkError(`${this.name} accepted the connection but did not answer ${what} within ${fmtMs(headersTimeout)}${attempt > 1 ? ` (${attempt} attempts)` : ''}.`, {
            code: 'TIMEOUT',
            hint: `${this.name} (${target.host}) may be down or overloaded: try again later${this.isLocal() ? '' : `, or check ${this.urlEnv}`}.`,
            cause: err,
          });
        }
        throw this.networkError(url, code, err);
      } finally {
        watch.stop();
      }
      this.limiter.update(res.headers);
      this.opts.log.debug(`← ${res.status} ${req.method} ${redactUrl(url)} (${Date.now() - started} ms)`);

      const again = retryStatus(res.status, res.headers, req, attempt, this.retry);
      if (again) {
        const { status } = res;
        // The server asked for the pause (or rate limited): every request to it waits, not only this one.
        if (status === 429 || again.serverAsked) this.limiter.pause(again.waitMs);
        await res.body.dump().catch(() => {});
        this.note(`${this.name} answered ${status}${status === 429 ? ' (rate limited)' : ''}; retrying in ${fmtMs(again.waitMs)} (attempt ${attempt + 1} of ${this.retry.maxAttempts}).`);
        await this.clock.sleep(again.waitMs, signal);
        continue;
      }
      return res;
    }
  }

  /**
   * A pass-through for a body streamed to where it goes (a PDF to a file or stdout), with a floor on its
   * pace: fewer than MIN_PACE_BYTES in a whole window of the answer deadline (60 s) ends it with a
   * TIMEOUT. A body that trickles (a byte now and then keeps the idle timeout from firing) would
   * otherwise never end. Put it first in the pipeline after `res.body`.
   */
  paced(res: HttpResponse): Transform {
    const windowMs = this.limits.deadlineMs;
    const what = res.what ?? describePath(res.url);
    const name = this.name;
    const host = new URL(res.url).host;
    let inWindow = 0;
    let total = 0;
    const out = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        inWindow += chunk.length;
        total += chunk.length;
        cb(null, chunk);
      },
    });
    const timer = setInterval(() => {
      if (inWindow < MIN_PACE_BYTES) {
        out.destroy(
          new NetworkError(`${name} sends its answer to ${what} far too slowly: ${formatBytes(inWindow)} in the last ${fmtMs(windowMs)} (${formatBytes(total)} in all).`, {
            code: 'TIMEOUT',
            hint: `${name} (${host}) may be overloaded: try again later.`,
          }),
        );
      }
      inWindow = 0;
    }, windowMs);
    timer.unref();
    out.once('close', () => clearInterval(timer));
    return out;
  }

  /**
   * The body of an answer as text, read in chunks under the size cap and the answer's deadline: a
   * body larger than any API answer, or one that trickles, ends with a clear error instead of
   * filling memory or waiting forever.
   */
  async text(res: HttpResponse): Promise<string> {
    const max = this.limits.maxResponseBytes;
    const what = res.what ?? describePath(res.url);
    const declared = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > max) {
      res.body.destroy();
      throw this.tooLarge(res.status, what, declared);
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let late = false;
    const started = Date.now();
    const deadline = res.deadline ?? started + this.limits.deadlineMs;
    const timer = setTimeout(() => {
      late = true;
      res.body.destroy(new Error('deadline'));
    }, Math.max(0, deadline - started));
    const watch = this.watch(what, started, () => n, undefined, true);
    try {
      for await (const chunk of res.body) {
        n += (chunk as Buffer).length;
        if (n > max) {
          res.body.destroy();
          throw this.tooLarge(res.status, what);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof RdpError) throw err;
      if (late) {
        throw new NetworkError(`${this.name} did not finish its answer to ${what} in time: ${formatBytes(n)} arrived within ${fmtMs(this.limits.deadlineMs)}.`, {
          code: 'TIMEOUT',
          hint: `${this.name} (${new URL(res.url).host}) is answering far too slowly: try again later${this.isLocal() ? '' : `, or check ${this.urlEnv}`}.`,
        });
      }
      if (this.opts.signal.aborted) throw new CancelledError();
      const code = errCode(err);
      if (code === 'UND_ERR_BODY_TIMEOUT') {
        throw new NetworkError(`${this.name} stopped sending its answer to ${what} (nothing for ${fmtMs(this.limits.bodyTimeoutMs)}).`, {
          code: 'TIMEOUT',
          hint: `Try again later${this.isLocal() ? '' : `, or check ${this.urlEnv}`}.`,
          cause: err,
        });
      }
      throw new NetworkError(`${this.name} cut the connection while sending its answer to ${what} (${describeNetError(code, err)} after ${formatBytes(n)}).`, {
        hint: `Run the command again${this.isLocal() ? '' : `; if it keeps happening, check your network or ${this.urlEnv}`}.`,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
      watch.stop();
    }
    return Buffer.concat(chunks, n).toString('utf8');
  }

  private tooLarge(status: number, what: string, declared?: number): ApiError {
    const max = this.limits.maxResponseBytes;
    return new ApiError(this.provider, status, `${this.name} answered ${what} with ${declared !== undefined ? formatBytes(declared) : `more than ${formatBytes(max)}`}, more than rdp reads from an API (${formatBytes(max)}); it stopped reading there.`, {
      code: 'RESPONSE_TOO_LARGE',
      hint: `No ${this.name} API answer is that large: check that ${this.baseSetting} points at the ${this.name} API; this base is ${this.base}.`,
    });
  }

  private isLocal(): boolean {
    return isLoopbackHost(new URL(this.base).hostname);
  }

  /** Send; a status outside 2xx (and `accept`) becomes an error. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.raw(req);
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
    const text = await this.text(res).catch(() => '');
    throw this.errorFor(res.status, text, res.headers, req);
  }

  /**
   * Send and read the whole answer. A connection cut while the answer arrives is a network failure
   * like one before it: the request is sent again where its retry policy allows (an idempotent
   * request; a POST only where the caller says so), else the error says what was cut.
   */
  async exchange(req: HttpRequest): Promise<{ res: HttpResponse; text: string }> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.request(req);
      try {
        return { res, text: await this.text(res) };
      } catch (err) {
        if (!(err instanceof NetworkError) || err.code !== 'NETWORK_ERROR') throw err;
        const code = errCode(err.cause);
        if (code === undefined || TIMEOUT_CODES.has(code) || !retryNetworkFailure(code, req, attempt, 0, this.retry)) throw err;
        const ms = backoffFor(attempt, this.retry);
        this.note(`${this.name}: the connection was cut while its answer to ${res.what ?? describePath(res.url)} arrived; retrying in ${fmtMs(ms)} (attempt ${attempt + 1} of ${this.retry.maxAttempts}).`);
        await this.clock.sleep(ms, req.signal ? AbortSignal.any([this.opts.signal, req.signal]) : this.opts.signal);
      }
    }
  }

  /** Send and parse a JSON answer; an HTML page or garbage is a clear error, not a crash. */
  async json<T>(req: HttpRequest): Promise<{ status: number; headers: ResponseHeaders; data: T }> {
    const { res, text } = await this.exchange(req);
    if (res.status === 204 || text.trim() === '') return { status: res.status, headers: res.headers, data: undefined as T };
    try {
      return { status: res.status, headers: res.headers, data: JSON.parse(text) as T };
    } catch {
      throw this.badResponse(res.status, text, res.headers);
    }
  }

  /** One readable line from an error response (the service's reader, then what any answer allows). */
  readError(status: number, text: string, headers: ResponseHeaders): ParsedError {
    return readErrorBody(this.opts.errorBody, status, text, headers);
  }

  /** An ApiError (or the provider's mapped error) for an error response. */
  errorFor(status: number, text: string, headers: ResponseHeaders, req?: Pick<HttpRequest, 'method' | 'path' | 'scopes'>): RdpError {
    const parsed = this.readError(status, text, headers);
    const mapped = this.opts.mapError?.(status, parsed, { headers, scopes: req?.scopes });
    if (mapped) return mapped;
    if (status === 429) {
      const after = parseRetryAfter(header(headers, 'retry-after'));
      return new ApiError(this.provider, status, `${this.name} is rate limiting requests (429: ${parsed.message}).`, {
        code: 'RATE_LIMITED',
        hint: after ? `Try again in ${fmtMs(after)}.` : 'Wait a minute and run the command again.',
        body: parsed,
      });
    }
    const what = req ? ` to ${req.method} ${describePath(req.path)}` : '';
    // An HTML page, a redirect or a 404 where the API should answer: most often the address is not the API's.
    const elsewhere = looksLikeHtml(text) || status === 404 || (status >= 300 && status < 400);
    // A redirect is not followed (the credentials would go along): say where it pointed.
    const location = status >= 300 && status < 400 ? header(headers, 'location') : undefined;
    const said = location ? `a redirect to ${redirectTarget(location, this.base)}, which rdp does not follow.` : parsed.message;
    return new ApiError(this.provider, status, `${this.name} answered ${status}${what}: ${said}`, {
      hint:
        status >= 500
          ? `${this.name} had a server error; try again later.`
          : elsewhere
            ? `Check that ${this.baseSetting} points at the ${this.name} API; this base is ${this.base}.`
            : 'Run the command again with --debug to see the request and the answer (secrets redacted).',
      body: parsed,
      details: parsed.fieldErrors ? { errors: parsed.fieldErrors } : undefined,
    });
  }

  /**
   * An answer rdp cannot use: an HTML page, something that is not JSON, or JSON in a shape its API
   * does not answer with (`detail` says what is missing, for callers that looked inside).
   */
  badResponse(status: number, text: string, headers: ResponseHeaders, detail?: string): ApiError {
    const ct = header(headers, 'content-type') ?? 'no content type';
    const what = looksLikeHtml(text)
      ? 'an HTML page where its API returns JSON'
      : detail !== undefined || parseJson(text) !== undefined
        ? `JSON in a shape its API does not answer with here${detail !== undefined ? ` (${detail})` : ''}`
        : `something that is not JSON (${ct}) where its API returns JSON`;
    return new ApiError(this.provider, status, `${this.name} answered with ${what}.`, {
      code: 'BAD_RESPONSE',
      hint: `Check that ${this.baseSetting} points at the ${this.name} API; this base is ${this.base}.`,
    });
  }

  private networkError(url: string, code: string | undefined, err: unknown): NetworkError {
    const host = new URL(url).host;
    if (code !== undefined && isTlsTrustError(code)) {
      return new NetworkError(`${this.name} at ${host} did not prove who it is: ${describeNetError(code, err)}. rdp sent nothing there.`, {
        hint: `Check ${this.urlEnv}. If ${host} is a server you trust (a company proxy, a local test server), give rdp its CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`,
        cause: err,
      });
    }
    return new NetworkError(`Cannot reach ${this.name} at ${host}: ${describeNetError(code, err)}.`, {
      code: code !== undefined && TIMEOUT_CODES.has(code) ? 'TIMEOUT' : 'NETWORK_ERROR',
      hint: `Check your network connection${this.isLocal() ? ' and that the local server is running' : ''}, or ${this.urlEnv}.`,
      cause: err,
    });
  }

  private note(text: string): void {
    this.opts.log.info(text);
  }
}

/** A Location header for messages: resolved against the base, secrets redacted; a malformed one quoted as is (cut short). */
function redirectTarget(location: string, base: string): string {
  try {
    return redactUrl(new URL(location, base));
  } catch {
    return JSON.stringify(location.slice(0, 200));
  }
}

function describePath(path: string): string {
  try {
    return /^https?:/.test(path) ? new URL(path).pathname : path;
  } catch {
    return path;
  }
}
