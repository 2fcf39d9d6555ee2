// Zenodo's legacy deposit API and bucket API (providers.md section 1). Base: `{web}/api`. Every method
// returns narrowed data; one client (one HttpClient, so one rate-limit budget) serves a whole run.
import { ApiError, FailureError, NotFoundError } from '../../errors.js';
import type { AuthClassifier } from '../auth-failure.js';
import type { HttpClient } from '../http.js';
import { type Deposition, type RemoteFile, toDeposition, toRemoteFile, toRemoteFiles } from './types.js';

export type { Deposition, RemoteFile } from './types.js';

export const zenodoAuthFailure: AuthClassifier = (status, parsed) => {
  if (status === 401) return { kind: 'invalid', detail: parsed.message };
  // Zenodo answers 403 both without credentials (current server) and for a missing scope.
  if (status === 403) return { kind: 'scope', detail: parsed.message };
  return undefined;
};

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

  /** Every deposition of the user, newest first, page after page (`size` at most 100). */
  async *depositions(opts: { status?: 'draft' | 'published' | undefined; pageSize?: number | undefined } = {}): AsyncGenerator<Deposition> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, opts.pageSize ?? MAX_PAGE_SIZE));
    for (let page = 1; ; page++) {
      const { data } = await this.http.json<unknown>({
        method: 'GET',
        path: '/deposit/depositions',
        query: { page, size, status: opts.status, sort: 'mostrecent' },
      });
      if (!Array.isArray(data)) throw this.http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
      for (const item of data) yield this.deposition(item);
      if (data.length < size) return;
    }
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

  async create(metadata: Record<string, unknown>): Promise<Deposition> {
    const { status, data } = await this.http.json<unknown>({
      method: 'POST',
      path: '/deposit/depositions',
      json: Object.keys(metadata).length ? { metadata } : {},
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
   * Start (or reuse) the new-version draft of a published deposition and return the draft. The docs
   * answer with the original and the current server with the draft; `links.latest_draft` names the
   * draft in both, so it is always followed.
   */
  async newVersion(dep: Deposition): Promise<Deposition> {
    let answer: Deposition;
    try {
      const { status, data } = await this.http.json<unknown>({
        method: 'POST',
        path: dep.links.newversion ?? `/deposit/depositions/${dep.id}/actions/newversion`,
      });
      answer = this.deposition(data, status);
    } catch (err) {
      // Some servers refuse a second newversion while a draft is open (peers.md 3.15) instead of
      // treating it as a no-op: then the open draft is the one to use.
      if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || err.status === 401 || err.status === 403) throw err;
      const now = await this.get(dep.id);
      const open = now.links.latestDraft && now.links.latestDraft !== now.links.self ? await this.follow(now.links.latestDraft) : undefined;
      if (open && !open.submitted) return open;
      throw err;
    }
    const next = answer.links.latestDraft;
    if (!next) throw new FailureError('BAD_RESPONSE', `Zenodo started a new version of ${dep.id} but did not say where the draft is (no links.latest_draft).`);
    const draft = await this.follow(next);
    if (draft.submitted) {
      throw new FailureError('NEW_VERSION_FAILED', `Zenodo's links.latest_draft for ${dep.id} points at the published record ${draft.id}, not at a draft.`, {
        hint: `Open ${dep.links.html ?? dep.links.self} in a browser and check for a pending new version.`,
      });
    }
    return draft;
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
