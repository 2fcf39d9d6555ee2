// One lock per state file, so that rdp processes running at the same time (several logins in a CI
// job, a login while an upload records its draft) never lose each other's changes to tokens.json,
// accounts.json, config.json or uploads.json (under $XDG_STATE_HOME): every read-modify-write of those files happens
// inside withFileLock(). The lock is proper-lockfile's: a `<file>.lock` directory (mkdir is atomic on
// every file system, network ones too) whose modification time the holder refreshes; a lock left by
// a process that died is taken over once it is older than STALE_MS.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FailureError } from '../errors/errors.js';

/** A lock not refreshed for this long belongs to a process that is gone. */
const STALE_MS = 10_000;
/** Waiting for another process: retries with growing pauses, about 20 s in all. */
const RETRIES = { retries: 50, factor: 1.3, minTimeout: 5, maxTimeout: 500, randomize: true };

/**
 * Run `fn` while holding the lock of `path` (the file need not exist). Processes wait for each other;
 * a lock that stays taken longer than rdp waits is a clear error, not a lost update.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const { default: lockfile } = await import('proper-lockfile');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      lockfilePath: `${path}.lock`,
      stale: STALE_MS,
      retries: RETRIES,
      // The lock's refresh failed (the machine stalled past STALE_MS): the write itself is still
      // atomic, so carry on rather than crash from a timer.
      onCompromised: () => {},
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') {
      throw new FailureError('STATE_LOCKED', `Another rdp is still changing ${path} (it holds ${path}.lock).`, {
        hint: `Wait for it to finish and run the command again. If no rdp is running, remove ${path}.lock.`,
      });
    }
    throw new FailureError('STATE_LOCK_FAILED', `Cannot lock ${path}: ${code ?? (err as Error).message}.`, {
      hint: `Check the permissions of ${dirname(path)}.`,
      cause: err,
    });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/**
 * Hold `path`'s lock for a whole run, without waiting: undefined when another live process holds it.
 * The holder refreshes the lock while it runs (a process that died leaves a lock that goes stale in
 * STALE_MS); the returned function lets it go.
 */
export async function tryRunLock(path: string): Promise<(() => Promise<void>) | undefined> {
  const { default: lockfile } = await import('proper-lockfile');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const release = await lockfile.lock(path, { realpath: false, lockfilePath: `${path}.lock`, stale: STALE_MS, retries: 0, onCompromised: () => {} });
    return () => release().catch(() => {});
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw new FailureError('STATE_LOCK_FAILED', `Cannot lock ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {
      hint: `Check the permissions of ${dirname(path)}.`,
      cause: err,
    });
  }
}
