// The table of error codes (src/errors/codes.ts): every error takes its exit code from it, and the
// README's table is generated from it (`npm run error-codes`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { END, renderCodes, START } from '../../../scripts/error-codes.mjs';
import { ERROR_CODES, exitCodeOf } from '../../../src/errors/codes.js';
import { ApiError, FailureError, InputError, RdpError, UsageError } from '../../../src/errors/errors.js';
import { SKIP_CODES } from '../../../src/publish/steps.js';
import { ROOT } from '../../helpers/sandbox.js';

describe('error codes', () => {
  test('an error exits as its code says, whatever class makes it', () => {
    expect(new UsageError('x').exitCode).toBe(2);
    expect(new InputError('RECORD_TOO_LARGE', 'x').exitCode).toBe(2);
    expect(new FailureError('UPLOAD_FAILED', 'x').exitCode).toBe(1);
    expect(new RdpError('AUTH_REQUIRED', 'x').exitCode).toBe(4);
    expect(new ApiError('zenodo', 500, 'x').exitCode).toBe(exitCodeOf('API_ERROR'));
  });

  test('codes are upper-case words, each with a meaning', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(info.means.length).toBeGreaterThan(10);
      expect([1, 2, 4, 130]).toContain(info.exit);
    }
  });

  test('the duplicates are gone (issue 12)', () => {
    for (const gone of ['UNREADABLE_FILE', 'TOO_LARGE', 'FILE_CORRUPT']) expect(Object.keys(ERROR_CODES)).not.toContain(gone);
  });

  test('every code rdp throws is in the table (a scan of src/)', () => {
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') ? [join(d, n)] : []));
    const used = new Set<string>();
    for (const f of walk(join(ROOT, 'src')).filter((f) => !f.includes('/emulator/'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/new (?:FailureError|InputError|RdpError|KeychainError|AuthDeniedError)\(\s*'([A-Z_]+)'/g)) used.add(m[1] as string);
      for (const m of text.matchAll(/\bcode: '([A-Z][A-Z_]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(40);
    used.delete('EPIPE'); // a Node error code given to a stream error (dmps get), not rdp's
    for (const skip of SKIP_CODES) used.delete(skip); // why a publish step was skipped (src/publish/steps.ts), not an error
    expect([...used].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  test('the README holds the table generated from src/errors/codes.ts (run `npm run error-codes` when this fails)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    expect(section).toBe(renderCodes(ERROR_CODES));
  });
});
