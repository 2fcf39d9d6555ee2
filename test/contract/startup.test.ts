// What `rdp --help` loads (SPEC.md section 6: start-up within 1.5 x `node -e 0`, measured by npm run
// bench): the built entry and the chunks it imports statically. Counted and named here rather than
// timed: each chunk is a module the loader resolves at start-up, and the HTTP layer, the keychain, the
// workflows and a provider's client or login code must stay behind lazy imports. (The providers'
// descriptors are loaded with the command tree; lazy code reaches them only through
// src/providers/index.ts, so that they stay one chunk.)
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

const DIST = join(ROOT, 'dist');

/** The files `node dist/cli.js` loads before it runs: the entry and its static chunk imports, transitively. */
function startupFiles(): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    const text = readFileSync(join(DIST, rel), 'utf8');
    seen.set(rel, text);
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
    // dist/ is CommonJS (scripts/build.mjs): a static import is a top-level require() of a chunk (lazy
    // ones are __rdpI() calls, which this leaves alone); an ES module build's import/export too.
    for (const m of text.matchAll(/^(?:(?:import|export)\s[^;]*?|var \w+ = require\()["'](\.{1,2}\/[^"']+)["']/gm)) {
      const target = new URL(m[1] as string, `file:///${dir}`).pathname.slice(1);
      visit(target);
    }
  };
  visit('cli.js');
  return seen;
}

describe('rdp --help loads little', () => {
  const files = startupFiles();
  // What each file was built from: its source map's sources (the build's CommonJS step drops the
  // `// src/...` comments of the bundle but carries the maps through), as paths from the root.
  const sources = [...files.keys()].flatMap((rel) => {
    const map = JSON.parse(readFileSync(join(DIST, `${rel}.map`), 'utf8')) as { sources: string[] };
    return map.sources.map((s) => relative(ROOT, resolve(dirname(join(DIST, rel)), s))).filter((s) => s.startsWith('src/'));
  });

  test('the start-up files are found (the entry requires its chunks)', () => {
    expect(files.size).toBeGreaterThan(1);
  });

  test('the entry and at most 8 chunks', () => {
    expect(files.size - 1, [...files.keys()].join('\n')).toBeLessThanOrEqual(8);
  });

  test('the command tree and the descriptors, nothing that does the work', () => {
    expect(sources).toEqual(expect.arrayContaining(['src/cli.ts', 'src/commands/index.ts', 'src/providers/index.ts', 'src/providers/zenodo/index.ts']));
    const heavy = sources.filter((s) => /^src\/(http\/client|http\/retry|auth\/|workflows\/|store\/|transfer\/|emulator\/)|^src\/providers\/.*\/(client|login|run|list)\.ts$/.test(s));
    expect(heavy).toEqual([]);
  });
});
