import { describe, expect, test } from 'vitest';
import { parseReset, parseRetryAfter, RateLimiter } from '../../src/providers/rate-limit.js';

describe('rate limit headers', () => {
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  test('X-RateLimit-Reset as epoch seconds, epoch milliseconds or a delta', () => {
    const now = 1_700_000_000_000;
    expect(parseReset('1700000060', now)).toBe(1_700_000_060_000);
    expect(parseReset('1700000060000', now)).toBe(1_700_000_060_000);
    expect(parseReset('30', now)).toBe(now + 30_000);
  });

  test('the limiter waits for the window when the budget is used up, and not before', async () => {
    const lim = new RateLimiter();
    const resetSoon = String((Date.now() + 300) / 1000);
    lim.update({ 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': resetSoon });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([]);
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toHaveLength(1);
  });

  test('requests still in flight count against the budget a response reports', async () => {
    const lim = new RateLimiter();
    const reset = String((Date.now() + 60_000) / 1000);
    for (let i = 0; i < 4; i++) await lim.acquire(); // four uploads at a time
    lim.update({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }); // the first answer
    // three are still in flight, so nothing is left for a fifth request
    const waits: number[] = [];
    const ac = new AbortController();
    const fifth = lim.acquire(ac.signal, (ms) => {
      waits.push(ms);
      ac.abort();
    });
    await expect(fifth).rejects.toThrow();
    expect(waits).toHaveLength(1);
  });

  test('when a window has ended, one request finds out the new budget before the others go', async () => {
    const lim = new RateLimiter();
    lim.update({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String((Date.now() - 1000) / 1000) });
    await lim.acquire(); // the probe
    let second = false;
    const next = lim.acquire().then(() => {
      second = true;
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(second).toBe(false);
    lim.update({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': String((Date.now() + 60_000) / 1000) });
    await next;
    expect(second).toBe(true);
  });

  test('answers that arrive out of order do not raise the budget of a window', async () => {
    const lim = new RateLimiter();
    const reset = String(Math.ceil((Date.now() + 60_000) / 1000));
    lim.update({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': reset });
    lim.update({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }); // an older request's answer
    await lim.acquire();
    const waits: number[] = [];
    const ac = new AbortController();
    await expect(
      lim.acquire(ac.signal, (ms) => {
        waits.push(ms);
        ac.abort();
      }),
    ).rejects.toThrow();
    expect(waits).toHaveLength(1);
  });

  test('a pause (429 with Retry-After, or Backoff) holds every request', async () => {
    const lim = new RateLimiter();
    lim.update({ backoff: '0.2' });
    const waits: number[] = [];
    await lim.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toHaveLength(1);
  });
});
