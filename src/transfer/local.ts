// Local inputs of an upload: files named on the command line and the trees under named folders.
// Every check that can be made before anything remote changes is made here (SPEC.md section 5):
// missing paths, unreadable files, special files, empty folders.
import { constants } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';

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

export interface LocalInput {
  arg: string;
  kind: 'file' | 'folder';
  /** Absolute path of the argument. */
  path: string;
  files: LocalFile[];
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

async function checkReadable(path: string, shown: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError('UNREADABLE_FILE', `Cannot read ${shown}: permission denied.`, {
      hint: 'Fix the permissions (chmod u+r) or leave the file out.',
    });
  }
}

/**
 * Every regular file under `root`, sorted by relative name. Symbolic links to files are followed;
 * links that point back into a folder already being walked are skipped (no loops).
 */
export async function walkFolder(root: string, arg = root): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const seen = new Set<string>([await realpath(root)]);
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw new InputError('UNREADABLE_FILE', `Cannot read the folder ${relative(process.cwd(), dir) || dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {
        hint: 'Fix the permissions or leave the folder out.',
      });
    }
    names.sort();
    for (const name of names) {
      const p = join(dir, name);
      let st = await lstat(p);
      if (st.isSymbolicLink()) {
        try {
          st = await stat(p);
        } catch {
          throw new InputError('BROKEN_LINK', `${p} is a symbolic link to nothing.`, { hint: 'Remove the link or its target path.' });
        }
        if (st.isDirectory()) {
          const real = await realpath(p);
          if (seen.has(real)) continue;
          seen.add(real);
        }
      }
      if (st.isDirectory()) {
        await walk(p);
      } else if (st.isFile()) {
        await checkReadable(p, p);
        out.push({ path: p, rel: toPosix(relative(root, p)), size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, from: arg });
      }
      // sockets, FIFOs and devices are not data files: skipped
    }
  };
  await walk(root);
  return out;
}

/** Resolve the paths given on the command line. */
export async function readInputs(args: string[], cwd: string): Promise<LocalInput[]> {
  if (args.length === 0) throw new InputError('MISSING_PATH', 'No files or folders to upload.', { hint: 'Name at least one path: rdp upload ./data --to zenodo' });
  const inputs: LocalInput[] = [];
  for (const arg of args) {
    const path = resolve(cwd, arg);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError('MISSING_PATH', code === 'ENOENT' ? `${arg}: no such file or folder.` : `${arg}: ${code ?? (err as Error).message}.`, {
        hint: 'Check the path (it is relative to the current directory).',
      });
    }
    if (st.isDirectory()) {
      const files = await walkFolder(path, arg);
      if (files.length === 0) {
        throw new InputError('EMPTY_FOLDER', `${arg} is an empty folder (no files in it or below it).`, { hint: 'Name a folder that holds the data.' });
      }
      inputs.push({ arg, kind: 'folder', path, files });
    } else if (st.isFile()) {
      await checkReadable(path, arg);
      inputs.push({ arg, kind: 'file', path, files: [{ path, rel: basename(path), size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, from: arg }] });
    } else {
      throw new InputError('NOT_A_FILE', `${arg} is not a regular file or folder.`, { hint: 'Upload files and folders only.' });
    }
  }
  return inputs;
}
