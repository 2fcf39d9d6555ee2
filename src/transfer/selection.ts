// What a folder upload leaves out (SPEC.md, Upload to Zenodo, "What is uploaded from a folder"):
// hidden files and folders (names starting with ".") unless --include-hidden, what matches an
// --exclude pattern, and what matches the folder's own .rdpignore. Patterns have gitignore's syntax
// and meaning (`*.tmp`, `build/`, `/top-only.txt`, `**/cache`, `!keep.me`), matched case-sensitively
// against names relative to the folder, by the `ignore` package (the matcher eslint and prettier
// use). .gitignore is not read: data is often kept out of git on purpose.
//
// The rules are one list, in this order: hidden, then --exclude, then .rdpignore; as in gitignore the
// last matching rule decides, so `!.zenodo.json` in .rdpignore brings a hidden file back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { InputError } from '../errors/errors.js';

export interface SelectionOptions {
  /** Send hidden files and folders too. */
  includeHidden?: boolean | undefined;
  /** gitignore-style patterns (--exclude, repeatable). */
  exclude?: readonly string[] | undefined;
}

/** The file at a folder's top whose patterns leave things out. */
export const RDPIGNORE = '.rdpignore';

export interface Selector {
  /**
   * Why `rel` (POSIX, relative to the folder; a folder with a trailing "/") is left out, or
   * undefined when it is sent.
   */
  why(rel: string): string | undefined;
}

/** Checks that --exclude patterns are patterns (gitignore-style) before anything else happens. */
export function checkExcludes(patterns: readonly string[] | undefined): void {
  for (const p of patterns ?? []) {
    if (!p.trim() || p.trim().startsWith('#')) {
      throw new InputError('BAD_EXCLUDE', `--exclude "${p}" is not a pattern (empty, or a comment in gitignore syntax).`, {
        hint: 'Give a gitignore-style pattern, e.g. --exclude "*.tmp" or --exclude "scratch/".',
      });
    }
  }
}

/** The selector of one folder: hidden, --exclude, then the folder's .rdpignore. */
export async function folderSelector(root: string, opts: SelectionOptions): Promise<Selector> {
  const ig: Ignore = ignore({ ignorecase: false });
  if (!opts.includeHidden) ig.add({ pattern: '.*', mark: 'hidden (--include-hidden sends it)' });
  for (const pattern of opts.exclude ?? []) ig.add({ pattern, mark: `--exclude ${pattern}` });
  let text: string | undefined;
  try {
    text = await readFile(join(root, RDPIGNORE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') {
      throw new InputError('FILE_UNREADABLE', `Cannot read ${join(root, RDPIGNORE)}: ${code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message)}.`, {
        hint: 'Fix its permissions (chmod u+r), or remove it.',
      });
    }
  }
  if (text !== undefined) {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() && !line.startsWith('#')) ig.add({ pattern: line, mark: `${RDPIGNORE} line ${i + 1}: ${line.trim()}` });
    });
  }
  return {
    why(rel) {
      const r = ig.test(rel);
      return r.ignored ? (r.rule?.mark ?? r.rule?.pattern ?? 'excluded') : undefined;
    },
  };
}

/** "4 hidden, 2 excluded, 1 symbolic link loop": what was left out, counted by kind. */
export function countLeftOut(skipped: readonly { why: string }[]): string {
  const kinds = new Map<string, number>();
  for (const s of skipped) {
    const kind = s.why.startsWith('hidden')
      ? 'hidden'
      : s.why.startsWith('--exclude') || s.why.startsWith(RDPIGNORE)
        ? 'excluded'
        : s.why.startsWith('a symbolic link loop')
          ? 'symbolic link loop'
          : 'not a regular file';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${n} ${k}${n > 1 && k.includes(' ') ? 's' : ''}`).join(', ');
}
