// What rdp knows about a service lives in src/providers/ (one folder per provider, one list in
// src/providers/index.ts): outside it, no code branches on a provider id or picks a provider by name.
// This scan of src/ (the emulator, which has its own ids, aside) fails on a `switch` over a provider, a
// `case` or a comparison with a provider id, a provider looked up by a literal id, or a table keyed by
// provider ids. (Help texts may name services.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { providerIds } from '../../src/providers/index.js';
import { ROOT } from '../helpers/sandbox.js';

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Code without comments (a comment may name a service). */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const ids = providerIds();

export function findings(source: string): string[] {
  const c = code(source);
  const out: string[] = [];
  for (const m of c.matchAll(/switch\s*\(\s*[\w.]*(provider|service|\bid\b)[\w.]*\s*\)/gi)) out.push(`switch over a provider: ${m[0]}`);
  for (const id of ids) {
    const lit = `(['"\`])${id}\\1`;
    const patterns = [
      `[=!]==?\\s*${lit}`, // x === 'zenodo'
      `${lit}\\s*[=!]==?`, // 'zenodo' === x
      `\\bcase\\s+${lit}`, // case 'zenodo':
      `\\b(?:getProvider|findProvider|includes|has|get)\\(\\s*${lit}`, // getProvider('zenodo'), list.includes('nomad')
      `[{,]\\s*${id}\\s*:`, // { zenodo: … } (a table keyed by provider)
      `\\[\\s*${lit}\\s*\\]`, // PROVIDERS['zenodo']
    ];
    for (const re of patterns) for (const m of c.matchAll(new RegExp(re, 'g'))) out.push(`${id}: ${m[0]}`);
  }
  return out;
}

describe('provider knowledge lives in src/providers/', () => {
  const outside = files(SRC).filter((f) => !f.startsWith(join(SRC, 'providers') + '/') && !f.startsWith(join(SRC, 'emulator') + '/'));

  test('the scan sees the code (and would see a branch on a provider)', () => {
    expect(outside.length).toBeGreaterThan(40);
    expect(ids).toEqual(expect.arrayContaining(['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero']));
    expect(findings("if (p.id === 'zenodo') x();")).toHaveLength(1);
    expect(findings('switch (provider) { case "nomad": }')).toHaveLength(2);
    expect(findings("const t = { zenodo: 1, orcid: 2 }; getProvider('dmptool'); ids.includes('zotero');")).toHaveLength(4);
    expect(findings("// zenodo is special: 'zenodo'\nconst a = 1; const help = 'rdp login zenodo';")).toEqual([]);
  });

  test.each(outside.map((f) => [relative(ROOT, f), f]))('%s', (_rel, file) => {
    expect(findings(readFileSync(file, 'utf8'))).toEqual([]);
  });
});
