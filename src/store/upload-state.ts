// What upload commands remember between runs, so that running the same command again is safe
// (SPEC.md, Upload to Zenodo: "Re-runs never duplicate a record"): for each command, the draft it
// created and, once published, the DOI. Kept in $XDG_STATE_HOME/rdp/uploads.json (no secrets),
// one entry per command, keyed by the service's API, the set of local paths (resolved, order does not
// matter) and what the command aims at (a record of its own, or the next version of a given record).
// Entries are not removed when an upload completes: the same command keeps working on its draft until
// the draft is published, and after that it refuses to publish a second, identical record.
//
// Every read and write of the file goes through this module; updates are one read-modify-write
// (updateUploadState) under the file's lock (util/file-lock.ts), so concurrent runs lose nothing.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { RdpError } from '../errors/errors.js';
import type { Clock, Log } from '../ports.js';
import { withFileLock } from '../util/file-lock.js';
import { readJsonFile, writeJsonFile } from '../util/json-file.js';

/** What a command aims at: a record of its own, or the next version of the record it names. */
export type UploadTarget = { kind: 'record' } | { kind: 'new-version'; of: string };

export interface UploadStateEntry {
  /** The provider the draft lives on (`zenodo`). */
  service: string;
  /** The API the draft lives on (its host). */
  api: string;
  /** The local paths, resolved and sorted. */
  paths: string[];
  target: UploadTarget;
  /** The deposition this command created (or continued): a Zenodo number, an InvenioRDM site's string id. */
  id: number | string;
  conceptrecid?: string | undefined;
  /** When the draft was first recorded, and last touched. */
  created: string;
  updated: string;
  /** Set once this command published the draft. */
  published?: { doi: string | null; at: string } | undefined;
  /** What the upload holds, as the local selection was when its bytes were accepted (NOMAD: names, sizes, mtimes). */
  selection?: UploadSelection | undefined;
  /**
   * An upload-creating request whose answer never came (NOMAD): what it sent and when, so that the same
   * command finds the upload it may have made instead of making another. `id` is '' while no upload is known.
   */
  pending?: { name: string; since: string; selection: UploadSelection } | undefined;
}

/** A fingerprint of the files a command sent (a hash of their names, sizes and modification times). */
export interface UploadSelection {
  fingerprint: string;
  files: number;
  bytes: number;
}

interface UploadStateFile {
  version: 1;
  uploads: Record<string, UploadStateEntry>;
}

export interface UploadKey {
  key: string;
  service: string;
  api: string;
  paths: string[];
  target: UploadTarget;
}

export function uploadKey(service: string, api: string, cwd: string, paths: string[], target: UploadTarget): UploadKey {
  const abs = [...new Set(paths.map((p) => resolve(cwd, p)))].sort();
  const aim = target.kind === 'record' ? 'record' : `new-version:${target.of}`;
  const key = createHash('sha256').update(JSON.stringify([service, api, abs, aim])).digest('hex').slice(0, 32);
  return { key, service, api, paths: abs, target };
}

function parse(doc: unknown): UploadStateFile {
  const d = doc as Partial<UploadStateFile> | undefined;
  return d && d.version === 1 && d.uploads && typeof d.uploads === 'object' ? (d as UploadStateFile) : { version: 1, uploads: {} };
}

/** The state file, for one run. Reads and writes never fail a run: a problem costs only the convenience, and says so. */
export class UploadState {
  constructor(
    /** The file (asked for on first use). */
    private readonly file: () => Promise<string>,
    private readonly log: Pick<Log, 'warn'>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** What this command remembers, if anything. An unreadable state file counts as empty (with a note). */
  async read(k: UploadKey): Promise<UploadStateEntry | undefined> {
    try {
      return parse(await readJsonFile<unknown>(await this.file(), undefined)).uploads[k.key];
    } catch (err) {
      this.log.warn(`${(err as Error).message} rdp cannot tell which draft an earlier run of this command made; use --deposition ID (NOMAD: --upload ID) to continue one.`);
      return undefined;
    }
  }

  /**
   * Change what this command remembers: `change` gets the current entry and returns the new one (or
   * undefined to forget it). One read-modify-write of the file, under its lock.
   */
  async update(k: UploadKey, change: (current: UploadStateEntry | undefined) => UploadStateEntry | undefined): Promise<void> {
    try {
      const path = await this.file();
      await withFileLock(path, async () => {
        const all = parse(
          await readJsonFile<unknown>(path, undefined).catch((err: unknown) => {
            if (!(err instanceof RdpError && err.code === 'STATE_CORRUPT')) throw err;
            this.log.warn(`${err.message} It is started afresh (what it held about earlier uploads is lost).`);
            return undefined;
          }),
        );
        const next = change(all.uploads[k.key]);
        if (next) all.uploads[k.key] = next;
        else if (k.key in all.uploads) delete all.uploads[k.key];
        else return;
        await writeJsonFile(path, all);
      });
    } catch (err) {
      this.log.warn(`Could not record this upload in rdp's state file (${(err as Error).message}); running the same command again cannot find its draft: use --deposition ID.`);
    }
  }

  /** Record the draft this command works on (kept until it is published), with what it holds when known. */
  rememberDraft(k: UploadKey, dep: { id: number | string; conceptrecid?: string | undefined }, selection?: UploadSelection): Promise<void> {
    return this.remember(k, dep, undefined, selection);
  }

  /** Record that this command's draft was published. */
  rememberPublished(k: UploadKey, dep: { id: number | string; conceptrecid?: string | undefined; doi?: string | undefined }): Promise<void> {
    return this.remember(k, dep, dep.doi ?? null);
  }

  /** Record an upload-creating request about to be sent (see `pending`); what was remembered before stays. */
  rememberAttempt(k: UploadKey, attempt: { name: string; selection: UploadSelection }): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    return this.update(k, (cur) => ({
      ...(cur ?? { service: k.service, api: k.api, paths: k.paths, target: k.target, id: '', created: now }),
      updated: now,
      pending: { name: attempt.name, since: now, selection: attempt.selection },
    }));
  }

  /** Forget a pending attempt (it certainly made nothing, or what it made is recorded); an entry that held only it goes. */
  forgetAttempt(k: UploadKey): Promise<void> {
    return this.update(k, (cur) => (!cur || cur.id === '' ? undefined : { ...cur, pending: undefined }));
  }

  /** The entry for `dep` (created when first recorded; published with its DOI when `doi` is given). */
  private remember(k: UploadKey, dep: { id: number | string; conceptrecid?: string | undefined }, doi: string | null | undefined, selection?: UploadSelection): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    return this.update(k, (cur) => {
      // What the upload holds: given now, or kept from when the same upload was recorded.
      const holds = selection ?? (cur && cur.id === dep.id ? cur.selection : undefined);
      return {
        service: k.service,
        api: k.api,
        paths: k.paths,
        target: k.target,
        id: dep.id,
        conceptrecid: dep.conceptrecid,
        // A published entry keeps when the draft was first recorded; a draft only when it is the same one.
        created: (doi === undefined ? (cur && cur.id === dep.id ? cur.created : undefined) : cur?.created) ?? now,
        updated: now,
        ...(doi === undefined ? {} : { published: { doi, at: now } }),
        ...(holds ? { selection: holds } : {}),
      };
    });
  }
}
