// Local inputs of an upload: files named on the command line and the trees under named folders, with
// what a folder leaves out (selection.ts: hidden files, --exclude, .rdpignore) and why. Every check
// that can be made before anything remote changes is made here (SPEC.md section 5): missing paths,
// unreadable files and folders, broken links, empty folders.
import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors/errors.js';
import { folderSelector, type SelectionOptions, type Selector } from './selection.js';

export type { SelectionOptions } from './selection.js';

export interface LocalFile {
  /** Absolute path on disk. */
  path: string;
  /** Name relative to the named folder (POSIX separators), or the file's base name. */
  rel: string;
  size: number;
  mtimeMs: number;
  mode: number;
  /** The command-line argument this file came from. */
  from: string;
}

/** Something under a folder that is not sent, and why. */
export interface SkippedEntry {
  /** Relative to the folder, POSIX separators; a folder ends with "/" (nothing under it is looked at). */
  rel: string;
  /** The command-line argument (folder) it is under. */
  from: string;
  /** "hidden (--include-hidden sends it)", "--exclude *.tmp", ".rdpignore line 3: build/", "a symbolic link loop", ... */
  why: string;
}

export interface LocalInput {
  arg: string;
  kind: 'file' | 'folder';
  /** Absolute path of the argument. */
  path: string;
  files: LocalFile[];
  /** What the folder leaves out (empty for a file). */
  skipped: SkippedEntry[];
}

/** What a name that is not UTF-8 shows in place of the bytes that are not (U+FFFD). */
const NOT_UTF8 = '\uFFFD';
const RENAME_TO_UTF8 = 'Rename it to UTF-8 (convmv -f latin1 -t utf8 --notest NAME, or mv)';

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** An errno as words (EACCES is "permission denied" for files and folders alike). */
export function describeFsError(err: unknown): string {
  switch (errno(err)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ELOOP':
      return 'a symbolic link loop';
    case 'ENOTDIR':
      return 'a path through something that is not a folder';
    default:
      return errno(err) ?? (err as Error).message;
  }
}

function shown(p: string, cwd: string): string {
  return relative(cwd, p) || p;
}

async function checkReadable(path: string, what: string, leaveOut: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw new InputError('FILE_UNREADABLE', `Cannot read ${what}: ${describeFsError(err)}.`, {
      hint: `Fix the permissions (chmod u+r), or ${leaveOut}.`,
    });
  }
}

/** checkReadable with a blocking call, and the words made only when needed (a walk asks once per file). */
function checkReadableSync(path: string, what: () => string, leaveOut: () => string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new InputError('FILE_UNREADABLE', `Cannot read ${what()}: ${describeFsError(err)}.`, {
      hint: `Fix the permissions (chmod u+r), or ${leaveOut()}.`,
    });
  }
}

