// The InvenioRDM site's data: parents (a record's versions), records and drafts (a draft becomes the
// published record with the same id; a new version is a new id under the same parent) and their files.
// File contents are streamed to a private temporary folder as they arrive, hashed on the way; a
// multipart (`M`) file is preallocated and its parts are written in place at their offsets, the way
// invenio-records-resources' generic multipart storage does for local storage. Tests read this store
// (`invenioStore(server.state)`) to check what arrived.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InvenioSiteOptions } from '../../server.js';
import { perEmulator } from '../../state.js';
import { randomUUID } from '../../tokens.js';

type Md = Record<string, unknown>;

export interface SiteFile {
  key: string;
  created: string;
  updated: string;
  /** `L` (one request) or `M` (multipart; becomes `L` when committed, as upstream). */
  transfer: 'L' | 'M';
  /** Multipart: number of parts and part size as declared at init. */
  parts?: number | undefined;
  partSize?: number | undefined;
  /** What the init said (kept and answered until the content is committed). */
  declaredSize?: number | undefined;
  declaredChecksum?: string | undefined;
  fileId: string;
  versionId: string;
  /** Content received (L: after the PUT; M: the preallocated file). */
  content?: { path?: string | undefined; size: number; md5?: string | undefined } | undefined;
  /** Multipart: the MD5 (hex) of each part received, by part number. */
  partMd5: Map<number, string>;
  committed: boolean;
  /** The checksum answered once committed: `md5:<hex>`, `multipart:...`, or null while a task computes it. */
  checksum: string | null;
  size?: number | undefined;
  mimetype: string;
  metadata: Md;
}

export interface SiteRecord {
  id: string;
  parentId: string;
  owner: string;
  created: string;
  updated: string;
  revision: number;
  /** Version number within the parent (1 for the first). */
  index: number;
  published: boolean;
  metadata: Md;
  /** custom_fields as sent (replaced by every save; copied to a new version, as CustomFieldsComponent does). */
  customFields: Md;
  access: Md;
  filesEnabled: boolean;
  files: Map<string, SiteFile>;
  pids: Md;
  bucketId: string;
}

export interface SiteParent {
  id: string;
  owner: string;
  /** Published versions, oldest first. */
  versions: string[];
  /** The draft of the next version (or of the first), if any. */
  draft?: string | undefined;
  doi?: string | undefined;
}

/** Limits of a fresh InvenioRDM (invenio-rdm-records config): 100 files, 10 GB a record and a file. */
export const SITE_LIMITS = { files: 100, recordBytes: 10e9, fileBytes: 10e9 };

/** The emulated DataCite prefix (DATACITE_FORMAT "{prefix}/{id}"). */
export const DOI_PREFIX = '10.1234';

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case, as record ids are

