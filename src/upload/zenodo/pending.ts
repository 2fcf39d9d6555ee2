// Drafts left by an upload that did not finish (a failure, Ctrl-C), so that running the same command
// again continues that draft instead of starting a second one. Kept in
// $XDG_CONFIG_HOME/rdp/pending-uploads.json (no secrets), keyed by the Zenodo API, the local paths and
// the --zip name; an entry is removed when its upload completes. CI machines start without the file,
// so there the printed `--deposition` command is the way to resume.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { readJsonFile, updateJsonFile } from '../../util/json-file.js';

export interface PendingUpload {
  id: number;
  api: string;
  paths: string[];
  zip: string | null;
  created: string;
}

type PendingFile = Record<string, PendingUpload>;

async function file(ctx: Context): Promise<string> {
  return join((await ctx.paths()).dir, 'pending-uploads.json');
}

export function pendingKey(api: string, cwd: string, paths: string[], zip: string | undefined): { key: string; paths: string[] } {
  const abs = paths.map((p) => resolve(cwd, p));
  const key = createHash('sha256').update(JSON.stringify([api, abs, zip ?? null])).digest('hex').slice(0, 32);
  return { key, paths: abs };
}

export async function findPending(ctx: Context, key: string): Promise<PendingUpload | undefined> {
  const all = await readJsonFile<PendingFile>(await file(ctx), {}).catch(() => ({}) as PendingFile);
  return all[key];
}

/** Remember (or, with undefined, forget) the draft of an upload. Best effort: never fails a run. */
export async function setPending(ctx: Context, key: string, entry: PendingUpload | undefined): Promise<void> {
  try {
    // Under the file's lock (util/file-lock.ts): concurrent uploads keep each other's records.
    await updateJsonFile<PendingFile>(await file(ctx), {}, (all) => {
      if (entry) all[key] = entry;
      else if (key in all) delete all[key];
      else return undefined;
      return all;
    });
  } catch (err) {
    ctx.io.debug(`could not update the list of unfinished uploads: ${(err as Error).message}`);
  }
}
