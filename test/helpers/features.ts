// What the machine offers the tests. A test that needs something missing skips locally, but under
// RDP_TEST_STRICT=1 (CI) a missing feature is a failing test, never a silent skip.
import { spawnSync } from 'node:child_process';
import { test } from 'vitest';

export const STRICT = process.env.RDP_TEST_STRICT === '1';

/**
 * A private, throwaway Secret Service (scripts/with-secret-service.sh sets RDP_SECRET_SERVICE=1).
 * Tests never write to a developer's own keyring.
 */
export function secretServiceAvailable(): boolean {
  if (process.env.RDP_SECRET_SERVICE !== '1') return false;
  const r = spawnSync('secret-tool', ['lookup', 'rdp-test-probe', 'none'], { timeout: 5000, encoding: 'utf8' });
  return !r.error && r.status !== null && (r.stderr ?? '').trim() === '';
}

/** Returns whether to run; in strict mode a missing feature registers a failing test instead. */
export function requireFeature(name: string, available: boolean, howToGetIt: string): boolean {
  if (!available && STRICT) {
    test(`${name} is available (RDP_TEST_STRICT=1 forbids skipping)`, () => {
      throw new Error(`${name} is not available: ${howToGetIt}`);
    });
  }
  return available;
}
