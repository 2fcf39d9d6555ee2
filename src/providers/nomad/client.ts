// NOMAD's v1 API (providers.md section 2). Base: the API root ending in /api/v1.
import { ApiError, FailureError, NetworkError, NotFoundError, type RdpError } from '../../errors/errors.js';
import { sendSource } from '../../transfer/send.js';
import type { FileChangedError, UploadSource } from '../../transfer/source.js';
import type { ParsedError } from '../../http/errors.js';
import type { HttpClient } from '../../http/client.js';
import { type NomadUpload, narrowUploadPage, narrowUploadResponse } from './types.js';
import { unseen } from '../../http/paging.js';

export type { NomadUpload } from './types.js';

export interface NomadUser {
  user_id: string;
  username?: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
}

/** How a raw body is sent (POST /uploads, PUT /uploads/{id}/raw/{dir}). */
export interface SendBody {
  source: UploadSource;
  /** `file_name`: how NOMAD names the received file (archives are extracted whatever their name). */
  fileName: string;
  onProgress?: ((sent: number) => void) | undefined;
  onRestart?: ((attempt: number) => void) | undefined;
  /** A file changed after its bytes were sent (NOMAD has the earlier content); undefined = an error. */
  onChanged?: ((err: FileChangedError) => void) | undefined;
}

export interface UploadListQuery {
  /** true = published only, false = unpublished only, undefined = all. */
  isPublished?: boolean | undefined;
  pageSize: number;
  /** Told NOMAD's `pagination.total` (uploads matching the query) when a page states it. */
  onTotal?: ((total: number) => void) | undefined;
}

/** A failure after which the request may have been acted on: a 5xx (a proxy's 502), a connection lost. */
function lostAnswer(err: unknown): boolean {
  return (err instanceof ApiError && err.status >= 500) || err instanceof NetworkError;
}

/** The upload NOMAD answered with (JSON `{upload_id, data}`), or a clear error. */
function uploadFrom(http: HttpClient, status: number, text: string, headers: Record<string, string | string[] | undefined>): NomadUpload {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (/thanks for uploading/i.test(text)) {
      throw new ApiError('nomad', status, 'NOMAD accepted the data but answered with its plain-text message instead of JSON, so rdp does not know the upload id.', {
        code: 'BAD_RESPONSE',
        hint: 'Find the upload with `rdp uploads list --on nomad` (or in the NOMAD web interface).',
      });
    }
    throw http.badResponse(status, text, headers);
  }
  const upload = narrowUploadResponse(json);
  if (!upload) throw http.badResponse(status, text.slice(0, 300), headers);
  return upload;
}

/**
 * NOMAD's answers that need more than "NOMAD answered 400": the refusals a user can act on, with the
 * next step. Anything else is returned unchanged.
 */
export function explainNomadError(err: unknown, uploadId?: string): unknown {
  if (!(err instanceof ApiError) || err.provider !== 'nomad') return err;
  const detail = (err.body as ParsedError | undefined)?.message ?? '';
  const which = uploadId ? `upload ${uploadId}` : 'the upload';
  const list = '`rdp uploads list --on nomad`';
  const known: [RegExp, () => RdpError][] = [
    [
      /^Limit of unpublished uploads exceeded/i,
      () =>
        new FailureError('NOMAD_UPLOAD_LIMIT', `NOMAD refused a new upload: you already have as many unpublished uploads as it allows (10 per user). Nothing was sent.`, {
          hint: 'Publish or delete some of them first; `rdp uploads list --on nomad --status draft` lists them.',
        }),
    ],
    [
      /^The specified upload_id was not found/i,
      () => new NotFoundError(`NOMAD has no upload ${uploadId ?? ''}`.trimEnd() + '.', { hint: `Check the id; ${list} shows yours.` }),
    ],
    [
      /already published/i,
      () =>
        new FailureError('NOMAD_PUBLISHED', `NOMAD ${which} is already published: ${detail}`, {
          hint: 'A published upload cannot change. Send the files as a new upload (leave out --upload).',
        }),
    ],
    [
      /currently being processed|still being processed|blocked by another process|still\/already processed/i,
      () =>
        new FailureError('NOMAD_BUSY', `NOMAD is still processing ${which}: ${detail}`, {
          hint: `Wait until its processing has ended (${list} shows the status) and run the command again.`,
        }),
    ],
    [
      /do not have (write )?access|only main author/i,
      () =>
        new FailureError('NOMAD_NO_ACCESS', `NOMAD refused access to ${which}: ${detail}`, {
          hint: `Only the upload's main author and co-authors may change it; check the id (${list} shows yours).`,
        }),
    ],
    [
      /without any resulting entries/i,
      () =>
        new FailureError('NOMAD_NO_ENTRIES', `NOMAD cannot publish ${which}: its processing found no entries (no file a NOMAD parser recognises).`, {
          hint: 'The upload stays unpublished. Add the files NOMAD parses (e.g. code outputs, *.archive.json) with --upload, or delete it.',
        }),
    ],
  ];
  for (const [re, make] of known) if (re.test(detail)) return make();
  return err;
}

export class NomadClient {
  constructor(readonly http: HttpClient) {}

  async me(): Promise<NomadUser> {
    const { data } = await this.http.json<NomadUser>({ method: 'GET', path: '/users/me' });
    if (!data || typeof data.user_id !== 'string') throw this.http.badResponse(200, JSON.stringify(data ?? ''), {});
    return data;
  }

  /** Username and password for a short-lived access token (POST /auth/token, form). */
  async passwordToken(username: string, password: string): Promise<string> {
    const { data } = await this.http.json<{ access_token?: string }>({
      method: 'POST',
      path: '/auth/token',
      form: { grant_type: 'password', username, password },
      anonymous: true,
    });
    if (!data?.access_token) throw this.http.badResponse(200, '', {}, 'no access_token');
    return data.access_token;
  }

