// The NOMAD emulator's uploads (providers.md 2.4): records shaped like NOMAD's UploadProcData, the
// raw files each upload holds (path -> size + MD5, not the bytes), what each request body was (size
// and MD5, so tests can prove an archive arrived untouched), and a spool folder where received bodies
// wait on disk until processing has read them (never in memory). Tests reach the store of an
// in-process emulator with nomadUploads(server.state).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorState } from '../../state.js';
import { randomUrlSafe } from '../../tokens.js';
import type { RawFile } from './archive.js';

/** NOMAD's limit of unpublished uploads per (non-admin) user (`config.services.upload_limit`). */
export const UPLOAD_LIMIT = 10;

export interface ReceivedBody {
  /** The file name it arrived under (`file_name`, the multipart part's name, or NO NAME). */
  name: string;
  bytes: number;
  md5: string;
  /** What the emulator took it for: an archive to extract, or a plain file. */
  kind?: string | undefined;
}

export interface UploadRecord {
  upload_id: string;
  upload_name?: string | undefined;
  upload_create_time: string;
  main_author: string;
  coauthors: string[];
  reviewers: string[];
  writers: string[];
  viewers: string[];
  published: boolean;
  publish_time?: string | undefined;
  with_embargo: boolean;
  embargo_length: number;
  license: string;
  process_running: boolean;
  current_process?: string | undefined;
  process_status: string;
  last_status_message?: string | undefined;
  errors: string[];
  warnings: string[];
  complete_time?: string | undefined;
  /** Emulator-side facts (not serialized). */
  publishDirectly: boolean;
  files: Map<string, RawFile>;
  /** Paths of files that became entries (mainfiles). */
  mainfiles: string[];
  received: ReceivedBody[];
}

/** NOMAD's datetime format (naive UTC with microseconds). */
export function nomadTime(d = new Date()): string {
  return `${d.toISOString().slice(0, 23)}000`;
}

/** UploadProcData as NOMAD serializes it: unset fields left out. */
export function uploadData(u: UploadRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    upload_id: u.upload_id,
    upload_name: u.upload_name,
    upload_create_time: u.upload_create_time,
    main_author: u.main_author,
    coauthors: u.coauthors,
    coauthor_groups: [],
    reviewers: u.reviewers,
    reviewer_groups: [],
    writers: u.writers,
    writer_groups: [],
    viewers: u.viewers,
    viewer_groups: [],
    published: u.published,
    publish_time: u.publish_time,
    published_to: [],
    with_embargo: u.with_embargo,
    embargo_length: u.embargo_length,
    license: u.license,
    entries: u.mainfiles.length,
    process_running: u.process_running,
    current_process: u.current_process,
    process_status: u.process_status,
    last_status_message: u.last_status_message,
    errors: u.errors,
    warnings: u.warnings,
    complete_time: u.complete_time,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === null) delete out[k];
  return out;
}

export class NomadUploadStore {
  readonly uploads = new Map<string, UploadRecord>();
  /** Received bodies wait here until processed. */
  readonly spool: string;
  private staged = 0;
  private lastCreate = 0;

  constructor() {
    this.spool = mkdtempSync(join(tmpdir(), 'rdp-emulator-nomad-'));
  }

  create(userId: string, init: { name?: string | undefined; embargoLength: number; publishDirectly: boolean }): UploadRecord {
    let id = randomUrlSafe(16);
    while (this.uploads.has(id)) id = randomUrlSafe(16);
    const rec: UploadRecord = {
      upload_id: id,
      upload_name: init.name,
      upload_create_time: nomadTime(new Date(this.createTime())),
      main_author: userId,
      coauthors: [],
      reviewers: [],
      writers: [userId],
      viewers: [userId],
      published: false,
      with_embargo: init.embargoLength > 0,
      embargo_length: init.embargoLength,
      license: 'CC BY 4.0',
      process_running: false,
      process_status: 'READY',
      errors: [],
      warnings: [],
      publishDirectly: init.publishDirectly,
      files: new Map(),
      mainfiles: [],
      received: [],
    };
    this.uploads.set(id, rec);
    return rec;
  }

  /** Distinct, increasing creation times keep the default order stable. */
  private createTime(): number {
    this.lastCreate = Math.max(Date.now(), this.lastCreate + 1);
    return this.lastCreate;
  }

  /** Unpublished uploads of a user (what NOMAD counts against its limit). */
  unpublished(userId: string): number {
    let n = 0;
    for (const u of this.uploads.values()) if (u.main_author === userId && !u.publish_time) n += 1;
    return n;
  }

  /** A fresh folder in the spool for one request's files. */
  stagingDir(): string {
    return join(this.spool, `in-${++this.staged}`);
  }

  clear(): void {
    this.uploads.clear();
  }

  close(): void {
    rmSync(this.spool, { recursive: true, force: true });
  }
}

const stores = new WeakMap<EmulatorState, NomadUploadStore>();

export function bindStore(state: EmulatorState, store: NomadUploadStore): void {
  stores.set(state, store);
}

/** The NOMAD uploads of an in-process emulator (for tests and the benchmark). */
export function nomadUploads(state: EmulatorState): NomadUploadStore {
  const s = stores.get(state);
  if (!s) throw new Error('this emulator has no NOMAD service mounted');
  return s;
}
