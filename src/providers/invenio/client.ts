// The InvenioRDM records API (providers.md 1.10 and 0.1): what every InvenioRDM repository has, Zenodo
// included. Base: `{site}/api`. One client (one HttpClient, so one rate-limit budget) serves a run.
//
//   drafts    createDraft, getDraft, updateDraft, deleteDraft, reserveDoi, publish
//   versions  getRecord, newVersion (the open next-version draft, or a new one), importFiles,
//             latestVersionId
//   files     listFiles, getFile, initFiles, putContent, commitFile, deleteFile, waitForChecksum, and
//             uploadFile: init -> content -> commit with the server's checksum checked, in parts
//             (multipart.ts) where the site offers it and the file is large
//   lists     userRecords (the caller's drafts and records, page after page), probe (is this an
//             InvenioRDM?), verifyToken
//
// Facts of the server code the client relies on (test/contract/invenio/*.json): a token the server does
// not know makes the request anonymous, so every refusal is 403 "Permission denied." (never 401); a
// draft is saved with what is valid and the problems come back in `errors`; an unknown vocabulary id is a
// 400 "Invalid value <id>." and nothing is saved; a failed transfer can be a 200 with
// `"errors": "File upload transfer failed."`.
import { createHash } from 'node:crypto';
import { ApiError, AuthDeniedError, FailureError, InputError, NotFoundError, type RdpError } from '../../errors/errors.js';
import { sendSource } from '../../transfer/send.js';
import { excludeFlag } from '../../transfer/local.js';
import type { UploadSource } from '../../transfer/source.js';
import { isObj } from '../../util/guards.js';
import { sleep as realSleep } from '../../util/sleep.js';
import type { AuthClassifier } from '../types.js';
import type { ParsedError } from '../../http/errors.js';
import { header, type HttpClient, type HttpClientOptions, type ResponseHeaders } from '../../http/client.js';
import { forSave } from './metadata.js';
import { type MultipartOptions, resolveMultipartOptions, sendMultipart } from './multipart.js';
import { md5Of, multipartChecksum, type RdmFile, type RdmRecord, toRdmFile, toRdmFiles, toRdmRecord, toSearch } from './types.js';
import { unseen } from '../../http/paging.js';

export type { RdmFile, RdmRecord } from './types.js';

/** How a site is named in messages and hints (a site added as `tuwien`, "TU Wien Research Data"). */
export interface SiteNames {
  /** The id the user types (`rdp login <id>`). */
  id: string;
  /** For messages. */
  name: string;
  /** The environment variable of its token (`RDP_TUWIEN_TOKEN`). */
  tokenEnv: string;
}

/** 401 and 403 both say the token does not work (the server answers 403 to a token it does not know). */
export const invenioAuthFailure: AuthClassifier = (status, parsed) => (status === 401 || status === 403 ? { kind: 'invalid', detail: parsed.message } : undefined);

/**
 * The `mapError` of a site's HttpClient: errors that name the site and say what to do next. 403 means
 * the token is unknown to the site (expired, revoked, mistyped), or the record is not the user's.
 */
export function siteErrorMapper(site: SiteNames): NonNullable<HttpClientOptions['mapError']> {
  return (status: number, parsed: ParsedError, res: { headers: ResponseHeaders }): RdpError | undefined => {
    if (status === 401 || status === 403) {
      return new AuthDeniedError('AUTH_INVALID', `${site.name} refused the request (${status}: ${parsed.message}).`, {
        hint: `The token is unknown to ${site.name} (expired, revoked or mistyped), or the record belongs to someone else. Create a personal token on the site and run \`rdp login ${site.id} --with-token\`, or set ${site.tokenEnv}.`,
      });
    }
    if (status === 429) {
      const after = header(res.headers, 'retry-after');
      return new ApiError(site.id, status, `${site.name} is rate limiting requests (429: ${parsed.message}).`, {
        code: 'RATE_LIMITED',
        hint: after ? `Try again in ${after} s.` : 'Wait a minute and run the command again.',
        body: parsed,
      });
    }
    return new ApiError(site.id, status, `${site.name} answered ${status}: ${parsed.message}`, {
      hint: status >= 500 ? `${site.name} had a server error; try again later.` : undefined,
      body: parsed,
      details: parsed.fieldErrors ? { errors: parsed.fieldErrors } : undefined,
    });
  };
}