  /** An app token valid for `expiresIn` seconds (GET /auth/app_token), using `accessToken`. */
  async appToken(accessToken: string, expiresIn: number): Promise<string> {
    const { data } = await this.http.json<{ app_token?: string }>({
      method: 'GET',
      path: '/auth/app_token',
      query: { expires_in: expiresIn },
      anonymous: true,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (!data?.app_token) throw this.http.badResponse(200, '', {}, 'no app_token');
    return data.app_token;
  }

  /**
   * POST /uploads with the raw body (`curl -T` style), streamed. NOMAD answers JSON only when asked
   * for exactly `Accept: application/json`.
   */
  async createUpload(body: SendBody, opts: { uploadName?: string | undefined; embargoLength?: number | undefined; publishDirectly?: boolean | undefined } = {}): Promise<NomadUpload> {
    try {
      const r = await sendSource({
        http: this.http,
        method: 'POST',
        path: '/uploads',
        query: {
          file_name: body.fileName,
          upload_name: opts.uploadName,
          embargo_length: opts.embargoLength,
          publish_directly: opts.publishDirectly ? true : undefined,
        },
        headers: { accept: 'application/json' },
        source: body.source,
        md5: false, // NOMAD reports no checksum to compare with
        onProgress: body.onProgress,
        onRestart: body.onRestart,
        onChangedAfterSend: body.onChanged,
      });
      return uploadFrom(this.http, r.status, r.text, r.headers);
    } catch (err) {
      throw explainNomadError(err);
    }
  }

  /** PUT /uploads/{id}/raw/{dir}: add a file (an archive is extracted into `dir`) and reprocess. */
  async addToUpload(uploadId: string, dir: string, body: SendBody): Promise<NomadUpload> {
    try {
      const r = await sendSource({
        http: this.http,
        method: 'PUT',
        path: `/uploads/${encodeURIComponent(uploadId)}/raw/${dir.split('/').map(encodeURIComponent).join('/')}`,
        query: { file_name: body.fileName },
        headers: { accept: 'application/json' },
        source: body.source,
        md5: false,
        onProgress: body.onProgress,
        onRestart: body.onRestart,
        onChangedAfterSend: body.onChanged,
      });
      return uploadFrom(this.http, r.status, r.text, r.headers);
    } catch (err) {
      throw explainNomadError(err, uploadId);
    }
  }

  async getUpload(uploadId: string): Promise<NomadUpload> {
    try {
      const { status, data, headers } = await this.http.json<unknown>({ method: 'GET', path: `/uploads/${encodeURIComponent(uploadId)}` });
      const upload = narrowUploadResponse(data);
      if (!upload) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
      return upload;
    } catch (err) {
      throw explainNomadError(err, uploadId);
    }
  }

  /** POST /uploads/{id}/action/publish; publishing goes on asynchronously. */
  async publish(uploadId: string, embargoLength?: number): Promise<NomadUpload> {
    try {
      const { status, data, headers } = await this.http.json<unknown>({
        method: 'POST',
        path: `/uploads/${encodeURIComponent(uploadId)}/action/publish`,
        query: { embargo_length: embargoLength },
      });
      const upload = narrowUploadResponse(data);
      if (!upload) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
      return upload;
    } catch (err) {
      // An answer lost on the way (a 5xx from a proxy, a cut connection) may hide a publish that NOMAD
      // started: then the upload says so, and that is the answer (a second publish would be refused).
      if (lostAnswer(err)) {
        const now = await this.getUpload(uploadId).catch(() => undefined);
        if (now && (now.published || (now.processRunning && now.currentProcess === 'publish_upload'))) return now;
      }
      throw explainNomadError(err, uploadId);
    }
  }

  /**
   * The user's own unpublished uploads of this name, newest first (one page), and the server's time
   * (its Date header) to compare their creation times with.
   */
  async recentUnpublished(name: string, pageSize = 20): Promise<{ uploads: NomadUpload[]; serverNow: number | undefined }> {
    const { status, data, headers } = await this.http.json<unknown>({
      method: 'GET',
      path: '/uploads',
      query: { roles: 'main_author', is_published: false, upload_name: name, page_size: pageSize, order_by: 'upload_create_time', order: 'desc' },
    });
    const page = narrowUploadPage(data);
    if (!page) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
    const date = Date.parse(String(headers.date ?? ''));
    return { uploads: page.items, serverNow: Number.isNaN(date) ? undefined : date };
  }

  /**
   * The user's uploads, newest first, page after page (`page_after_value` /
   * `next_page_after_value`); stops when NOMAD names no next page.
   */
  async *uploads(q: UploadListQuery): AsyncGenerator<NomadUpload> {
    let after: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const { status, data, headers } = await this.http.json<unknown>({
        method: 'GET',
        path: '/uploads',
        query: {
          // Without `roles` NOMAD lists uploads shared with the user too (providers.md 0.4): the user's own.
          roles: 'main_author',
          is_published: q.isPublished,
          page_size: q.pageSize,
          order_by: 'upload_create_time',
          order: 'desc',
          page_after_value: after,
        },
      });
      const page = narrowUploadPage(data);
      if (!page) throw this.http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
      if (page.total !== undefined) q.onTotal?.(page.total);
      const fresh = unseen(page.items, (u) => u.uploadId, seen);
      yield* fresh;
      const next = page.nextPageAfterValue;
      if (next === undefined || next === after || fresh.length === 0) return;
      after = next;
    }
  }
}
