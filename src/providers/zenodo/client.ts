// Zenodo's legacy deposit API and bucket API (providers.md section 1). Base: `{web}/api`. Every method
// returns narrowed data; one client (one HttpClient, so one rate-limit budget) serves a whole run.
import { ApiError, FailureError, NotFoundError } from '../../errors/errors.js';
import { header, type HttpClient } from '../../http/client.js';
import { type Deposition, type RemoteFile, toDeposition, toRemoteFile, toRemoteFiles } from './types.js';
import { unseen } from '../../http/paging.js';

export type { Deposition, RemoteFile } from './types.js';

export interface ZenodoIdentity {
  ownerId?: string | undefined;
}

/** The largest page the list endpoint serves (providers.md 1.6). */
export const MAX_PAGE_SIZE = 100;

export class ZenodoClient {
  constructor(readonly http: HttpClient) {}

  /** A cheap authenticated call: lists at most one deposition. */
  async identify(): Promise<ZenodoIdentity> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: '/deposit/depositions', query: { size: 1 } });
    if (!Array.isArray(data)) throw this.http.badResponse(200, JSON.stringify(data).slice(0, 200), {});
    const first = data[0] as { owner?: unknown } | undefined;
    return { ownerId: first?.owner !== undefined ? String(first.owner) : undefined };
  }

  private deposition(data: unknown, status = 200): Deposition {
    const d = toDeposition(data);
    if (!d) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), {});
    return d;
  }

  /**
   * Every deposition of the user, newest first (`sort=mostrecent` is newest *created* first on Zenodo), page after page (`size` at most 100).
   * Zenodo's `status` parameter filters nothing (providers.md 0.1), so there is none here: callers
   * filter. `allVersions` lists every version, not only each record's latest.
   */
  async *depositions(opts: { pageSize?: number | undefined; allVersions?: boolean | undefined } = {}): AsyncGenerator<Deposition> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, opts.pageSize ?? MAX_PAGE_SIZE));
    const seen = new Set<number | string>();
    for (let page = 1; ; page++) {
      const { data } = await this.http.json<unknown>({
        method: 'GET',
        path: '/deposit/depositions',
        query: { page, size, sort: 'mostrecent', all_versions: opts.allVersions ? 'true' : undefined },
      });
      if (!Array.isArray(data)) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
      const fresh = unseen(
        data.map((item) => this.deposition(item)),
        (d) => d.id,
        seen,
      );
      yield* fresh;
      if (data.length < size || fresh.length === 0) return;
    }
  }

  /** The first page of the user's depositions, with the server's clock (its `Date` header) at answering. */
  async recent(size: number): Promise<{ depositions: Deposition[]; serverNow: number | undefined }> {
    const { data, headers } = await this.http.json<unknown>({ method: 'GET', path: '/deposit/depositions', query: { page: 1, size, sort: 'mostrecent' } });
    if (!Array.isArray(data)) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
    const date = Date.parse(header(headers, 'date') ?? '');
    return { depositions: data.map((d) => this.deposition(d)), serverNow: Number.isNaN(date) ? undefined : date };
  }

  /**
   * The open (unpublished) new-version draft of a record, found among the user's depositions by the
   * record's `conceptrecid`: Zenodo's `links.latest_draft` of a published record names the record
   * itself, never the draft (providers.md 0.1).
   */
  async openDraftOf(conceptrecid: string | undefined): Promise<Deposition | undefined> {
    if (!conceptrecid) return undefined;
    for await (const d of this.depositions({ allVersions: true })) {
      if (d.conceptrecid === conceptrecid && !d.submitted) return d;
    }
    return undefined;
  }

  /**
   * The latest published version of a record id or a concept (all-versions) record id, through
   * `/records/{id}/versions/latest`, which redirects to it; undefined when Zenodo knows neither.
   */
  async latestVersionId(id: number | string): Promise<number | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/records/${encodeURIComponent(String(id))}/versions/latest`, accept: [301, 302, 303, 307, 308, 404, 410] });
    await res.body.dump().catch(() => {});
    if (res.status < 300 || res.status >= 400) return undefined;
    const m = /\/records\/(\d+)\/?(?:[?#].*)?$/.exec(header(res.headers, 'location') ?? '');
    return m?.[1] ? Number(m[1]) : undefined;
  }

  /** One deposition by id; a clear NotFoundError when it does not exist (or is not the user's). */
  async get(id: number | string): Promise<Deposition> {
    try {
      const { data } = await this.http.json<unknown>({ method: 'GET', path: `/deposit/depositions/${encodeURIComponent(String(id))}` });
      return this.deposition(data);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 410)) {
        throw new NotFoundError(`Zenodo has no deposition ${id} that you can access.`, {
          hint: 'Check the id (the number in the record or deposit URL; not the concept id), and that the token belongs to its owner. `rdp uploads list --on zenodo` shows yours.',
        });
      }
      throw err;
    }
  }

  /** Follow a `links.*` URL that names a deposition. */
  async follow(url: string): Promise<Deposition> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: url });
    return this.deposition(data);
  }

  /**
   * Create a draft: one attempt, repeated by the HTTP layer only where Zenodo cannot have acted (a
   * refused connection, 429). A 5xx or a lost answer is the caller's to handle, since the draft may
   * exist all the same (see deposit/create.ts).
   */
  async create(metadata: Record<string, unknown>): Promise<Deposition> {
    const { status, data } = await this.http.json<unknown>({
      method: 'POST',
      path: '/deposit/depositions',
      json: Object.keys(metadata).length ? { metadata } : {},
      retry: (f) => f.status === 429 || f.code === 'ECONNREFUSED' || f.code === 'EAI_AGAIN',
    });
    return this.deposition(data, status);
  }

  /** Replace the metadata of a draft (a full replace, providers.md 1.6). */
  async updateMetadata(dep: Deposition, metadata: Record<string, unknown>): Promise<Deposition> {
    const { status, data } = await this.http.json<unknown>({ method: 'PUT', path: dep.links.self || `/deposit/depositions/${dep.id}`, json: { metadata } });
    return this.deposition(data, status);
  }

  async publish(dep: Deposition): Promise<Deposition> {
    const { status, data } = await this.http.json<unknown>({
      method: 'POST',
      path: dep.links.publish ?? `/deposit/depositions/${dep.id}/actions/publish`,
      timeoutMs: 15 * 60_000, // publishing a large record takes a while
    });
    return this.deposition(data, status);
  }

  /**
   * Start (or continue) the new-version draft of a published deposition and return the draft.
   * The current server answers with the new draft; a new version already open (with the copied files)
   * makes it answer 400 "Please remove all files first.", and `links.latest_draft` of the record names
   * the record itself (providers.md 0.1): the open draft is then found by the record's conceptrecid.
   * Older servers answered with the original and named the draft in `links.latest_draft`.
   */
  async newVersion(dep: Deposition): Promise<Deposition> {
    let answer: Deposition;
    try {
      const { status, data } = await this.http.json<unknown>({
        method: 'POST',
        path: dep.links.newversion ?? `/deposit/depositions/${dep.id}/actions/newversion`,
        // Sent again after a lost answer (a 5xx, a cut connection): Zenodo opens no second new version;
        // if the lost attempt opened one, the repeat answers 400 and the open draft is found below.
        retry: 'always',
      });
      answer = this.deposition(data, status);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || err.status === 401 || err.status === 403) throw err;
      const open = await this.openDraftOf(dep.conceptrecid);
      if (open) return open;
      throw err;
    }
    if (!answer.submitted) return answer;
    const next = answer.links.latestDraft;
    if (next && next !== answer.links.self) {
      const draft = await this.follow(next);
      if (!draft.submitted) return draft;
    }
    const open = await this.openDraftOf(dep.conceptrecid ?? answer.conceptrecid);
    if (open) return open;
    throw new FailureError('NEW_VERSION_FAILED', `Zenodo accepted a new version of ${dep.id} but rdp cannot find its draft among your depositions.`, {
      hint: `Open ${dep.links.html ?? dep.links.self} in a browser and check for a pending new version.`,
    });
  }

  /** The files of a deposition: its `files`, or the bucket listing when the answer had none. */
  async files(dep: Deposition): Promise<RemoteFile[]> {
    if (dep.files) return dep.files;
    const bucket = this.bucket(dep);
    const { data } = await this.http.json<unknown>({ method: 'GET', path: bucket });
    const files = toRemoteFiles(data);
    if (!files) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
    return files;
  }

  /** The bucket link, checked to be on the API's own host (the token is sent there). */
  bucket(dep: Deposition): string {
    const bucket = dep.links.bucket;
    if (!bucket) {
      throw new FailureError('NO_BUCKET', `Zenodo did not give deposition ${dep.id} a file bucket (links.bucket is missing).`, {
        hint: dep.submitted ? 'Published records take no new files: use --new-version.' : 'Try again; if it persists, the deposition may be locked.',
      });
    }
    // The HTTP layer's own rule, asked before anything is planned around this bucket.
    this.http.checkTarget(new URL(bucket), { method: 'PUT' });
    return bucket;
  }

  /** The URL a file is PUT to. */
  fileUrl(dep: Deposition, name: string): string {
    return `${this.bucket(dep)}/${encodeURIComponent(name)}`;
  }

  /** Remove a file from a draft (gone already counts as removed). */
  async deleteFile(dep: Deposition, name: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.fileUrl(dep, name), accept: [404] }).then((r) => r.body.dump());
  }

  /** The server's record of an uploaded file, from a PUT answer. */
  uploadAnswer(text: string): RemoteFile | undefined {
    try {
      return toRemoteFile(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
}
