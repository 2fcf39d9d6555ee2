// The keychain's bound (3 s per call): a helper that never answers ends the call with KEYCHAIN_TIMEOUT,
// is killed, and later calls fail at once. Timed on an injected clock: nothing here waits 3 s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KeychainError } from '../../../src/errors/errors.js';
import { Keychain } from '../../../src/store/keychain.js';
import { FakeClock } from '../../helpers/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-keychain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A keychain helper that reads requests and never answers (a D-Bus that accepts and hangs). */
const silent = join(dir, 'silent-child.mjs');
writeFileSync(silent, "process.stdin.on('data', () => {}); setInterval(() => {}, 1 << 30);\n");

/** A helper that answers every request at once. */
const prompt = join(dir, 'prompt-child.mjs');
writeFileSync(
  prompt,
  "import { createInterface } from 'node:readline';\ncreateInterface({ input: process.stdin }).on('line', (l) => { const r = JSON.parse(l); process.stdout.write(JSON.stringify({ id: r.id, ok: true, value: 'v' }) + '\\n'); });\n",
);

describe('the keychain bound, on an injected clock', () => {
  test('no answer: KEYCHAIN_TIMEOUT after the bound (3 s by default), the helper killed, later calls refused at once', async () => {
    const clock = new FakeClock();
    const kc = new Keychain({ childPath: silent, env: { PATH: process.env.PATH }, clock });
    const err = await kc.get('a@b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeychainError);
    expect(err).toMatchObject({ code: 'KEYCHAIN_TIMEOUT', exitCode: 1 });
    expect((err as Error).message).toMatch(/did not answer within 3 s/);
    expect(clock.waits).toEqual([3000]);
    await expect(kc.set('a@b', 's')).rejects.toBe(err);
    expect(clock.waits).toEqual([3000]); // no second wait: refused at once
    kc.close();
  });

  test('RDP_KEYCHAIN_TIMEOUT_MS sets the bound; an answer in time cancels it', async () => {
    const clock = new FakeClock();
    const slow = new Keychain({ childPath: silent, env: { PATH: process.env.PATH, RDP_KEYCHAIN_TIMEOUT_MS: '15000' }, clock });
    await expect(slow.get('x')).rejects.toMatchObject({ code: 'KEYCHAIN_TIMEOUT', message: expect.stringMatching(/within 15 s/) });
    slow.close();

    // A clock whose waits never end: only the answer can settle the call.
    const never = { now: () => 0, sleep: (_ms: number, signal?: AbortSignal) => new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('cancelled')))) };
    const kc = new Keychain({ childPath: prompt, env: { PATH: process.env.PATH }, clock: never });
    expect(await kc.get('x')).toBe('v');
    kc.close();
  });
});
