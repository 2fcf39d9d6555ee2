// NOMAD's asynchronous processes as the emulator runs them (providers.md 2.4): every process goes
// PENDING -> RUNNING -> SUCCESS or FAILURE with `process_running` true until it ends.
//   process_upload  extracts the received files into the upload (zip, tar, tar.gz; anything else is
//                   kept as a plain file), then matches entries. A malformed archive is a FAILURE with
//                   the reason in `errors`, and none of that request's files are added.
//   publish_upload  publishes (publish_time, embargo).
//   delete_upload   removes the upload when it ends.
//   edit_upload_metadata  applies a metadata edit (datasets.ts: adding the entries to a dataset).
// What counts as an entry: NOMAD creates one entry per "mainfile", a file that one of its parsers
// recognises. The emulator knows a few of those parsers by file name (MAINFILE_PATTERNS); every other
// file is kept as a raw file but is no entry. A *.archive.json that is not valid JSON is still an
// entry, and its failure is reported in `warnings` (NOMAD does not fail an upload for a bad entry).
// Timing: PENDING for PENDING_MS, then RUNNING for at least RUNNING_MS; a fault rule
// {"service":"nomad","action":"processing-delay","latencyMs":N} makes the next process run N ms longer.
import { rm } from 'node:fs/promises';
import type { ServiceContext } from '../../server.js';
import { ArchiveError, type ExtractedFile, extract } from './archive.js';
import { nomadTime, type NomadUploadStore, type ReceivedBody, type UploadRecord } from './store.js';

export const PENDING_MS = 30;
export const RUNNING_MS = 60;

/** File-name patterns of parsers NOMAD has (a small, representative subset). */
export const MAINFILE_PATTERNS: { parser: string; pattern: RegExp }[] = [
  { parser: 'parsers/archive', pattern: /\.archive\.(json|ya?ml)$/ },
  { parser: 'parsers/vasp', pattern: /(^|\/)vasprun\.xml[^/]*$/ },
  { parser: 'parsers/vasp', pattern: /(^|\/)OUTCAR[^/]*$/ },
  { parser: 'parsers/castep', pattern: /\.castep$/ },
  { parser: 'parsers/fhi-aims', pattern: /(^|\/)aims\.out$/ },
  { parser: 'parsers/nexus', pattern: /\.nxs$/ },
];

export function isMainfile(path: string): boolean {
  return MAINFILE_PATTERNS.some((p) => p.pattern.test(path));
}

/** A received file waiting in the spool, to be added under `dir` of the upload. */
export interface StagedFile {
  path: string;
  name: string;
  dir: string;
  received: ReceivedBody;
}

type Outcome = { errors: string[]; warnings: string[] };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class Processor {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: NomadUploadStore,
  ) {}

  private run(u: UploadRecord, name: string, work: () => Promise<Outcome>, then?: () => void): void {
    const extra = this.ctx.faults.take('nomad', 'PROCESS', `/uploads/${u.upload_id}`, ['processing-delay'])?.latencyMs ?? 0;
    Object.assign(u, {
      process_running: true,
      current_process: name,
      process_status: 'PENDING',
      last_status_message: 'Waiting for available worker',
      errors: [],
      warnings: [],
      complete_time: undefined,
    });
    void (async () => {
      await sleep(PENDING_MS);
      u.process_status = 'RUNNING';
      u.last_status_message = 'Started process';
      const started = Date.now();
      let outcome: Outcome;
      try {
        outcome = await work();
      } catch (err) {
        outcome = { errors: [`Unexpected error while processing: ${(err as Error).message}`], warnings: [] };
      }
      await sleep(Math.max(0, RUNNING_MS + extra - (Date.now() - started)));
      const failed = outcome.errors.length > 0;
      Object.assign(u, {
        process_running: false,
        process_status: failed ? 'FAILURE' : 'SUCCESS',
        last_status_message: failed ? `Process ${name} failed: ${outcome.errors[0]}` : `Process ${name} completed successfully`,
        errors: outcome.errors,
        warnings: outcome.warnings,
        complete_time: nomadTime(),
      });
      if (!failed) then?.();
    })();
  }

  /** process_upload: add the staged files, then match entries. */
  processUpload(u: UploadRecord, staged: StagedFile[]): void {
    this.run(
      u,
      'process_upload',
      async () => {
        u.last_status_message = 'Extracting files';
        const added: ExtractedFile[] = [];
        const errors: string[] = [];
        for (const s of staged) {
          try {
            const { kind, files } = await extract(s.path, s.name, s.dir);
            s.received.kind = kind;
            added.push(...files);
          } catch (err) {
            if (!(err instanceof ArchiveError)) throw err;
            errors.push(`Could not extract ${s.name}: ${err.message}`);
          } finally {
            await rm(s.path, { force: true });
          }
        }
        if (errors.length) return { errors, warnings: [] };
        for (const f of added) u.files.set(f.path, { size: f.size, md5: f.md5 });
        u.last_status_message = 'Matching and parsing files';
        const mainfiles = [...u.files.keys()].filter(isMainfile).sort();
        u.mainfiles = mainfiles;
        const warnings: string[] = [];
        for (const f of added) {
          if (!f.content || !f.path.endsWith('.archive.json')) continue;
          try {
            JSON.parse(f.content.toString('utf8'));
          } catch (err) {
            warnings.push(`Entry ${f.path} failed to process: ${(err as Error).message}`);
          }
        }
        return { errors: [], warnings };
      },
      () => {
        if (u.publishDirectly && u.mainfiles.length > 0) this.publish(u, u.embargo_length);
      },
    );
  }

  publish(u: UploadRecord, embargoLength: number): void {
    this.run(u, 'publish_upload', async () => {
      u.last_status_message = 'Publishing upload';
      Object.assign(u, {
        published: true,
        publish_time: nomadTime(),
        embargo_length: embargoLength,
        with_embargo: embargoLength > 0,
      });
      return { errors: [], warnings: [] };
    });
  }

  /** edit_upload_metadata (POST /uploads/{id}/edit): `apply` makes the change when the process runs. */
  editMetadata(u: UploadRecord, apply: () => void): void {
    this.run(u, 'edit_upload_metadata', async () => {
      u.last_status_message = 'Updating metadata';
      apply();
      return { errors: [], warnings: [] };
    });
  }

  delete(u: UploadRecord): void {
    this.run(u, 'delete_upload', async () => {
      this.store.uploads.delete(u.upload_id);
      return { errors: [], warnings: [] };
    });
  }
}
