// Retry-After, as the services send it (providers.md 0.1): Zenodo sends it on EVERY response (the
// seconds to its rate window's end, up to an hour after an hourly breach). rdp honours it where it
// speaks about the answer (429; a 503 asking for a short pause) and backs off by its own policy on
// other 5xx, so a server error near the end of a rate window does not stall or fail an upload.
// What is checked is the wait rdp announces, not the time the run took.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator(); // Zenodo's rate limit on: Retry-After on every answer
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo });
  sb.secret(emu.tokens.zenodo);
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(() => emu.server.faults.clear());

function folder(name: string): string {
  const dir = join(sb.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  return dir;
}

/** The waits rdp announced after `status`, in ms. */
function waits(stderr: string, status: number): number[] {
  return [...stderr.matchAll(new RegExp(`answered ${status}; retrying in ([\\d.]+) (ms|s|min)`, 'g'))].map((m) => Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000));
}

test("a 500 carrying Zenodo's hour-long Retry-After is retried after the backoff, not after an hour (and not given up)", async () => {
  folder('five-hundred');
  emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 500, retryAfter: 3600, times: 2 });
  const r = await sb.run(['upload', 'five-hundred', '--to', 'zenodo']);
  expect(r.code, r.stderr).toBe(0);
  const w = waits(r.stderr, 500);
  expect(w).toHaveLength(2);
  for (const ms of w) expect(ms).toBeLessThanOrEqual(1000); // the backoff's first steps (0.5 s, 1 s), jittered
});

test('a 502 with a Retry-After of a minute: the backoff as well', async () => {
  folder('bad-gateway');
  emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 502, retryAfter: 60, times: 1 });
  const r = await sb.run(['upload', 'bad-gateway', '--to', 'zenodo']);
  expect(r.code, r.stderr).toBe(0);
  expect(waits(r.stderr, 502)).toEqual([expect.any(Number)]);
  expect(waits(r.stderr, 502)[0]).toBeLessThanOrEqual(500);
});

test('a 503 with a short Retry-After is honoured; with an hour-long one, the backoff', async () => {
  folder('unavailable');
  emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 503, retryAfter: 2, times: 1 });
  const short = await sb.run(['upload', 'unavailable', '--to', 'zenodo', '--new-record']);
  expect(short.code, short.stderr).toBe(0);
  expect(waits(short.stderr, 503)).toEqual([2000]);

  emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 503, retryAfter: 3600, times: 1 });
  const long = await sb.run(['upload', 'unavailable', '--to', 'zenodo', '--new-record']);
  expect(long.code, long.stderr).toBe(0);
  expect(waits(long.stderr, 503)).toHaveLength(1);
  expect(waits(long.stderr, 503)[0]).toBeLessThanOrEqual(500);
});

test('a 429 with Retry-After is waited for, as the server asked', async () => {
  folder('limited');
  emu.server.faults.add({ service: 'zenodo', method: 'PUT', path: '/api/files/*', action: 'status', status: 429, retryAfter: 1, times: 1 });
  const r = await sb.run(['upload', 'limited', '--to', 'zenodo']);
  expect(r.code, r.stderr).toBe(0);
  expect([...r.stderr.matchAll(/answered 429 \(rate limited\); retrying in ([\d.]+) s/g)].map((m) => m[1])).toEqual(['1.0']);
});
