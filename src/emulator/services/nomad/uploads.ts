// NOMAD's upload endpoints (providers.md 2.5), in the order of checks the server makes, with its
// `detail` texts. Bodies are streamed to the spool on disk (raw `curl -T` bodies and multipart `file`
// parts alike) and processed asynchronously (./processing.ts). Checks that NOMAD makes before it reads
// the body (the unpublished-uploads limit, embargo_length, write access) answer at once, so a client
// is not made to send gigabytes to hear "no".
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EmuHttpError, type EmuRequest, type EmuResponse } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { sniff } from './archive.js';
import { detail, nomadAuth } from './index.js';
import { Processor, type StagedFile } from './processing.js';
import { NomadUploadStore, type ReceivedBody, UPLOAD_LIMIT, type UploadRecord, uploadData } from './store.js';

const THANK_YOU = (gui: string) =>
  `\nThanks for uploading your data to nomad.\nGo back to ${gui} and press\nreload to see the progress on your upload\nand publish your data.`;

const ORDER_BY = ['upload_create_time', 'publish_time', 'upload_name', 'last_status_message'] as const;

function invalid(loc: string, msg: string, type = 'value_error'): EmuHttpError {
  return new EmuHttpError(422, { detail: [{ loc: ['query', loc], msg, type }] });
}

function intParam(req: EmuRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(v)) throw invalid(name, 'value is not a valid integer', 'type_error.integer');
  return Number(v);
}

function boolParam(req: EmuRequest, name: string): boolean | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
  throw invalid(name, 'value could not be parsed to a boolean', 'type_error.bool');
}