export interface ClientOptions {
  site: SiteNames;
  /** Multipart uploads: threshold, part size, parallel parts, journal folder. */
  multipart?: Partial<MultipartOptions> | undefined;
  /** Waiting for a checksum the site computes after a multipart commit: at most this long in all (ms). */
  checksumWaitMs?: number | undefined;
  /** Injected for tests (a clock that does not wait). */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** An entry of the files init: `transfer` absent = one request (`L`). */
export interface InitEntry {
  key: string;
  size?: number | undefined;
  checksum?: string | undefined;
  transfer?: { type: 'M'; parts: number; part_size: number } | undefined;
}

export interface UploadedFile {
  key: string;
  size: number;
  /** Hex MD5 of the local content (not taken for a multipart file whose site reports the parts' checksum). */
  md5?: string | undefined;
  /** The site's checksum as finally read. */
  checksum: string | null;
  /** false when the site had not computed its checksum yet (the next run verifies it). */
  verified: boolean;
  /** Sent in parts (multipart), and how many part requests went out (resends included). */
  multipart: boolean;
  partRequests: number;
  /** The site refused multipart (403) and the file went as one stream. */
  fellBack: boolean;
}

export interface UploadFileOptions {
  /** What the site holds under this key already (null: known to be absent; undefined: look it up). */
  existing?: RdmFile | null | undefined;
  onProgress?: ((sent: number) => void) | undefined;
  onRestart?: (() => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** A checksum that does not match what was sent. */
export class ChecksumMismatchError extends FailureError {
  constructor(site: string, key: string, sent: string, server: string) {
    super('CHECKSUM_MISMATCH', `${key}: ${site}'s checksum (${server}) does not match what rdp sent (md5:${sent}); the file was damaged on the way.`, {
      hint: 'Run the command again: the damaged copy is replaced.',
      details: { file: key, sent, server },
    });
  }
}

/** A file key as a URL path: each segment encoded, slashes kept (the server's route is `<path:key>`). */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class InvenioClient {
  readonly site: SiteNames;
  readonly multipart: MultipartOptions;
  /** Learnt during the run: the site refused a multipart upload (403), so files go as one stream. */
  multipartRefused = false;
  /** Learnt during the run: the site accepted a part, so parts go out in parallel from the start. */
  multipartAccepted = false;
  private readonly checksumWaitMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    readonly http: HttpClient,
    opts: ClientOptions,
  ) {
    this.site = opts.site;
    this.multipart = resolveMultipartOptions(opts.multipart);
    this.checksumWaitMs = opts.checksumWaitMs ?? 60_000;
    this.sleep = opts.sleep ?? realSleep;
  }

  private record(data: unknown, status = 200): RdmRecord {
    const r = toRdmRecord(data);
    if (!r) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), {});
    return r;
  }

