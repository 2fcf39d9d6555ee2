// The retry policy (src/http/retry.ts): which failures are sent again, and after how long. Zenodo sends
// Retry-After on every response (providers.md 0.1), so it is honoured only where it speaks about the
// answer: a 429, and a 503 asking for a short pause.
import { describe, expect, test } from 'vitest';
import { backoff, DEFAULT_RETRY, retryNetworkFailure, retryStatus, withRetries } from '../../../src/http/retry.js';

const s = DEFAULT_RETRY;
const half = () => 0; // jitter at its low end: backoff = half the step
const GET = { method: 'GET' };
const POST = { method: 'POST' };

describe('after an answer', () => {
  test('429: Retry-After is honoured, and every request waits (the server asked)', () => {
    expect(retryStatus(429, { 'retry-after': '7' }, GET, 1, s, half)).toEqual({ waitMs: 7000, serverAsked: true });
    expect(retryStatus(429, { 'retry-after': '7' }, POST, 1, s, half)).toEqual({ waitMs: 7000, serverAsked: true });
  });

  test('429 with a Retry-After beyond the bound (10 min) is not waited for: the command says RATE_LIMITED', () => {
    expect(retryStatus(429, { 'retry-after': '3600' }, GET, 1, s, half)).toBeUndefined();
  });

  test('429 without Retry-After: the backoff', () => {
    expect(retryStatus(429, {}, GET, 2, s, half)).toEqual({ waitMs: 500, serverAsked: false });
  });

  test("500, 502, 504 ignore Retry-After (Zenodo's is on every answer, up to an hour): the capped backoff", () => {
    for (const status of [500, 502, 504]) {
      expect(retryStatus(status, { 'retry-after': '3600' }, GET, 1, s, half)).toEqual({ waitMs: 250, serverAsked: false });
      expect(retryStatus(status, { 'retry-after': '45' }, GET, 3, s, half)).toEqual({ waitMs: 1000, serverAsked: false });
    }
  });

  test('503: a short Retry-After (up to 30 s) is honoured; a longer one is the rate window, not this answer', () => {
    expect(retryStatus(503, { 'retry-after': '2' }, GET, 1, s, half)).toEqual({ waitMs: 2000, serverAsked: true });
    expect(retryStatus(503, { 'retry-after': '30' }, GET, 1, s, half)).toEqual({ waitMs: 30_000, serverAsked: true });
    expect(retryStatus(503, { 'retry-after': '3600' }, GET, 1, s, half)).toEqual({ waitMs: 250, serverAsked: false });
    expect(retryStatus(503, { 'retry-after': '31' }, GET, 1, s, half)).toEqual({ waitMs: 250, serverAsked: false });
  });

  test('a POST is sent again only after 429 and 503, where the server did not act', () => {
    expect(retryStatus(500, {}, POST, 1, s, half)).toBeUndefined();
    expect(retryStatus(502, {}, POST, 1, s, half)).toBeUndefined();
    expect(retryStatus(503, {}, POST, 1, s, half)).toEqual({ waitMs: 250, serverAsked: false });
    expect(retryStatus(502, {}, { method: 'POST', retry: 'always' }, 1, s, half)).toBeDefined();
    expect(retryStatus(503, {}, { method: 'GET', retry: 'never' }, 1, s, half)).toBeUndefined();
  });

  test('other statuses are answers, and the attempts are bounded', () => {
    for (const status of [200, 400, 401, 403, 404, 409]) expect(retryStatus(status, {}, GET, 1, s, half)).toBeUndefined();
    expect(retryStatus(503, {}, GET, s.maxAttempts, s, half)).toBeUndefined();
  });
});

describe('after a network failure', () => {
  test('idempotent requests are sent again; a POST only where the server cannot have acted', () => {
    expect(retryNetworkFailure('ECONNRESET', GET, 1, 0, s)).toBe(true);
    expect(retryNetworkFailure('ECONNRESET', POST, 1, 0, s)).toBe(false);
    expect(retryNetworkFailure('ECONNREFUSED', POST, 1, 0, s)).toBe(true);
    expect(retryNetworkFailure('ENOTFOUND', GET, 1, 0, s)).toBe(false);
    expect(retryNetworkFailure('ECONNRESET', GET, s.maxAttempts, 0, s)).toBe(false);
  });

  test('a timeout once more, not six times', () => {
    expect(retryNetworkFailure('UND_ERR_HEADERS_TIMEOUT', GET, 1, 1, s)).toBe(true);
    expect(retryNetworkFailure('UND_ERR_HEADERS_TIMEOUT', GET, 2, 2, s)).toBe(false);
  });
});

describe('backoff and withRetries', () => {
  test('capped exponential backoff with jitter', () => {
    expect([1, 2, 3, 4].map((a) => backoff(a, s, () => 0.999999))).toEqual([500, 1000, 2000, 4000]);
    expect(backoff(20, s, () => 0.999999)).toBe(30_000);
    expect(backoff(1, s, () => 0)).toBe(250);
  });

  test('withRetries repeats what the caller calls retryable, waits the backoff, and gives up after the attempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    const cut = new Error('cut');
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw cut;
        },
        { attempts: 3, retryable: (e) => e === cut, settings: s, sleep: async (ms) => void waits.push(ms) },
      ),
    ).rejects.toBe(cut);
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
    let n = 0;
    await expect(withRetries(async () => (++n < 2 ? Promise.reject(cut) : 'ok'), { attempts: 3, retryable: () => true, settings: s, sleep: async () => {} })).resolves.toBe('ok');
    await expect(withRetries(async () => Promise.reject(new Error('other')), { attempts: 3, retryable: (e) => e === cut, settings: s, sleep: async () => {} })).rejects.toThrow('other');
  });
});
