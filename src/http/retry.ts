// When a failed request is sent again, and after how long (STYLE.md 3.3; actions/toolkit's policy):
// pure decisions that the client's loop (./client.ts) and the transfer loops (a DMP's PDF, a file
// sent from a source factory) share.
//
// - Network failures: retried when the request is idempotent, or when the server cannot have acted
//   (the connection was refused, the name did not resolve); a timeout at most once more.
// - 429: retried after `Retry-After` when the server sends one (up to a bound: a longer wait ends the
//   command with RATE_LIMITED), else after the backoff.
// - 503: `Retry-After` is honoured only when it is short (up to the backoff cap, 30 s): a service
//   asking for a brief pause (ORCID's and Zotero's overload answers). A longer one is not about this
//   answer: Zenodo sends `Retry-After` on EVERY response (the seconds to its rate window's end,
//   providers.md 0.1), so honouring it on a 503 could stall rdp for up to an hour.
// - Other 5xx (500, 502, 504): the capped exponential backoff; a `Retry-After` on them is ignored for
//   the same reason.
// - POST/PATCH (not idempotent): only 429 and 503, where the server did not act, unless the caller
//   says otherwise.
import type { ResponseHeaders } from './headers.js';
import { header } from './headers.js';
import { parseRetryAfter } from './rate-limit.js';
import { RETRYABLE_NET, TIMEOUT_CODES } from './errors.js';

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

export interface RetrySettings {
  /** Attempts of one request in all. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A Retry-After longer than this (on a 429) ends the command instead of waiting. */
  maxRetryAfterMs: number;
  /** Attempts of one request that may end in a timeout (the rest of the budget is for other failures). */
  timeoutAttempts: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 6,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  maxRetryAfterMs: 10 * 60_000,
  timeoutAttempts: 2,
};

/** The settings, with the internal overrides the tests use (RDP_HTTP_RETRIES, RDP_RETRY_BASE_MS, …). */
export function retrySettings(env: NodeJS.ProcessEnv): RetrySettings {
  const num = (name: string, dflt: number) => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v >= 0 && env[name] !== '' && env[name] !== undefined ? v : dflt;
  };
  return {
    maxAttempts: Math.max(1, num('RDP_HTTP_RETRIES', DEFAULT_RETRY.maxAttempts)),
    backoffBaseMs: num('RDP_RETRY_BASE_MS', DEFAULT_RETRY.backoffBaseMs),
    backoffCapMs: num('RDP_RETRY_CAP_MS', DEFAULT_RETRY.backoffCapMs),
    maxRetryAfterMs: num('RDP_MAX_RETRY_AFTER_MS', DEFAULT_RETRY.maxRetryAfterMs),
    timeoutAttempts: DEFAULT_RETRY.timeoutAttempts,
  };
}

/** Capped exponential backoff with jitter (50–100 % of the step): 0.5 s, 1 s, 2 s, … up to the cap. */
export function backoff(attempt: number, s: Pick<RetrySettings, 'backoffBaseMs' | 'backoffCapMs'>, random = Math.random): number {
  const exp = Math.min(s.backoffCapMs, s.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** After a network failure of attempt `attempt` (`timeouts` of them timed out): send it again? */
export function retryNetworkFailure(
  code: string | undefined,
  req: { method: string; retry?: RetryPolicy | undefined },
  attempt: number,
  timeouts: number,
  s: RetrySettings,
): boolean {
  if (code === undefined || !RETRYABLE_NET.has(code) || attempt >= s.maxAttempts) return false;
  if (TIMEOUT_CODES.has(code) && timeouts >= s.timeoutAttempts) return false;
  const mode = req.retry ?? 'auto';
  if (typeof mode === 'function') return mode({ code, attempt });
  if (mode === 'never') return false;
  return mode === 'always' || IDEMPOTENT.has(req.method) || code === 'ECONNREFUSED' || code === 'EAI_AGAIN';
}

export interface StatusRetry {
  /** How long to wait before the next attempt. */
  waitMs: number;
  /** The wait comes from the server (Retry-After): every request to it waits too. */
  serverAsked: boolean;
}

/** After an answer with `status`: the wait before sending again, or undefined to keep the answer. */
export function retryStatus(
  status: number,
  headers: ResponseHeaders,
  req: { method: string; retry?: RetryPolicy | undefined },
  attempt: number,
  s: RetrySettings,
  random = Math.random,
): StatusRetry | undefined {
  if (status !== 429 && status < 500) return undefined;
  if (attempt >= s.maxAttempts) return undefined;
  const mode = req.retry ?? 'auto';
  const serverDidNotAct = status === 429 || status === 503;
  const may = typeof mode === 'function' ? mode({ status, attempt }) : mode === 'always' || (mode === 'auto' && (IDEMPOTENT.has(req.method) || serverDidNotAct));
  if (!may) return undefined;
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'));
  if (status === 429 && retryAfter !== undefined) {
    if (retryAfter > s.maxRetryAfterMs) return undefined; // too long to wait: say so (RATE_LIMITED)
    return { waitMs: retryAfter, serverAsked: true };
  }
  if (status === 503 && retryAfter !== undefined && retryAfter <= s.backoffCapMs) return { waitMs: retryAfter, serverAsked: true };
  return { waitMs: backoff(attempt, s, random), serverAsked: false };
}

/**
 * Run `attempt` until it succeeds, is not worth repeating, or the attempts are used up: for work the
 * client's own loop cannot repeat (a streamed download that was cut after its headers: the request is
 * made again from the start, like a source factory's body).
 */
export async function withRetries<T>(
  run: (attempt: number) => Promise<T>,
  opts: {
    attempts: number;
    retryable: (err: unknown) => boolean;
    settings: Pick<RetrySettings, 'backoffBaseMs' | 'backoffCapMs'>;
    sleep: (ms: number) => Promise<void>;
    onRetry?: (err: unknown, waitMs: number, nextAttempt: number) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      if (!opts.retryable(err) || attempt >= opts.attempts) throw err;
      const ms = backoff(attempt, opts.settings);
      opts.onRetry?.(err, ms, attempt + 1);
      await opts.sleep(ms);
    }
  }
}
