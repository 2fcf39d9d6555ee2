// Client-side pacing shared by every request to one provider: keeps under the server's published
// budget (X-RateLimit-Remaining / X-RateLimit-Reset) instead of running into 429, and pauses all
// requests after a 429/503 with Retry-After or a Zotero `Backoff` header.
import { type Clock, systemClock } from '../ports.js';
import { header, type ResponseHeaders as Headers } from './headers.js';

/** Seconds or an HTTP date, as milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // Otherwise an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`), which has letters: Date.parse also takes
  // `-5` for a date long past, which would make every retry immediate.
  if (!/[a-z]/i.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** X-RateLimit-Reset: epoch seconds (Zenodo's docs) or seconds from now (tolerated). */
export function parseReset(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const n = Number(value.trim());
  if (!Number.isFinite(n)) return undefined;
  if (n > 1e12) return n; // epoch milliseconds
  if (n > 1e9) return n * 1000; // epoch seconds
  return now + n * 1000; // a delta
}

export class RateLimiter {
  private remaining: number | undefined;
  private resetAt: number | undefined;
  private pausedUntil = 0;
  /** Requests sent and not yet answered: a response's Remaining does not count them yet. */
  private inFlight = 0;
  /**
   * After a window ends the new budget is unknown: one request goes first (the probe) and the others
   * wait for its answer, so that N parallel requests do not land in a window already partly used.
   */
  private probe: 'none' | 'next' | 'out' = 'none';
  /** Upper bound on one wait for the window to reset (a wrong Reset header must not stall rdp). */
  private readonly maxWindowMs: number;
  /**
   * Upper bound on the pause a `Backoff` header asks for (it comes with an answer that succeeded: a
   * server asking for a brief pause; `Backoff: 999999` must not stall rdp for days).
   */
  private readonly maxBackoffMs: number;
  private readonly clock: Clock;

  constructor(opts: { maxWindowMs?: number; maxBackoffMs?: number; clock?: Clock } = {}) {
    this.maxWindowMs = opts.maxWindowMs ?? 65_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** Wait until a request may be sent, and count it against the remaining budget. */
  async acquire(signal?: AbortSignal, onWait?: (ms: number, why: string) => void): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      // (timers may fire a millisecond early; that is not worth a second wait)
      if (this.pausedUntil > now + 2) {
        const ms = this.pausedUntil - now;
        onWait?.(ms, 'the server asked rdp to slow down');
        await this.clock.sleep(ms, signal);
        continue;
      }
      if (this.probe === 'out') {
        await this.clock.sleep(20, signal); // the probe's answer says what the new window allows
        continue;
      }
      if (this.remaining !== undefined && this.resetAt !== undefined) {
        if (now >= this.resetAt) {
          this.newWindow();
        } else if (this.remaining <= 0) {
          const ms = Math.min(this.resetAt - now + 250, this.maxWindowMs);
          onWait?.(ms, 'rate limit budget used up until the window resets');
          await this.clock.sleep(ms, signal);
          if (this.remaining !== undefined && this.remaining <= 0) this.newWindow();
          continue;
        }
      }
      if (this.remaining !== undefined) this.remaining -= 1;
      if (this.probe === 'next') this.probe = 'out';
      this.inFlight += 1;
      return;
    }
  }

  private newWindow(): void {
    this.remaining = undefined;
    this.resetAt = undefined;
    this.probe = 'next';
  }

  /** Learn the budget from a response (to a request that acquire() let through). */
  update(headers: Headers): void {
    this.settle();
    const remaining = header(headers, 'x-ratelimit-remaining');
    const reset = parseReset(header(headers, 'x-ratelimit-reset'), this.clock.now());
    if (remaining !== undefined && /^\d+$/.test(remaining.trim())) {
      // Requests still in flight (N uploads at a time) will be counted against this too.
      const left = Math.max(0, Number(remaining) - this.inFlight);
      const resetAt = reset ?? this.clock.now() + 60_000;
      // Answers can arrive out of order: within one window, the smallest budget is the true one.
      const sameWindow = this.resetAt !== undefined && this.remaining !== undefined && Math.abs(resetAt - this.resetAt) < 1000;
      this.remaining = sameWindow ? Math.min(this.remaining as number, left) : left;
      this.resetAt = resetAt;
    }
    const backoff = parseRetryAfter(header(headers, 'backoff'), this.clock.now());
    if (backoff) this.pause(Math.min(backoff, this.maxBackoffMs));
  }

  /** A request that acquire() let through ended (with or without a response). */
  settle(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.probe === 'out') this.probe = 'none';
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }
}
