// The emulator shares no code, table or type with rdp's clients (SPEC.md section 7): a vocabulary the
// client and its emulator both read would let a client's mistake pass its own tests. This test reads
// every import (static, dynamic and type-only) of every file under src/emulator and fails on any that
// leaves the emulator (npm packages other than its own few included).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { specifiers, tsFiles as files } from '../helpers/imports.js';
import { ROOT } from '../helpers/sandbox.js';

const EMULATOR = join(ROOT, 'src', 'emulator');

/** npm packages the emulator may use (its own means of reading requests and archives). */
const ALLOWED_PACKAGES = new Set(['busboy', 'yauzl']);

// No exceptions: the `rdp emulator` command's glue (printing the providers' RDP_* variables) lives in
// src/commands/emulator.ts, on the CLI's side of the line.



describe('the emulator imports nothing of the clients', () => {
  const all = files(EMULATOR);

  test('the scan sees the emulator (and would see a forbidden import)', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(specifiers(`import { x } from '../../../providers/zenodo/vocab.js';\nimport type { Y } from "../util/magic.js";\nconst z = await import('../auth/session.js');`)).toEqual([
      '../../../providers/zenodo/vocab.js',
      '../util/magic.js',
      '../auth/session.js',
    ]);
  });

  test.each(all.map((f) => [relative(ROOT, f), f]))('%s', (rel, file) => {
    const bad: string[] = [];
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        if (!ALLOWED_PACKAGES.has(spec.split('/')[0] as string)) bad.push(`${spec} (package not on the emulator's list)`);
        continue;
      }
      const target = relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
      if (target.startsWith('src/emulator/')) continue;
      bad.push(target);
    }
    expect(bad, `${rel} imports client code`).toEqual([]);
  });
});
