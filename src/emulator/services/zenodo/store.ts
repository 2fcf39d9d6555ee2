// The Zenodo emulator's data: depositions (drafts, published versions, concepts) and their buckets.
// File contents are streamed to a private temporary folder as they arrive (never held in memory) and
// hashed on the way, so the emulator reports the MD5 of what it really received. Tests read this
// store (zenodoStore(server.state)) to check what arrived.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { perEmulator } from '../../state.js';
import { randomUUID } from '../../tokens.js';

export type DepositionState = 'unsubmitted' | 'inprogress' | 'done';

export interface StoredFile {
  /** Deposition-file id (also the object version id). */
  id: string;
  key: string;
  size: number;
  /** Hex MD5 of the bytes as the server stored them. */
  md5: string;
  mimetype: string;
  created: string;
  updated: string;
  /** Where the content lives on disk (undefined when contents are discarded). */
  path?: string | undefined;
}

export interface Deposition {
  id: number;
  conceptrecid: number;
  owner: string;
  created: string;
  modified: string;
  state: DepositionState;
  submitted: boolean;
  /** Metadata as last saved (without prereserve_doi, which is added when serialised). */
  metadata: Record<string, unknown>;
  /** Metadata of the published version (restored by discard). */
  published?: Record<string, unknown> | undefined;
  bucket: string;
  files: Map<string, StoredFile>;
  doi?: string | undefined;
  publishedAt?: string | undefined;
}

export interface Concept {
  conceptrecid: number;
  /** Published versions, oldest first. */
  versions: number[];
  /** The one unpublished new-version draft, if any. */
  draft?: number | undefined;
}

/** Limits of a record (providers.md 1.7): 100 files, 50 GB (10^9-based) in all and per file. */
export const LIMITS = { files: 100, recordBytes: 50e9, fileBytes: 50e9 };

export class ZenodoStore {
  readonly depositions = new Map<number, Deposition>();
  readonly concepts = new Map<number, Concept>();
  readonly buckets = new Map<string, number>();
  private nextId = 542200;
  private dir: string | undefined;
  /** Keep uploaded contents on disk (off: only sizes and checksums, for benchmarks). */
  keepContent = true;

  allocateId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** A fresh path for an incoming file's content. */
  contentPath(): string | undefined {
    if (!this.keepContent) return undefined;
    this.dir ??= mkdtempSync(join(tmpdir(), 'rdp-emulator-zenodo-'));
    return join(this.dir, randomUUID());
  }

  create(owner: string, metadata: Record<string, unknown>, conceptrecid?: number): Deposition {
    const concept = conceptrecid ?? this.allocateId();
    const id = this.allocateId();
    const now = timestamp();
    const bucket = randomUUID();
    const d: Deposition = {
      id,
      conceptrecid: concept,
      owner,
      created: now,
      modified: now,
      state: 'unsubmitted',
      submitted: false,
      metadata,
      bucket,
      files: new Map(),
    };
    this.depositions.set(id, d);
    this.buckets.set(bucket, id);
    if (!this.concepts.has(concept)) this.concepts.set(concept, { conceptrecid: concept, versions: [] });
    return d;
  }

  byBucket(bucket: string): Deposition | undefined {
    const id = this.buckets.get(bucket);
    return id === undefined ? undefined : this.depositions.get(id);
  }

  concept(d: Deposition): Concept {
    let c = this.concepts.get(d.conceptrecid);
    if (!c) {
      c = { conceptrecid: d.conceptrecid, versions: [] };
      this.concepts.set(d.conceptrecid, c);
    }
    return c;
  }

  /** The latest published version of a deposition's concept. */
  latest(d: Deposition): number | undefined {
    const v = this.concept(d).versions;
    return v[v.length - 1];
  }

  remove(d: Deposition): void {
    this.depositions.delete(d.id);
    this.buckets.delete(d.bucket);
    const c = this.concept(d);
    if (c.draft === d.id) c.draft = undefined;
    if (c.versions.length === 0 && c.draft === undefined) this.concepts.delete(c.conceptrecid);
  }

  totalBytes(d: Deposition): number {
    let n = 0;
    for (const f of d.files.values()) n += f.size;
    return n;
  }

  /**
   * Take in a file's bytes: hashed as they arrive and streamed to a fresh content file (or counted
   * only, when contents are discarded). More than `maxBytes` fails the stream. On failure the partial
   * file is removed and the error rethrown.
   */
  async receive(stream: Readable, maxBytes: number, tooLarge: () => Error): Promise<{ size: number; md5: string; path?: string | undefined }> {
    const hash = createHash('md5');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        if (size > maxBytes) cb(tooLarge());
        else cb(null, chunk);
      },
    });
    const path = this.contentPath();
    const sink = path ? createWriteStream(path) : new Writable({ write: (_c, _e, cb) => cb() });
    try {
      await pipeline(stream, counter, sink);
    } catch (err) {
      if (path) rmSync(path, { force: true });
      throw err;
    }
    return { size, md5: hash.digest('hex'), path };
  }

  /** Forget a content file that was received but is not kept (an upload that ended early). */
  discard(path: string | undefined): void {
    if (path) rmSync(path, { force: true });
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

export function timestamp(at = Date.now()): string {
  // Zenodo's format: microseconds and an explicit UTC offset.
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** The Zenodo store of an emulator (tests inspect it: `zenodoStore(emu.server.state)`). */
export const zenodoStore = perEmulator(() => new ZenodoStore());