function newRecordId(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (let i = 0; i < 10; i++) s += ID_ALPHABET[(bytes[i] as number) % 32];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

export function timestamp(at = Date.now()): string {
  // InvenioRDM's format: microseconds and an explicit UTC offset.
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

const MIME: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
  pdf: 'application/pdf',
  png: 'image/png',
  md: 'text/markdown',
};

export function mimetype(key: string): string {
  const ext = /\.([^./]+)$/.exec(key)?.[1]?.toLowerCase() ?? '';
  return MIME[ext] ?? 'application/octet-stream';
}

export class SiteStore {
  readonly parents = new Map<string, SiteParent>();
  readonly records = new Map<string, SiteRecord>();
  /** Knobs (multipart on/off, checksum style), switchable at run time. */
  settings: Required<InvenioSiteOptions> = { multipart: true, multipartChecksum: 'task', checksumDelayMs: 0, doi: true, doiOptional: false, allowEmptyFiles: true, publishGate: 'none' };
  /** Keep uploaded contents on disk (off: only sizes and checksums, for benchmarks). */
  keepContent = true;
  private dir: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  private id(): string {
    for (;;) {
      const id = newRecordId();
      if (!this.records.has(id) && !this.parents.has(id)) return id;
    }
  }

  /** A new draft: of a new parent, or the next version of `parent`. */
  createDraft(owner: string, parent?: SiteParent): SiteRecord {
    const now = timestamp();
    let p = parent;
    if (!p) {
      p = { id: this.id(), owner, versions: [] };
      this.parents.set(p.id, p);
    }
    const r: SiteRecord = {
      id: this.id(),
      parentId: p.id,
      owner,
      created: now,
      updated: now,
      revision: 1,
      index: p.versions.length + 1,
      published: false,
      metadata: {},
      customFields: {},
      access: { record: 'public', files: 'public', embargo: { active: false, reason: null } },
      filesEnabled: true,
      files: new Map(),
      pids: {},
      bucketId: randomUUID(),
    };
    this.records.set(r.id, r);
    p.draft = r.id;
    return r;
  }

  parentOf(r: SiteRecord): SiteParent {
    return this.parents.get(r.parentId) as SiteParent;
  }

  latest(p: SiteParent): SiteRecord | undefined {
    const id = p.versions[p.versions.length - 1];
    return id ? this.records.get(id) : undefined;
  }

  /** Discard an unpublished draft (and its parent when nothing else is left of it). */
  removeDraft(r: SiteRecord): void {
    this.records.delete(r.id);
    const p = this.parentOf(r);
    if (p.draft === r.id) p.draft = undefined;
    if (p.versions.length === 0 && !p.draft) this.parents.delete(p.id);
  }

  touch(r: SiteRecord): void {
    r.updated = timestamp();
    r.revision += 1;
  }

  totalBytes(r: SiteRecord): number {
    let n = 0;
    for (const f of r.files.values()) n += f.size ?? f.declaredSize ?? 0;
    return n;
  }

  newFile(key: string, data: { transfer: 'L' | 'M'; parts?: number | undefined; partSize?: number | undefined; size?: number | undefined; checksum?: string | undefined; metadata?: Md | undefined }): SiteFile {
    const now = timestamp();
    return {
      key,
      created: now,
      updated: now,
      transfer: data.transfer,
      parts: data.parts,
      partSize: data.partSize,
      declaredSize: data.size,
      declaredChecksum: data.checksum,
      fileId: randomUUID(),
      versionId: randomUUID(),
      partMd5: new Map(),
      committed: false,
      checksum: null,
      mimetype: mimetype(key),
      metadata: data.metadata ?? {},
    };
  }

  private contentPath(): string | undefined {
    if (!this.keepContent) return undefined;
    this.dir ??= mkdtempSync(join(tmpdir(), 'rdp-emulator-invenio-'));
    return join(this.dir, randomUUID());
  }

  /**
   * Take in a whole file's bytes (transfer `L`): hashed as they arrive and streamed to a fresh content
   * file (or only counted). More than `maxBytes` fails the stream. On failure the partial file is
   * removed and the error rethrown.
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

  /** A multipart file's storage: preallocated to its declared size (nothing is held in memory). */
  async preallocate(size: number): Promise<string | undefined> {
    const path = this.contentPath();
    if (!path) return undefined;
    const fh = await open(path, 'w');
    try {
      await fh.truncate(size);
    } finally {
      await fh.close();
    }
    return path;
  }

  /** Write one part in place (or only hash it when contents are discarded); the part's MD5 and size. */
  async receivePart(stream: Readable, path: string | undefined, offset: number): Promise<{ size: number; md5: string }> {
    const hash = createHash('md5');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const sink = path ? createWriteStream(path, { flags: 'r+', start: offset }) : new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(stream, counter, sink);
    return { size, md5: hash.digest('hex') };
  }

  /** The MD5 of a stored file, read from disk (the background task after a multipart commit). */
  async md5OfContent(path: string): Promise<string> {
    const hash = createHash('md5');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Run `task` after `ms` (a background task of the site); cancelled when the emulator closes. */
  later(ms: number, task: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      task().catch(() => {});
    }, ms);
    this.timers.add(t);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** The InvenioRDM store of an emulator (tests inspect it: `invenioStore(emu.server.state)`). */
export const invenioStore = perEmulator(() => new SiteStore());
