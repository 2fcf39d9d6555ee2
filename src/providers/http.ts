// The one HTTP layer every provider client uses (undici). It joins paths onto the provider's base,
// adds the User-Agent and credentials, paces requests under the server's rate limit, retries with
// capped exponential backoff (honouring Retry-After), logs requests for --debug with secrets
// redacted, and is the only place that turns an HTTP failure into an ApiError.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ApiError, CancelledError, NetworkError, type RdpError } from '../errors.js';
import type { IO } from '../output/io.js';
import { redactUrl } from '../util/redact.js';
import { sleep } from '../util/sleep.js';
import { VERSION } from '../version.js';
import { looksLikeHtml, type ParsedError, parseErrorBody } from './error-bodies.js';
import { header, type ResponseHeaders } from './headers.js';
import { parseRetryAfter, RateLimiter } from './rate-limit.js';

export { header, type ResponseHeaders };
import { joinUrl, PROVIDERS, type ProviderId, urlEnv } from './registry.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

/** A request body. A function is called again for every attempt, so a stream can be re-opened. */
export type BodySource = string | Uint8Array | (() => Readable | string | Uint8Array);

/** A failed attempt, as a retry policy sees it: a network error code, or a retryable status. */
export interface RetryFailure {
  code?: string | undefined;
  status?: number | undefined;
  attempt: number;
}

/**
 * When a failed attempt may be repeated. `auto` (default): GET/HEAD/PUT/DELETE on network errors,
 * 429 and 5xx; POST/PATCH only where the server cannot have acted (connection refused, 429, 503).
 * A function decides for itself (it is asked only about network errors, 429 and 5xx).
 */
export type RetryPolicy = 'auto' | 'always' | 'never' | ((failure: RetryFailure) => boolean);

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
  /** Time allowed for the response headers after the request was sent. */
  timeoutMs?: number | undefined;
  /** The OAuth scopes this endpoint needs: a missing-scope error names them (`read_dmps`). */
  scopes?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  url: string;
  body: Dispatcher.ResponseData['body'];
}

export interface HttpClientOptions {
  provider: ProviderId;
  base: string;
  io: IO;
  signal: AbortSignal;
  dispatcher: () => Promise<Dispatcher>;
  env: NodeJS.ProcessEnv;
  /** Credentials for a request (called per attempt, so a refreshed token is picked up). */
  auth?: (() => Promise<Record<string, string>>) | undefined;
  /** Turns an error response into a specific RdpError (401 -> AuthRequiredError); undefined = ApiError. */
  mapError?:
    | ((status: number, parsed: ParsedError, res: { headers: ResponseHeaders; scopes?: readonly string[] | undefined }) => RdpError | undefined)
    | undefined;
  limiter?: RateLimiter | undefined;
}

export const USER_AGENT = `rdp/${VERSION} (+https://github.com/rdp-cli/rdp; node ${process.version})`;