/** NOMAD's is_safe_basename. */
function safeBasename(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** NOMAD's is_safe_relative_path ('' = the root). */
function safeRelativePath(path: string): boolean {
  if (path === '') return true;
  if (path.startsWith('/') || path.includes('\0')) return false;
  const norm = posix.normalize(path).replace(/\/$/, '');
  return !norm.split('/').includes('..') && norm !== '.';
}

/** Counts and hashes what passes through. */
class Digest extends Transform {
  readonly hash = createHash('md5');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

const ioError = () => detail(400, 'Some IO went wrong, upload probably aborted/disrupted.');

export function mountUploads(ctx: ServiceContext): NomadUploadStore {
  const store = new NomadUploadStore();
  const processor = new Processor(ctx, store);
  const gui = `${ctx.base.replace(/\/api\/v1$/, '')}/gui`;
  const r = ctx.router;

  /** The user of a request that may be anonymous (a given token must still be valid). */
  const optionalUser = (req: EmuRequest) => (req.bearer() ? nomadAuth(ctx, req) : undefined);

  /** An authenticated user; NOMAD's upload token (`?token=`) is accepted by the real server only. */
  const requiredUser = (req: EmuRequest) => {
    if (!req.bearer() && req.query.get('token')) throw detail(401, 'A invalid upload token was supplied.');
    return nomadAuth(ctx, req);
  };

  const find = (id: string) => {
    const u = store.uploads.get(id);
    if (!u) throw detail(404, 'The specified upload_id was not found.');
    return u;
  };

  /** NOMAD's _get_upload_with_write_access. */
  const writable = (id: string, user: string, opts: { includePublished: boolean; publishedRequiresAdmin: boolean }) => {
    const u = find(id);
    if (u.main_author !== user && !u.coauthors.includes(user)) throw detail(401, 'You do not have write access to the specified upload.');
    if (u.published) {
      if (!opts.includePublished) throw detail(401, 'Upload is already published, operation not possible.');
      if (opts.publishedRequiresAdmin) throw detail(401, 'Upload is already published, only admins can perform this operation.');
    }
    return u;
  };

  const notProcessing = (u: UploadRecord) => {
    if (u.process_running) throw detail(400, 'The upload is currently being processed, operation not allowed.');
  };

  /** Receive the request's file(s) into the spool: multipart `file` parts, or the raw body. */
  const receive = async (req: EmuRequest, fileName: string | undefined, dir: string): Promise<{ staged: StagedFile[]; multipart: boolean }> => {
    const spool = store.stagingDir();
    await mkdir(spool, { recursive: true });
    const ct = req.header('content-type') ?? '';
    const staged: StagedFile[] = [];
    const save = async (source: NodeJS.ReadableStream, name: string, index: number) => {
      const path = join(spool, `${index}-${name}`);
      const digest = new Digest();
      await pipeline(source, digest, createWriteStream(path));
      const received: ReceivedBody = { name, bytes: digest.bytes, md5: digest.hash.digest('hex') };
      staged.push({ path, name, dir, received });
    };
    try {
      if (/^multipart\/form-data/i.test(ct)) {
        const { default: busboy } = await import('busboy');
        const bb = busboy({ headers: req.raw.headers, defParamCharset: 'utf8' });
        const writes: Promise<void>[] = [];
        let bad = false;
        bb.on('file', (field, stream, info) => {
          let name = info.filename ?? '';
          try {
            name = decodeURIComponent(name);
          } catch {
            // keep as given
          }
          if (field !== 'file' || bad || !safeBasename(name)) {
            if (field === 'file' && !safeBasename(name)) bad = true;
            stream.resume();
            return;
          }
          writes.push(save(stream, name, writes.length));
        });
        await pipeline(req.stream, bb);
        await Promise.all(writes);
        if (bad) throw detail(400, 'Bad file name provided.');
        return { staged, multipart: true };
      }
      const name = fileName ?? 'NO NAME';
      await save(req.stream, name, 0);
      const only = staged[0] as StagedFile;
      if (only.received.bytes === 0) {
        staged.length = 0; // an empty body: an empty upload, nothing to process
      } else if (fileName === undefined && (await sniff(only.path)) === 'file') {
        throw detail(400, 'No file name provided, and the file does not look like a zip or tar file.');
      }
      return { staged, multipart: false };
    } catch (err) {
      await rm(spool, { recursive: true, force: true });
      if (err instanceof EmuHttpError) throw err;
      throw ioError();
    }
  };

  const answer = (req: EmuRequest, res: EmuResponse, u: UploadRecord) => {
    if (req.header('accept') === 'application/json') res.json(200, { upload_id: u.upload_id, data: uploadData(u) });
    else res.text(200, THANK_YOU(gui));
  };

  r.post('/uploads', async (req, res) => {
    const user = requiredUser(req);
    if (store.unpublished(user) >= UPLOAD_LIMIT) throw detail(400, 'Limit of unpublished uploads exceeded for user.');
    const embargo = intParam(req, 'embargo_length') ?? 0;
    if (embargo < 0 || embargo > 36) throw detail(400, '`embargo_length` must be between 0 and 36 months.');
    const publishDirectly = boolParam(req, 'publish_directly') ?? false;
    if (req.query.get('local_path')) throw detail(401, 'You are not authorized to access this path.');
    const fileName = req.query.get('file_name') ?? undefined;
    if (fileName !== undefined && !safeBasename(fileName)) throw detail(400, 'Bad file name provided.');
    const { staged, multipart } = await receive(req, fileName, '');
    let name = req.query.get('upload_name') ?? undefined;
    if (!name) name = multipart ? (staged.length === 1 ? staged[0]?.name : undefined) : fileName;
    const u = store.create(user, { name, embargoLength: embargo, publishDirectly });
    u.received.push(...staged.map((s) => s.received));
    if (staged.length) processor.processUpload(u, staged);
    answer(req, res, u);
  });

  r.put('/uploads/:id/raw/*', async (req, res) => {
    const user = requiredUser(req);
    const u = writable(req.params.id as string, user, { includePublished: false, publishedRequiresAdmin: true });
    notProcessing(u);
    const dir = (req.params['*'] ?? '').replace(/\/+$/, '');
    if (!safeRelativePath(dir)) throw detail(400, 'Bad path provided.');
    const fileName = req.query.get('file_name') ?? undefined;
    if (fileName !== undefined && !safeBasename(fileName)) throw detail(400, 'Bad file name provided.');
    const overwrite = boolParam(req, 'overwrite_if_exists') ?? true;
    const { staged } = await receive(req, fileName, dir);
    if (staged.length === 0) throw detail(400, 'Either an upload file or the query parameters for moving/copying a file should be provided.');
    if (!overwrite) {
      for (const s of staged) {
        if ((await sniff(s.path)) === 'file' && u.files.has(dir ? `${dir}/${s.name}` : s.name)) {
          throw new EmuHttpError(409, { detail: 'The provided path already exists and overwrite_if_exists is set to False.' });
        }
      }
    }
    notProcessing(u); // a concurrent request may have started a process while this body arrived
    u.received.push(...staged.map((s) => s.received));
    processor.processUpload(u, staged);
    answer(req, res, u);
  });

  r.get('/uploads/:id', (req, res) => {
    const user = optionalUser(req);
    const u = find(req.params.id as string);
    if (!(user && u.viewers.includes(user))) {
      if (!u.published) {
        throw detail(401, user ? 'You do not have access to the specified upload.' : 'You need to log in to access the specified upload.');
      }
      if (u.with_embargo) throw detail(401, 'You do not have access to the specified upload - published with embargo.');
    }
    res.json(200, { upload_id: u.upload_id, data: uploadData(u) });
  });

  r.delete('/uploads/:id', (req, res) => {
    const user = requiredUser(req);
    const u = find(req.params.id as string);
    if (u.main_author !== user) throw detail(401, 'Only main author has permissions for this operation.');
    if (u.published) throw detail(401, 'Upload is already published, only admins can perform this operation.');
    if (u.process_running) throw detail(400, 'The upload is still being processed.');
    processor.delete(u);
    res.json(200, { upload_id: u.upload_id, data: uploadData(u) });
  });

  r.post('/uploads/:id/action/publish', (req, res) => {
    const user = requiredUser(req);
    const u = writable(req.params.id as string, user, { includePublished: true, publishedRequiresAdmin: false });
    if (u.published) throw detail(400, 'Upload already published.');
    notProcessing(u);
    if (u.process_status === 'FAILURE') throw detail(400, 'Cannot publish an upload that failed processing.');
    if (u.mainfiles.length === 0) throw detail(400, 'Cannot publish an upload without any resulting entries.');
    const embargo = intParam(req, 'embargo_length');
    if (embargo !== undefined && (embargo < 0 || embargo > 36)) throw detail(400, 'Invalid embargo_length. Must be between 0 and 36 months.');
    if (boolParam(req, 'to_central_nomad')) throw detail(400, 'Must be on an OASIS to publish to the central NOMAD repository.');
    processor.publish(u, embargo ?? u.embargo_length);
    res.json(200, { upload_id: u.upload_id, data: uploadData(u) });
  });

  r.get('/uploads', (req, res) => {
    const user = requiredUser(req);
    const q = req.query;
    const pageSize = intParam(req, 'page_size') ?? 10;
    if (pageSize < 0) throw invalid('page_size', 'ensure this value is greater than or equal to 0', 'value_error.number.not_ge');
    const orderBy = q.get('order_by') ?? 'upload_create_time';
    if (!(ORDER_BY as readonly string[]).includes(orderBy)) throw invalid('order_by', 'order_by must be a valid attribute');
    const order = q.get('order') ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw invalid('order', "value is not a valid enumeration member; permitted: 'asc', 'desc'", 'type_error.enum');
    const page = intParam(req, 'page');
    const pageOffset = intParam(req, 'page_offset');
    const after = q.get('page_after_value') ?? undefined;
    if ([page, pageOffset, after].filter((v) => v !== undefined).length > 1) {
      throw new EmuHttpError(422, {
        detail: [{ loc: ['query'], msg: 'Only one, page, page_offset or page_after_value, can be used simultaneously.', type: 'value_error' }],
      });
    }
    if (page !== undefined && page < 1) throw invalid('page', 'ensure this value is greater than or equal to 1', 'value_error.number.not_ge');
    if (pageOffset !== undefined && pageOffset < 0) throw invalid('page_offset', 'ensure this value is greater than or equal to 0', 'value_error.number.not_ge');
    if (after !== undefined && !/^-?\d+$/.test(after)) throw invalid('page_after_value', 'page_after_value must be an index for this listing');

    // filters
    const query: Record<string, unknown> = {};
    // Every upload the user has a role in (shared ones too), unless `roles` narrows it.
    let list = [...store.uploads.values()].filter((u) => u.main_author === user || u.coauthors.includes(user) || u.reviewers.includes(user));
    const roles = q.getAll('roles');
    if (roles.length) {
      query.roles = roles;
      list = list.filter((u) => roles.some((r) => (r === 'main_author' ? u.main_author === user : r === 'coauthor' ? u.coauthors.includes(user) : r === 'reviewer' ? u.reviewers.includes(user) : false)));
    }
    const ids = q.getAll('upload_id');
    if (ids.length) {
      query.upload_id = ids;
      list = list.filter((u) => ids.includes(u.upload_id));
    }
    const names = q.getAll('upload_name');
    if (names.length) {
      query.upload_name = names;
      list = list.filter((u) => u.upload_name !== undefined && names.includes(u.upload_name));
    }
    const isProcessing = boolParam(req, 'is_processing');
    if (isProcessing !== undefined) {
      query.is_processing = isProcessing;
      list = list.filter((u) => u.process_running === isProcessing);
    }
    const isPublished = boolParam(req, 'is_published');
    if (isPublished !== undefined) {
      query.is_published = isPublished;
      list = list.filter((u) => Boolean(u.publish_time) === isPublished);
    }
    const status = q.get('process_status');
    if (status) {
      query.process_status = status.toUpperCase();
      list = list.filter((u) => u.process_status === status.toUpperCase());
    }

    const key = (u: UploadRecord) => String((u as unknown as Record<string, unknown>)[orderBy] ?? '');
    list.sort((a, b) => key(a).localeCompare(key(b)) || a.upload_create_time.localeCompare(b.upload_create_time) || a.upload_id.localeCompare(b.upload_id));
    if (order === 'desc') list.reverse();

    // NOMAD's index pagination (PaginationResponse.populate_simple_index_and_urls), exactly
    const total = list.length;
    const index = after !== undefined ? Number(after) + 1 : pageOffset !== undefined ? pageOffset : ((page ?? 1) - 1) * pageSize;
    const pagination: Record<string, unknown> = { page_size: pageSize, order_by: orderBy, order, total };
    if (pageOffset !== undefined) pagination.page_offset = pageOffset;
    let data: UploadRecord[] = [];
    if (!pageSize) {
      pagination.page = 1;
    } else {
      const p = Math.floor(index / pageSize) + 1;
      pagination.page = p;
      if (p !== 1) pagination.page_after_value = String(index - 1);
      if (pageSize * p < total) pagination.next_page_after_value = String(index + pageSize - 1);
      if (p < 1 || (total === 0 && p !== 1) || (total > 0 && (p - 1) * pageSize >= total)) throw detail(400, 'Page out of range requested.');
      data = list.slice(index, index + pageSize);
    }
    const pageUrl = req.url.toString();
    const withParams = (set: Record<string, string | undefined>) => {
      const u = new URL(pageUrl);
      for (const [k, v] of Object.entries(set)) {
        if (v === undefined) u.searchParams.delete(k);
        else u.searchParams.set(k, v);
      }
      return u.toString();
    };
    pagination.page_url = pageUrl;
    if (pageSize) pagination.first_page_url = withParams({ page: undefined, page_after_value: undefined });
    if (pagination.next_page_after_value) pagination.next_page_url = withParams({ page: undefined, page_after_value: pagination.next_page_after_value as string });
    if ((pagination.page as number) > 1) pagination.prev_page_url = withParams({ page: String((pagination.page as number) - 1), page_after_value: undefined });
    res.json(200, { query, pagination, data: data.map(uploadData) });
  });

  return store;
}
