// Small JSON documents on disk (config, account metadata, the plaintext token file).
import { readFile } from 'node:fs/promises';
import { FailureError } from '../errors/errors.js';
import { writeFileAtomic } from './atomic.js';
import { withFileLock } from './file-lock.js';

export async function readJsonFile<T>(path: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new FailureError('STATE_UNREADABLE', `Cannot read ${path}: ${(err as Error).message}`, {
      hint: 'Check the file permissions.',
    });
  }
  if (text.trim() === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new FailureError('STATE_CORRUPT', `${path} is not valid JSON.`, {
      hint: 'Fix or delete the file; rdp recreates it when needed.',
    });
  }
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, 0o600);
}

/**
 * Read-modify-write of a JSON file under its lock (./file-lock.ts), so that concurrent rdp processes
 * never lose each other's changes. `change` gets the current content (or `fallback`) and returns the
 * new content, or undefined to leave the file as it is; updateJsonFile returns what was written (or
 * read).
 */
export async function updateJsonFile<T>(path: string, fallback: T, change: (current: T) => T | undefined | Promise<T | undefined>): Promise<T> {
  return withFileLock(path, async () => {
    const current = await readJsonFile<T>(path, fallback);
    const next = await change(current);
    if (next === undefined) return current;
    await writeJsonFile(path, next);
    return next;
  });
}