/** The --exclude flag that leaves out exactly this path (anchored, glob characters escaped, shell-quoted). */
export function excludeFlag(rel: string): string {
  const pattern = `/${rel.replace(/[\\*?[\]]/g, '\\$&')}`;
  return `--exclude '${pattern.replace(/'/g, `'\\''`)}'`;
}

/**
 * Every regular file under `root` that the selection sends, sorted by relative name, and what it
 * leaves out. Symbolic links to files and folders are followed; a link to a folder that is being
 * walked already (one of its own parents) is a loop and is not followed, nor is a chain of links
 * that ends where it started.
 *
 * Files are looked at with blocking calls (lstat, access): one per file, where the thread-pool round
 * trip of an asynchronous call costs more than the call itself (a folder of 10,000 files).
 */
export async function walkFolder(
  root: string,
  arg = root,
  opts: SelectionOptions & { cwd?: string | undefined } = {},
): Promise<{ files: LocalFile[]; skipped: SkippedEntry[] }> {
  const cwd = opts.cwd ?? process.cwd();
  const files: LocalFile[] = [];
  const skipped: SkippedEntry[] = [];
  try {
    await access(root, constants.R_OK | constants.X_OK);
  } catch (err) {
    throw new InputError('FILE_UNREADABLE', `Cannot read the folder ${shown(root, cwd)}: ${describeFsError(err)}.`, { hint: 'Fix the permissions (chmod u+rx).' });
  }
  const selector: Selector = await folderSelector(root, opts);
  const walk = async (dir: string, dirRel: string, parents: string[]): Promise<void> => {
    let names: string[];
    const notUtf8 = new Set<string>();
    try {
      names = await readdir(dir);
      // A name that is not UTF-8 reads with U+FFFD in it; only then are the bytes looked at (a name may
      // hold U+FFFD itself, rightly encoded).
      if (names.some((n) => n.includes(NOT_UTF8))) {
        for (const raw of await readdir(dir, { encoding: 'buffer' })) {
          const text = raw.toString('utf8');
          if (!Buffer.from(text, 'utf8').equals(raw)) notUtf8.add(text);
        }
      }
    } catch (err) {
      const rel = toPosix(relative(root, dir));
      throw new InputError('FILE_UNREADABLE', `Cannot read the folder ${shown(dir, cwd)}: ${describeFsError(err)}.`, {
        hint: rel ? `Fix the permissions (chmod u+rx), or leave the folder out: ${excludeFlag(`${rel}/`)}` : 'Fix the permissions (chmod u+rx).',
      });
    }
    names.sort();
    for (const name of names) {
      const p = join(dir, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      if (notUtf8.has(name)) {
        // A name in another encoding (Latin-1 from an old system, say) cannot be opened by its decoded
        // text, and no service could hold it: said, unless the selection leaves it out anyway.
        const why = selector.why(rel) ?? selector.why(`${rel}/`);
        if (why) {
          skipped.push({ rel, from: arg, why });
          continue;
        }
        throw new InputError('BAD_FILE_NAME', `${shown(p, cwd)} has a name that is not UTF-8 text (shown with ${NOT_UTF8} for the bytes that are not); the services take UTF-8 names only.`, {
          // `?` matches the one character each stretch of bad bytes was decoded to
          hint: `${RENAME_TO_UTF8}, or leave it out: ${excludeFlag(rel).split(NOT_UTF8).join('?')}`,
        });
      }
      let st = lstatSync(p);
      if (st.isSymbolicLink()) {
        try {
          st = statSync(p);
        } catch (err) {
          const why = selector.why(rel);
          if (why) skipped.push({ rel, from: arg, why });
          else if (errno(err) === 'ELOOP') skipped.push({ rel, from: arg, why: 'a symbolic link loop (not followed)' });
          else {
            throw new InputError('BROKEN_LINK', `${shown(p, cwd)} is a symbolic link to nothing (${describeFsError(err)}).`, {
              hint: `Remove the link or restore its target, or leave it out: ${excludeFlag(rel)}`,
            });
          }
          continue;
        }
        if (st.isDirectory()) {
          // A link to a folder on the way down (or to one that holds it) would walk the same files forever.
          const real = await realpath(p);
          const within = real.endsWith(sep) ? real : `${real}${sep}`;
          if (parents.some((d) => d === real || d.startsWith(within))) {
            skipped.push({ rel: `${rel}/`, from: arg, why: 'a symbolic link loop (a link to a folder it is in; not followed)' });
            continue;
          }
        }
      }
      if (st.isDirectory()) {
        const why = selector.why(`${rel}/`);
        if (why) skipped.push({ rel: `${rel}/`, from: arg, why });
        else await walk(p, rel, [...parents, await realpath(p)]);
      } else if (st.isFile()) {
        const why = selector.why(rel);
        if (why) {
          skipped.push({ rel, from: arg, why });
          continue;
        }
        checkReadableSync(p, () => shown(p, cwd), () => `leave the file out: ${excludeFlag(rel)}`);
        files.push({ path: p, rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, from: arg });
      } else {
        skipped.push({ rel, from: arg, why: 'not a regular file (a socket, pipe or device)' });
      }
    }
  };
  await walk(root, '', [await realpath(root)]);
  return { files, skipped };
}

/** Resolve the paths given on the command line; folders are walked with the selection rules. */
export async function readInputs(args: string[], cwd: string, selection: SelectionOptions = {}): Promise<LocalInput[]> {
  if (args.length === 0) throw new InputError('MISSING_PATH', 'No files or folders to upload.', { hint: 'Name at least one path: rdp upload ./data --to zenodo' });
  const inputs: LocalInput[] = [];
  for (const arg of args) {
    const path = resolve(cwd, arg);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new InputError('FILE_UNREADABLE', `Cannot read ${arg}: permission denied.`, { hint: 'Fix the permissions of the folders on its path (chmod u+rx).' });
      }
      // Node hands over an argument that is not UTF-8 with U+FFFD for its bytes: that name cannot be opened.
      const garbled = arg.includes(NOT_UTF8) && code === 'ENOENT';
      throw new InputError('MISSING_PATH', `${arg}: ${describeFsError(err)}${garbled ? `, or a name that is not UTF-8 text (shown with ${NOT_UTF8} for the bytes that are not)` : ''}.`, {
        hint: garbled
          ? `${RENAME_TO_UTF8}: the services take UTF-8 names only.`
          : 'Check the path (it is relative to the current directory).',
      });
    }
    if (st.isDirectory()) {
      const { files, skipped } = await walkFolder(path, arg, { ...selection, cwd });
      if (files.length === 0) {
        if (skipped.length) {
          throw new InputError('EMPTY_FOLDER', `${arg} has nothing to upload: all ${skipped.length} entr${skipped.length === 1 ? 'y is' : 'ies are'} left out (${[...new Set(skipped.map((x) => x.why.replace(/ \(.*$/, '').replace(/ line \d+:.*$/, '')))].join(', ')}).`, {
            hint: 'See what is left out and why with --dry-run; --include-hidden sends hidden files.',
          });
        }
        throw new InputError('EMPTY_FOLDER', `${arg} is an empty folder (no files in it or below it).`, { hint: 'Name a folder that holds the data.' });
      }
      inputs.push({ arg, kind: 'folder', path, files, skipped });
    } else if (st.isFile()) {
      await checkReadable(path, arg, 'leave the file out');
      inputs.push({ arg, kind: 'file', path, files: [{ path, rel: basename(path), size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, from: arg }], skipped: [] });
    } else {
      throw new InputError('NOT_A_FILE', `${arg} is not a regular file or folder.`, { hint: 'Upload files and folders only.' });
    }
  }
  return inputs;
}
