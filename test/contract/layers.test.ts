// The dependency rules of src/ (README, "Layout"), read from every import (static, dynamic, type-only):
//   - auth/ is provider-agnostic: no commands/, workflows/, context.ts, no provider (a provider comes
//     in as its descriptor; only the interface in providers/types.ts is known);
//   - http/ knows no service, login or command: no providers/, auth/, commands/, workflows/, store/;
//   - workflows/ know nothing of commander or the commands;
//   - providers/ never reach up (commands/, workflows/, context.ts, cli.ts) and never into each
//     other's folders: what one provider needs of another, a workflow composes;
//   - only cli.ts, commands/ and completion/ import commander.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { specifiers, tsFiles as files } from '../helpers/imports.js';
import { ROOT } from '../helpers/sandbox.js';

const SRC = join(ROOT, 'src');



/** Every import of a file, as a path under src/ (or a package name). */
function imports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8')).map((s) => (s.startsWith('.') ? relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

const all = files(SRC).map((f) => ({ rel: relative(SRC, f), imports: imports(f) }));
const under = (dir: string) => all.filter((f) => f.rel.startsWith(`${dir}/`));

function violations(list: typeof all, forbidden: (target: string, from: string) => boolean): string[] {
  return list.flatMap((f) => f.imports.filter((t) => forbidden(t, f.rel)).map((t) => `${f.rel} -> ${t}`));
}

describe('layers', () => {
  test('the scan sees every folder', () => {
    for (const d of ['auth', 'http', 'workflows', 'providers', 'commands', 'store', 'output']) expect(under(d).length, d).toBeGreaterThan(2);
  });

  test('auth/ imports no command, workflow, context or provider', () => {
    const bad = (t: string) => /^(commands|workflows)\//.test(t) || t === 'context.ts' || t === 'cli.ts' || (t.startsWith('providers/') && t !== 'providers/types.ts');
    expect(violations(under('auth'), bad)).toEqual([]);
  });

  test('http/ knows no service, login, store or command', () => {
    expect(violations(under('http'), (t) => /^(providers|auth|commands|workflows|store|config)\//.test(t) || t === 'context.ts')).toEqual([]);
  });

  test('workflows/ know nothing of commander or the commands', () => {
    expect(violations(under('workflows'), (t) => t === 'commander' || t.startsWith('commands/') || t === 'cli.ts')).toEqual([]);
  });

  test("providers/ never reach up, nor into each other's folders", () => {
    const own = (from: string) => /^providers\/([^/]+)\//.exec(from)?.[1];
    const bad = (t: string, from: string) => {
      if (/^(commands|workflows)\//.test(t) || t === 'context.ts' || t === 'cli.ts') return true;
      const a = own(from);
      const b = /^providers\/([^/]+)\//.exec(t)?.[1];
      // The one exception: an InvenioRDM site's upload reads the metadata files (.zenodo.json,
      // CITATION.cff, --metadata) and flags exactly as the Zenodo upload does (Zenodo is an InvenioRDM;
      // invenio/metadata.ts maps that metadata to the RDM schema), so it uses Zenodo's reader and checks.
      if (a === 'invenio' && t === 'providers/zenodo/deposit/metadata.ts') return false;
      return a !== undefined && b !== undefined && a !== b;
    };
    expect(violations(under('providers'), bad)).toEqual([]);
  });

  test('only cli.ts, commands/ and completion/ import commander', () => {
    const users = all.filter((f) => f.imports.includes('commander')).map((f) => f.rel);
    expect(users.filter((f) => !(f === 'cli.ts' || f.startsWith('commands/') || f.startsWith('completion/')))).toEqual([]);
  });
});