const RETRYABLE_NET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class HttpClient {
  readonly provider: ProviderId;
  readonly base: string;
  readonly limiter: RateLimiter;
  private readonly opts: HttpClientOptions;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.provider = opts.provider;
    this.base = opts.base;
    this.limiter = opts.limiter ?? new RateLimiter();
    const num = (name: string, dflt: number) => {
      const v = Number(opts.env[name]);
      return Number.isFinite(v) && v >= 0 && opts.env[name] !== '' && opts.env[name] !== undefined ? v : dflt;
    };
    this.maxAttempts = Math.max(1, num('RDP_HTTP_RETRIES', 6));
    this.backoffBaseMs = num('RDP_RETRY_BASE_MS', 500);
    this.backoffCapMs = num('RDP_RETRY_CAP_MS', 30_000);
    this.maxRetryAfterMs = num('RDP_MAX_RETRY_AFTER_MS', 10 * 60_000);
  }

  get name(): string {
    return PROVIDERS[this.provider].name;
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

  /** Send with retries; returns any final status (the caller inspects it). */
  async raw(req: HttpRequest): Promise<HttpResponse> {
    const dispatcher = await this.opts.dispatcher();
    const url = this.url(req.path, req.query);
    const signal = req.signal ? AbortSignal.any([this.opts.signal, req.signal]) : this.opts.signal;
    const mode = req.retry ?? 'auto';
    const idempotent = ['GET', 'HEAD', 'PUT', 'DELETE'].includes(req.method);

    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new CancelledError();
      await this.limiter.acquire(signal, (ms, why) => this.note(`Waiting ${fmtMs(ms)} for ${this.name}: ${why}.`));
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        accept: 'application/json',
        ...(req.anonymous || !this.opts.auth ? {} : await this.opts.auth()),
        ...req.headers,
      };
      let body: Readable | string | Uint8Array | undefined;
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
      this.opts.io.debug(`→ ${req.method} ${redactUrl(url)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      let res: HttpResponse;
      try {
        const target = new URL(url);
        const r = await dispatcher.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers,
          body: body ?? null,
          signal,
          headersTimeout: req.timeoutMs ?? 120_000,
          bodyTimeout: 300_000,
        });
        res = { status: r.statusCode, headers: r.headers, url, body: r.body };
      } catch (err) {
        this.limiter.settle();
        if (signal.aborted) throw new CancelledError();
        const code = errCode(err);
        this.opts.io.debug(`← ${req.method} ${redactUrl(url)} failed: ${code ?? (err as Error).message}`);
        const safe = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
        const retryable =
          code !== undefined &&
          RETRYABLE_NET.has(code) &&
          (typeof mode === 'function'
            ? mode({ code, attempt })
            : mode === 'always' || (mode === 'auto' && (idempotent || code === 'ECONNREFUSED' || code === 'EAI_AGAIN')));
        if (retryable && attempt < this.maxAttempts) {
          const ms = this.backoff(attempt);
          this.note(`${this.name}: ${describeNetError(code, err)}; retrying in ${fmtMs(ms)} (attempt ${attempt + 1} of ${this.maxAttempts}).`);
          await sleep(ms, signal);
          continue;
        }
        throw this.networkError(url, code, err, safe);
      }
      this.limiter.update(res.headers);
      this.opts.io.debug(`← ${res.status} ${req.method} ${redactUrl(url)} (${Date.now() - started} ms)`);

      const status = res.status;
      const retryableStatus = status === 429 || status >= 500;
      const safeStatus = status === 429 || status === 503;
      const mayRetry =
        typeof mode === 'function'
          ? retryableStatus && mode({ status, attempt })
          : mode === 'always' || (mode === 'auto' && (idempotent || safeStatus));
      if (retryableStatus && mayRetry && attempt < this.maxAttempts) {
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'));
        if (retryAfter !== undefined && retryAfter > this.maxRetryAfterMs) return res;
        const ms = retryAfter ?? this.backoff(attempt);
        if (status === 429 || (status === 503 && retryAfter !== undefined)) this.limiter.pause(ms);
        await res.body.dump().catch(() => {});
        this.note(`${this.name} answered ${status}${status === 429 ? ' (rate limited)' : ''}; retrying in ${fmtMs(ms)} (attempt ${attempt + 1} of ${this.maxAttempts}).`);
        await sleep(ms, signal);
        continue;
      }
      return res;
    }
  }

  /** Send; a status outside 2xx (and `accept`) becomes an error. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.raw(req);
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
    const text = await res.body.text().catch(() => '');
    throw this.errorFor(res.status, text, res.headers, req);
  }

  /** Send and parse a JSON answer; an HTML page or garbage is a clear error, not a crash. */
  async json<T>(req: HttpRequest): Promise<{ status: number; headers: ResponseHeaders; data: T }> {
    const res = await this.request(req);
    const text = await res.body.text();
    if (res.status === 204 || text.trim() === '') return { status: res.status, headers: res.headers, data: undefined as T };
    try {
      return { status: res.status, headers: res.headers, data: JSON.parse(text) as T };
    } catch {
      throw this.badResponse(res.status, text, res.headers);
    }
  }

  /** An ApiError (or the provider's mapped error) for an error response. */
  errorFor(status: number, text: string, headers: ResponseHeaders, req?: Pick<HttpRequest, 'method' | 'path' | 'scopes'>): RdpError {
    const parsed = parseErrorBody(this.provider, status, text, headers);
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
    return new ApiError(this.provider, status, `${this.name} answered ${status}${what}: ${parsed.message}`, {
      hint: status >= 500 ? `${this.name} had a server error; try again later.` : undefined,
      body: parsed,
      details: parsed.fieldErrors ? { errors: parsed.fieldErrors } : undefined,
    });
  }

  badResponse(status: number, text: string, headers: ResponseHeaders): ApiError {
    const ct = header(headers, 'content-type') ?? 'no content type';
    const what = looksLikeHtml(text) ? 'an HTML page' : `something that is not JSON (${ct})`;
    return new ApiError(this.provider, status, `${this.name} answered with ${what} where its API returns JSON.`, {
      code: 'BAD_RESPONSE',
      hint: `Check that ${urlEnv(this.provider)} (or --sandbox) points at the ${this.name} API; this base is ${this.base}.`,
    });
  }

  private networkError(url: string, code: string | undefined, err: unknown, _safe: boolean): NetworkError {
    const host = new URL(url).host;
    return new NetworkError(`Cannot reach ${this.name} at ${host}: ${describeNetError(code, err)}.`, {
      hint: `Check your network connection${this.base.includes('127.0.0.1') || this.base.includes('localhost') ? ' and that the local server is running' : ''}, or ${urlEnv(this.provider)}.`,
      cause: err,
    });
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(exp * (0.5 + Math.random() * 0.5));
  }

  private note(text: string): void {
    this.opts.io.info(text);
  }
}

function describeNetError(code: string | undefined, err: unknown): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'EPIPE':
      return 'the connection was cut';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EAI_AGAIN':
      return 'name lookup failed';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the server stopped answering';
    default:
      return code ?? (err as Error)?.message ?? 'network error';
  }
}

function describePath(path: string): string {
  try {
    return /^https?:/.test(path) ? new URL(path).pathname : path;
  } catch {
    return path;
  }
}

export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}