  private file(data: unknown, status = 200): RdmFile {
    const f = toRdmFile(data);
    if (!f) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), {});
    return f;
  }

  private files(data: unknown, status = 200): RdmFile[] {
    const f = toRdmFiles(data);
    if (!f) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), {});
    return f;
  }

  /** JSON of a response read with `request` (an HTML page or garbage is the clear BAD_RESPONSE error). */
  private parse(text: string, res: { status: number; headers: ResponseHeaders }): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.http.badResponse(res.status, text, res.headers);
    }
  }

  private notFound(err: unknown, what: string, hint: string): unknown {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410)) return new NotFoundError(`${this.site.name} has no ${what} that you can access.`, { hint });
    return err;
  }

  private draftPath(id: string): string {
    return `/records/${encodeURIComponent(id)}/draft`;
  }

  filePath(id: string, key: string): string {
    return `${this.draftPath(id)}/files/${keyPath(key)}`;
  }

  // ------------------------------------------------------------------------------------------------
  // The site and the token

  /**
   * Whether the URL answers like an InvenioRDM: the public search `GET /records?size=1` (no token) with
   * `hits.hits` and `hits.total`, or, on a site that shows nothing to guests, its 403 in the
   * `{"status", "message"}` shape. An HTML page or another JSON shape is refused clearly.
   */
  async probe(): Promise<{ total?: number | undefined; guestsRefused: boolean }> {
    const { res, text } = await this.http.exchange({ method: 'GET', path: '/records', query: { size: 1 }, anonymous: true, accept: [400, 401, 403, 404, 405, 406, 410] });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined; // an HTML page or garbage: not an InvenioRDM API
    }
    if (res.status === 401 || res.status === 403) {
      if (isObj(data) && data.status === res.status && typeof data.message === 'string') return { guestsRefused: true };
    } else if (res.status >= 200 && res.status < 300) {
      const s = toSearch(data);
      if (s) return { total: s.total, guestsRefused: false };
    }
    const what = res.status >= 200 && res.status < 300 ? (data === undefined ? 'answers with something that is not JSON' : 'has no hits.hits and hits.total') : `answers ${res.status}`;
    throw new FailureError('NOT_INVENIO', `${this.http.base} does not answer like an InvenioRDM repository (GET /api/records ${what}).`, {
      hint: 'Give the address of the repository itself (e.g. https://researchdata.tuwien.ac.at), not of a page on it.',
    });
  }

  /**
   * Check the token with a call that needs a user (`GET /user/records?size=1`; the public search would
   * answer a bad token as if it were none). 403 becomes the site's AUTH_INVALID error. The owner id,
   * when the user has a record to show it.
   */
  async verifyToken(): Promise<{ records: number; owner?: string | undefined }> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: '/user/records', query: { size: 1 } });
    const s = toSearch(data);
    if (!s) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
    const first = s.hits[0] ? toRdmRecord(s.hits[0]) : undefined;
    return { records: s.total, owner: first?.owner };
  }

  // ------------------------------------------------------------------------------------------------
  // Drafts and records

  /**
   * Create a draft: one attempt, repeated by the HTTP layer only where the site cannot have acted (a
   * refused connection, 429). The draft comes back with the problems it was saved with (`errors`).
   */
  async createDraft(body: Record<string, unknown>): Promise<RdmRecord> {
    const { status, data } = await this.http.json<unknown>({
      method: 'POST',
      path: '/records',
      json: forSave(body),
      retry: (f) => f.status === 429 || f.code === 'ECONNREFUSED' || f.code === 'EAI_AGAIN',
    });
    return this.record(data, status);
  }

  async getDraft(id: string): Promise<RdmRecord> {
    try {
      const { data } = await this.http.json<unknown>({ method: 'GET', path: this.draftPath(id) });
      return this.record(data);
    } catch (err) {
      throw this.notFound(err, `draft ${id}`, `Check the id (the part after /uploads/ or /records/ in its address). A published record has no draft; \`rdp uploads list --on ${this.site.id}\` shows yours.`);
    }
  }

  /** A draft if the id has one, else undefined (published records without an open draft, unknown ids). */
  async findDraft(id: string): Promise<RdmRecord | undefined> {
    const { res, text } = await this.http.exchange({ method: 'GET', path: this.draftPath(id), accept: [404, 410] });
    if (res.status === 404 || res.status === 410) return undefined;
    return this.record(this.parse(text, res), res.status);
  }

  async getRecord(id: string): Promise<RdmRecord> {
    try {
      const { data } = await this.http.json<unknown>({ method: 'GET', path: `/records/${encodeURIComponent(id)}` });
      return this.record(data);
    } catch (err) {
      throw this.notFound(err, `published record ${id}`, `Check the id (the part after /records/ in its address); \`rdp uploads list --on ${this.site.id}\` shows yours.`);
    }
  }

  /** Replace a draft's metadata, access and files settings (a full replace). */
  async updateDraft(id: string, body: Record<string, unknown>): Promise<RdmRecord> {
    const { status, data } = await this.http.json<unknown>({ method: 'PUT', path: this.draftPath(id), json: forSave(body) });
    return this.record(data, status);
  }

  /** Discard a draft (gone already counts as discarded). */
  async deleteDraft(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.draftPath(id), accept: [404, 410] }).then((r) => r.body.dump());
  }

  /** Reserve the draft's DOI (answers the draft with `pids.doi`). */
  async reserveDoi(id: string): Promise<RdmRecord> {
    const { status, data } = await this.http.json<unknown>({ method: 'POST', path: `${this.draftPath(id)}/pids/doi` });
    return this.record(data, status);
  }

  async publish(id: string): Promise<RdmRecord> {
    const { status, data } = await this.http.json<unknown>({
      method: 'POST',
      path: `${this.draftPath(id)}/actions/publish`,
      timeoutMs: 15 * 60_000, // publishing a large record takes a while
    });
    return this.record(data, status);
  }

  /**
   * The draft of the next version of a published record (any of its versions). The site answers with
   * the open one when there is one, so calling this again is safe; a new one holds no files
   * (importFiles copies the latest version's).
   */
  async newVersion(id: string): Promise<RdmRecord> {
    // So it is sent again after a lost answer (a 5xx, a cut connection) as well.
    const { status, data } = await this.http.json<unknown>({ method: 'POST', path: `/records/${encodeURIComponent(id)}/versions`, retry: 'always' });
    return this.record(data, status);
  }

  /**
   * Copy the latest version's files into an empty new-version draft (the callers ask only for an empty
   * one). Sent again after a lost answer: if the lost attempt imported them, the site refuses the next
   * one (400 "Please remove all files first.") and the draft's files are the answer.
   */
  async importFiles(id: string): Promise<RdmFile[]> {
    const path = `${this.draftPath(id)}/actions/files-import`;
    const { res, text } = await this.http.exchange({ method: 'POST', path, accept: [400], retry: 'always' });
    if (res.status === 400) {
      const files = await this.listFiles(id);
      if (files.length > 0) return files;
      throw this.http.errorFor(res.status, text, res.headers, { method: 'POST', path });
    }
    return this.files(this.parse(text, res), res.status);
  }

  /** The latest published version of a record id or a parent (concept) id; undefined when neither is known. */
  async latestVersionId(id: string): Promise<string | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/records/${encodeURIComponent(id)}/versions/latest`, accept: [301, 302, 303, 307, 308, 404, 410] });
    await res.body.dump().catch(() => {});
    if (res.status < 300 || res.status >= 400) return undefined;
    const m = /\/records\/([^/?#]+)\/?(?:[?#].*)?$/.exec(header(res.headers, 'location') ?? '');
    return m?.[1] ? decodeURIComponent(m[1]) : undefined;
  }

  /**
   * The caller's drafts and records, page after page (`size` at most 100 a page here). Without
   * `allVersions` the site lists the latest draft of each record: an open new-version draft stands in
   * for its published versions.
   */
  async *userRecords(opts: { pageSize?: number | undefined; allVersions?: boolean | undefined; q?: string | undefined; sort?: string | undefined; onTotal?: ((total: number) => void) | undefined } = {}): AsyncGenerator<RdmRecord> {
    const size = Math.min(100, Math.max(1, opts.pageSize ?? 100));
    let seen = 0;
    const ids = new Set<string>();
    for (let page = 1; ; page++) {
      const { data } = await this.http.json<unknown>({
        method: 'GET',
        path: '/user/records',
        query: { page, size, sort: opts.sort ?? 'updated-desc', q: opts.q, allversions: opts.allVersions ? 'true' : undefined },
      });
      const s = toSearch(data);
      if (!s) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
      if (page === 1) opts.onTotal?.(s.total);
      const fresh = unseen(
        s.hits.map((hit) => this.record(hit)),
        (r) => r.id,
        ids,
      );
      yield* fresh;
      seen += s.hits.length;
      if (s.hits.length < size || seen >= s.total || fresh.length === 0) return;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Files

  async listFiles(id: string): Promise<RdmFile[]> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: `${this.draftPath(id)}/files` });
    return this.files(data);
  }

  /** A published record's files. */
  async recordFiles(id: string): Promise<RdmFile[]> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: `/records/${encodeURIComponent(id)}/files` });
    return this.files(data);
  }

  /** One file entry, or undefined when the draft has no such key. */
  async getFile(id: string, key: string): Promise<RdmFile | undefined> {
    const { res, text } = await this.http.exchange({ method: 'GET', path: this.filePath(id, key), accept: [404] });
    if (res.status === 404) return undefined;
    return this.file(this.parse(text, res), res.status);
  }

  /**
   * Start uploads; answers every file of the draft. `accept` hands back statuses instead of throwing.
   * Sent again after a lost answer (a 5xx, a cut connection): if the lost attempt made the entry, the
   * next one answers 400 "already exists", which the callers take as a stale entry to replace.
   */
  async initFiles(id: string, entries: InitEntry[], accept?: number[]): Promise<{ status: number; files: RdmFile[] }> {
    const { res, text } = await this.http.exchange({ method: 'POST', path: `${this.draftPath(id)}/files`, json: entries, accept, retry: 'always' });
    if (res.status < 200 || res.status >= 300) return { status: res.status, files: [] };
    return { status: res.status, files: this.files(this.parse(text, res), res.status) };
  }

  /** Remove a file from a draft (gone already counts as removed); also ends an unfinished multipart upload. */
  async deleteFile(id: string, key: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.filePath(id, key), accept: [404] }).then((r) => r.body.dump());
  }

  /** Send the whole content of an `L` file; the MD5 of what was sent. A transfer the site failed is an error. */
  async putContent(id: string, key: string, source: UploadSource, opts: UploadFileOptions = {}): Promise<{ md5: string; entry: RdmFile | undefined; attempts: number }> {
    const sent = await sendSource({
      http: this.http,
      method: 'PUT',
      path: `${this.filePath(id, key)}/content`,
      source,
      signal: opts.signal,
      onProgress: opts.onProgress,
      onRestart: opts.onRestart,
    });
    const entry = parseEntry(sent.text);
    if (entry?.errors) {
      throw new FailureError('TRANSFER_FAILED', `${key}: ${this.site.name} failed the transfer (${entry.errors}).`, { hint: 'Run the command again: the file is sent anew.' });
    }
    return { md5: sent.md5 as string, entry, attempts: sent.attempts };
  }

  async commitFile(id: string, key: string): Promise<RdmFile> {
    // Sent again after a lost answer (a 5xx, a cut connection) like a PUT: a second commit of a committed
    // file answers 200 with the same entry (test/contract/invenio/files-api.json, commit.again).
    const { status, data } = await this.http.json<unknown>({ method: 'POST', path: `${this.filePath(id, key)}/commit`, retry: 'always', timeoutMs: 15 * 60_000 });
    return this.file(data, status);
  }

  /**
   * A committed file's checksum, waiting while the site computes it (after a multipart commit a
   * background task does, a moment later): a few reads with growing pauses, at most `checksumWaitMs`
   * (or longer for a large file, the task reads it all). Returns the last entry seen.
   */
  async waitForChecksum(id: string, entry: RdmFile, signal?: AbortSignal): Promise<RdmFile> {
    let current = entry;
    const budget = Math.max(this.checksumWaitMs, ((entry.size ?? 0) / 50e6) * 1000);
    let waited = 0;
    let pause = 100;
    while (!current.checksum && waited < budget) {
      await this.sleep(pause, signal);
      waited += pause;
      pause = Math.min(pause * 2, 5000);
      current = (await this.getFile(id, entry.key)) ?? current;
    }
    return current;
  }

  /**
   * Compare the site's checksum with what was sent: `md5:<hex>` with the file's MD5, the S3-style
   * `multipart:` ETag with the MD5 of the parts' MD5s. true: verified; false: the site has none yet.
   * A mismatch throws (the caller removes the damaged copy).
   */
  checkChecksum(key: string, checksum: string | null | undefined, md5: string, parts?: { md5s: string[]; partSize: number } | undefined): boolean {
    if (!checksum) return false;
    const hex = md5Of(checksum);
    if (hex) {
      if (hex !== md5) throw new ChecksumMismatchError(this.site.name, key, md5, checksum);
      return true;
    }
    const mp = multipartChecksum(checksum);
    if (mp && parts) {
      const expected = compositeMd5(parts.md5s);
      if (mp.hex !== expected || mp.parts !== parts.md5s.length || (mp.partSize !== undefined && mp.partSize !== parts.partSize)) {
        throw new ChecksumMismatchError(this.site.name, key, md5 ? `${md5} (parts: ${expected}-${parts.md5s.length})` : `parts: ${expected}-${parts.md5s.length}`, checksum);
      }
      return true;
    }
    return false; // a checksum of another kind: nothing to compare it with
  }

  /**
   * Upload one file into a draft: in parts (multipart.ts) when it is a file on disk at least
   * `multipart.threshold` large and the site has not refused multipart, else as one stream (init ->
   * content -> commit). What the key holds already is replaced, except an unfinished multipart upload of
   * the same file, which is resumed. The site's checksum is compared with the MD5 of what was sent; a
   * mismatch removes the damaged copy and throws ChecksumMismatchError.
   */
  async uploadFile(id: string, source: UploadSource, opts: UploadFileOptions = {}): Promise<UploadedFile> {
    let existing = opts.existing === undefined ? await this.getFile(id, source.name) : (opts.existing ?? undefined);
    const large = source.file !== undefined && source.size >= this.multipart.threshold;
    if (large && !this.multipartRefused) {
      const out = await sendMultipart(this, id, source, existing, opts);
      if (out !== 'refused') return out;
      existing = undefined; // the refused entry was removed
      const single = await this.uploadSingle(id, source, undefined, opts);
      return { ...single, fellBack: true };
    }
    return this.uploadSingle(id, source, existing, opts);
  }

  private async uploadSingle(id: string, source: UploadSource, existing: RdmFile | undefined, opts: UploadFileOptions): Promise<UploadedFile> {
    const key = source.name;
    if (existing) await this.deleteFile(id, key);
    const init = await this.initFiles(id, [{ key, size: source.size }], [400]);
    if (init.status === 400) {
      // Most likely a stale entry (an earlier attempt whose answer was lost): remove it, try once more.
      await this.deleteFile(id, key);
      await this.initFiles(id, [{ key, size: source.size }]);
    }
    const { md5 } = await this.putContent(id, key, source, opts);
    let entry = await this.commitFile(id, key).catch(async (err: unknown) => {
      // A site configured as Zenodo is (RECORDS_RESOURCES_ALLOW_EMPTY_FILES off) refuses to commit a file
      // of 0 bytes (400 "Empty files are not accepted."); the pending entry is removed again.
      if (source.size !== 0 || !(err instanceof ApiError) || err.status !== 400) throw err;
      await this.deleteFile(id, key).catch(() => {});
      throw new InputError('EMPTY_FILE', `${key} is an empty file (0 bytes), and ${this.site.name} does not accept empty files (it answered 400 to the commit).`, {
        hint: `Leave it out (${excludeFlag(key)} for a file in a folder you name), or send everything as one zip archive with --zip NAME.zip (a zip holds empty files).`,
      });
    });
    if (!entry.checksum) entry = await this.waitForChecksum(id, entry, opts.signal);
    if (entry.size !== undefined && entry.size !== source.size) {
      await this.deleteFile(id, key).catch(() => {});
      throw new FailureError('SIZE_MISMATCH', `${key}: ${this.site.name} stored ${entry.size} bytes, rdp sent ${source.size}.`, { hint: 'Run the command again: the damaged copy is replaced.' });
    }
    let verified: boolean;
    try {
      verified = this.checkChecksum(key, entry.checksum, md5);
    } catch (err) {
      await this.deleteFile(id, key).catch(() => {});
      throw err;
    }
    return { key, size: source.size, md5, checksum: entry.checksum ?? null, verified, multipart: false, partRequests: 0, fellBack: false };
  }
}

function parseEntry(text: string): RdmFile | undefined {
  try {
    return toRdmFile(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The S3 multipart ETag's hash: the MD5 of the parts' binary MD5s, in part order. */
export function compositeMd5(partMd5s: string[]): string {
  return createHash('md5').update(Buffer.concat(partMd5s.map((h) => Buffer.from(h, 'hex')))).digest('hex');
}
