// Pacing under the server's budget (src/http/rate-limit.ts), on an injected clock: the limiter's waits
// are asserted as values, and no test waits for real time to pass.
import { describe, expect, test } from 'vitest';
import { parseReset, parseRetryAfter, RateLimiter } from '../../../src/http/rate-limit.js';
import { FakeClock } from '../../helpers/clock.js';

const secs = (ms: number) => String(ms / 1000);

describe('rate limit headers', () => {
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    // not seconds and not an HTTP date (Date.parse would read them as dates long past: a wait of 0)
    for (const bad of ['-5', '-1.5', '-0', '+5']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  test('X-RateLimit-Reset as epoch seconds, epoch milliseconds or a delta', () => {
    const now = 1_700_000_000_000;
    expect(parseReset('1700000060', now)).toBe(1_700_000_060_000);
    expect(parseReset('1700000060000', now)).toBe(1_700_000_060_000);
    expect(parseReset('30', now)).toBe(now + 30_000);
  });
});

describe('the limiter', () => {
  test('waits for the window when the budget is used up, and not before: until the reset (plus a margin)', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    lim.update({ 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': secs(clock.now() + 300) });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([]);
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([550]); // 300 ms to the reset, 250 ms of margin
  });

  test('a wrong Reset header does not stall rdp: one wait is at most 65 s', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    lim.update({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': secs(clock.now() + 3_600_000) });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([65_000]);
  });

  test('requests still in flight count against the budget a response reports', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    for (let i = 0; i < 4; i++) await lim.acquire(); // four uploads at a time
    lim.update({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': secs(clock.now() + 60_000) }); // the first answer
    // three are still in flight, so nothing is left for a fifth request
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([60_250]);
  });

  test('when a window has ended, one request finds out the new budget before the others go', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    lim.update({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': secs(clock.now() - 1000) });
    await lim.acquire(); // the probe
    const ac = new AbortController();
    let polls = 0;
    const origSleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      polls += 1;
      if (polls === 5) lim.update({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': secs(clock.now() + 60_000) }); // the probe's answer
      return origSleep(ms, signal);
    };
    await lim.acquire(ac.signal);
    expect(polls).toBe(5); // the second request waited (20 ms at a time) until the probe was answered
    expect(clock.waits.every((w) => w === 20)).toBe(true);
  });

  test('answers that arrive out of order do not raise the budget of a window', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    const reset = String(Math.ceil((clock.now() + 60_000) / 1000));
    lim.update({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': reset });
    lim.update({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }); // an older request's answer
    await lim.acquire();
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toHaveLength(1);
  });

  test('a pause (429 with Retry-After, or Backoff) holds every request for that long', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock });
    lim.update({ backoff: '0.2' });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([200]);
    lim.pause(5000);
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([200, 5000]);
  });

  test('a Backoff longer than the bound (Backoff: 999999) pauses for the bound only', async () => {
    const clock = new FakeClock();
    const lim = new RateLimiter({ clock, maxBackoffMs: 30_000 });
    lim.update({ backoff: '999999' });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([30_000]);
  });
});
