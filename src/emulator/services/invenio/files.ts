// A draft's files (invenio-records-resources FileResource and FileService with its transfer providers):
//   GET    /records/{id}/draft/files                        the list (`entries`)
//   POST   /records/{id}/draft/files                        init: [{key, size?, checksum?, transfer?}]
//   PUT    /records/{id}/draft/files/{key}/content          the bytes of an `L` file
//   PUT    /records/{id}/draft/files/{key}/content/{part}   one part of an `M` file
//   POST   /records/{id}/draft/files/{key}/commit           finalise (checksum, size, status completed)
//   GET    /records/{id}/draft/files/{key}[/content]        an entry, or its bytes
//   DELETE /records/{id}/draft/files/{key}                  remove (also an unfinished multipart upload)
//   GET    /records/{id}/files[/{key}[/content]]            a published record's files
// What the server code does, and the emulator with it:
//   - init validates every entry first (unknown keys, `transfer.parts` for `M`), then the record and the
//     caller's permission per transfer type; `M` needs `size` and (local storage) `part_size`; a key that
//     exists already is a 400 "File with key <key> already exists."; over 100 files a 400;
//   - a content PUT to a committed file, or to an `M` file, fails the transfer: the file entry is
//     removed and the answer is 200 with `"errors": "File upload transfer failed."`; a part with the wrong
//     size (not the last one) or beyond `parts` answers the same way (the entry stays);
//   - committing an `M` file turns it into an `L` file; its checksum is computed by a background task
//     (local storage: none at commit) or is the S3-style `multipart:` ETag (knob `multipartChecksum`);
//     nothing checks that every part arrived;
//   - with multipart refused (knob), init accepts `M` entries but content, part and commit requests of
//     an `M` file answer 403 "Permission denied." (Zenodo's permission policy allows only `L` there).
// Service-specific fault: `wrong-checksum` (on a content or commit request) makes the server keep a
// checksum that is not the MD5 of what arrived.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isObj } from '../../guards.js';
import type { EmuRequest, EmuResponse } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { permissionDenied, siteError, siteUser } from './common.js';
import { ownDraft } from './records.js';
import { fileEntry, fileList, jsonBody } from './serialize.js';
import { invenioStore, SITE_LIMITS, type SiteFile, type SiteRecord, timestamp } from './store.js';

async function drain(req: EmuRequest): Promise<void> {
  try {
    for await (const _ of req.stream) {
      // read the body so the client gets the answer, not a reset (as a buffering proxy would)
    }
  } catch {
    // the client went away
  }
}

/** A file of the record, or 404 with the server's message. */
function fileOf(r: SiteRecord, key: string): SiteFile {
  const f = r.files.get(key);
  if (!f) throw siteError(404, `Record '${r.id}' has no file '${key}'.`);
  return f;
}

type Op = { kind: 'item' } | { kind: 'content' } | { kind: 'part'; part: number } | { kind: 'commit' };

/** Split `{key}/content/3`, `{key}/commit`, ... into the key and what is asked of it. */
function parseRest(rest: string): { key: string; op: Op } {
  let m = /^(.+)\/content\/(\d+)$/.exec(rest);
  if (m) return { key: m[1] as string, op: { kind: 'part', part: Number(m[2]) } };
  m = /^(.+)\/content$/.exec(rest);
  if (m) return { key: m[1] as string, op: { kind: 'content' } };
  m = /^(.+)\/commit$/.exec(rest);
  if (m) return { key: m[1] as string, op: { kind: 'commit' } };
  return { key: rest, op: { kind: 'item' } };
}

const INIT_KEYS = new Set(['key', 'size', 'checksum', 'transfer', 'metadata', 'access', 'storage_class']);
const KNOWN_TRANSFERS = new Set(['L', 'M', 'F', 'R']);

export function mountFiles(ctx: ServiceContext): void {
  const store = invenioStore(ctx.state);
  const r = ctx.router;
  const base = '/api/records/:id/draft/files';

  const answer = (res: EmuResponse, status: number, d: SiteRecord, f: SiteFile, errors?: string) => {
    const out = fileEntry(ctx, d, f, true);
    if (errors) out.errors = errors;
    res.json(status, out);
  };

  r.get(base, (req, res) => {
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    res.json(200, fileList(ctx, d, true));
  });

  r.post(base, async (req, res) => {
    const body = await jsonBody(req);
    // The entries are validated before the record is even looked up.
    const list = Array.isArray(body) ? body : undefined;
    if (!list) throw siteError(400, 'A validation error occurred.', [{ field: '_schema', messages: ['Invalid input type.'] }]);
    const errors: { field: string; messages: string[] }[] = [];
    const add = (field: string, message: string) => errors.push({ field, messages: [message] });
    const entries = list.map((e, i) => {
      if (!isObj(e)) {
        add(`${i}`, 'Invalid input type.');
        return undefined;
      }
      for (const k of Object.keys(e)) if (!INIT_KEYS.has(k)) add(`${i}.${k}`, 'Unknown field.');
      if (typeof e.key !== 'string' || !e.key) add(`${i}.key`, typeof e.key === 'string' ? 'Field may not be blank.' : 'Missing data for required field.');
      if (e.size !== undefined && (typeof e.size !== 'number' || !Number.isInteger(e.size))) add(`${i}.size`, 'Not a valid integer.');
      if (e.checksum !== undefined && typeof e.checksum !== 'string') add(`${i}.checksum`, 'Not a valid string.');
      const t = e.transfer === undefined ? {} : e.transfer;
      if (!isObj(t)) {
        add(`${i}.transfer`, 'Transfer metadata must be a dictionary.');
        return undefined;
      }
      const type = t.type === undefined ? 'L' : t.type;
      if (typeof type !== 'string' || !KNOWN_TRANSFERS.has(type)) {
        add(`${i}.transfer.type`, `Unsupported value: ${String(type)}`);
        return undefined;
      }
      if (type === 'M') {
        if (t.parts === undefined) add(`${i}.transfer.parts`, 'Missing data for required field.');
        else if (typeof t.parts !== 'number' || !Number.isInteger(t.parts)) add(`${i}.transfer.parts`, 'Not a valid integer.');
        if (t.part_size !== undefined && (typeof t.part_size !== 'number' || !Number.isInteger(t.part_size))) add(`${i}.transfer.part_size`, 'Not a valid integer.');
        for (const k of Object.keys(t)) if (!['type', 'parts', 'part_size'].includes(k)) add(`${i}.transfer.${k}`, 'Unknown field.');
      } else if (type === 'L') {
        for (const k of Object.keys(t)) if (k !== 'type') add(`${i}.transfer.${k}`, 'Unknown field.');
      }
      return { key: String(e.key), type, size: e.size as number | undefined, checksum: e.checksum as string | undefined, parts: t.parts as number | undefined, partSize: t.part_size as number | undefined, metadata: isObj(e.metadata) ? e.metadata : undefined };
    });
    if (errors.length) throw siteError(400, 'A validation error occurred.', errors);
    if (entries.length === 0) throw siteError(400, 'A validation error occurred.', [{ field: '_schema', messages: ['No files to upload.'] }]);
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const wanted = entries as NonNullable<(typeof entries)[number]>[];
    // Permission per entry: the policy grants `L` and `M` to the record's owner, nothing else.
    if (wanted.some((e) => e.type !== 'L' && e.type !== 'M')) throw permissionDenied();
    if (!d.filesEnabled) throw siteError(400, 'Files are not enabled for this record.');
    if (d.files.size <= SITE_LIMITS.files && d.files.size + wanted.length > SITE_LIMITS.files) {
      throw siteError(400, 'Uploading selected files will result in exceeding the max amount per record.');
    }
    const seen = new Set<string>();
    for (const e of wanted) {
      if (d.files.has(e.key) || seen.has(e.key)) throw siteError(400, `File with key ${e.key} already exists.`);
      seen.add(e.key);
      if (e.type === 'M') {
        if (!e.parts) throw siteError(400, 'Multipart file transfer requires parts.');
        if (!e.size) throw siteError(400, 'Multipart file transfer requires file size.');
        if (!e.partSize) throw siteError(400, 'Multipart file transfer to local storage requires part_size.');
      }
    }
    for (const e of wanted) {
      const f = store.newFile(e.key, { transfer: e.type as 'L' | 'M', parts: e.parts, partSize: e.partSize, size: e.size, checksum: e.checksum, metadata: e.metadata });
      if (e.type === 'M') f.content = { path: await store.preallocate(e.size as number), size: e.size as number };
      d.files.set(e.key, f);
    }
    store.touch(d);
    res.json(201, fileList(ctx, d, true));
  });

  r.delete(base, async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    d.files.clear();
    store.touch(d);
    res.empty(204);
  });

  r.get(`${base}/*`, (req, res) => {
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const { key, op } = parseRest(req.params['*'] ?? '');
    const f = fileOf(d, key);
    if (op.kind === 'content') {
      sendContent(res, req, f);
      return;
    }
    if (op.kind !== 'item') throw siteError(405, 'The method is not allowed for the requested URL.');
    answer(res, 200, d, f);
  });

  r.delete(`${base}/*`, async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const { key, op } = parseRest(req.params['*'] ?? '');
    if (op.kind !== 'item') throw siteError(405, 'The method is not allowed for the requested URL.');
    fileOf(d, key);
    d.files.delete(key);
    store.touch(d);
    res.empty(204);
  });

  r.put(`${base}/*`, async (req, res) => {
    let d: SiteRecord;
    let f: SiteFile;
    let key: string;
    let op: Op;
    try {
      ({ r: d } = ownDraft(ctx, store, req, req.params.id));
      ({ key, op } = parseRest(req.params['*'] ?? ''));
      if (op.kind === 'commit') throw siteError(405, 'The method is not allowed for the requested URL.');
      f = fileOf(d, key);
      if (op.kind === 'item') {
        // Update the file's metadata (a JSON body).
        const body = await jsonBody(req);
        if (isObj(body) && isObj(body.metadata)) f.metadata = body.metadata;
        f.updated = timestamp();
        answer(res, 200, d, f);
        return;
      }
      // set_content_files: the policy grants it for `L` always, for `M` only when multipart is on.
      if (f.transfer === 'M' && !store.settings.multipart) throw permissionDenied();
      const ct = req.header('content-type');
      if (ct !== undefined && !/^application\/octet-stream\b/i.test(ct)) throw siteError(415, "Invalid 'Content-Type' header. Expected one of: application/octet-stream.");
    } catch (err) {
      await drain(req);
      throw err;
    }
    const declared = req.header('content-length');
    const length = declared === undefined ? undefined : Number(declared);
    if (op.kind === 'part') {
      if (f.transfer !== 'M') {
        await drain(req);
        throw siteError(400, `Transfer type "${f.transfer}" does not support multipart uploads.`);
      }
      const parts = f.parts ?? 0;
      const partSize = f.partSize ?? 0;
      if (op.part < 1 || op.part > parts || (op.part < parts && length !== partSize)) {
        await drain(req);
        answer(res, 200, d, f, 'File upload transfer failed.');
        return;
      }
      const offset = (op.part - 1) * partSize;
      let got: { size: number; md5: string };
      try {
        got = await store.receivePart(req.stream, f.content?.path, offset);
      } catch {
        return; // the connection was cut: the part did not arrive (what was written is overwritten by a resend)
      }
      if (length !== undefined && got.size !== length) return;
      f.partMd5.set(op.part, got.md5);
      f.updated = timestamp();
      answer(res, 200, d, f);
      return;
    }
    // The whole content of an `L` file.
    const wrong = ctx.faults.take('invenio', req.method, req.path, ['wrong-checksum']);
    if (f.transfer === 'M' || f.committed) {
      // The transfer fails; the file entry is removed with it.
      await drain(req);
      d.files.delete(key);
      store.touch(d);
      answer(res, 200, d, f, 'File upload transfer failed.');
      return;
    }
    if (length !== undefined && (length > SITE_LIMITS.fileBytes || store.totalBytes(d) - (f.declaredSize ?? 0) + length > SITE_LIMITS.recordBytes)) {
      await drain(req);
      throw siteError(400, 'File size limit exceeded.');
    }
    let got: Awaited<ReturnType<typeof store.receive>>;
    try {
      got = await store.receive(req.stream, SITE_LIMITS.fileBytes, () => siteError(400, 'File size limit exceeded.'));
    } catch (err) {
      if (res.sent || req.raw.socket.destroyed) return;
      throw err;
    }
    if (length !== undefined && got.size !== length) return; // ended early: nothing is kept
    const md5 = wrong ? createHash('md5').update(`corrupted:${got.md5}`).digest('hex') : got.md5;
    f.content = { path: got.path, size: got.size, md5 };
    f.updated = timestamp();
    answer(res, 200, d, f);
  });

  r.post(`${base}/*`, async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const { key, op } = parseRest(req.params['*'] ?? '');
    if (op.kind !== 'commit') throw siteError(405, 'The method is not allowed for the requested URL.');
    const f = fileOf(d, key);
    if (f.transfer === 'M' && !store.settings.multipart) throw permissionDenied();
    const wrong = ctx.faults.take('invenio', req.method, req.path, ['wrong-checksum']);
    if (f.transfer === 'L') {
      if (!f.committed) {
        if (!f.content) throw siteError(500, 'Internal server error.'); // the server raises a bare Exception: "not uploaded yet"
        // FileMetadataComponent.commit_file: FileSizeError when RECORDS_RESOURCES_ALLOW_EMPTY_FILES is off;
        // the commit's unit of work is rolled back, so the entry stays pending with its content.
        if (f.content.size === 0 && !store.settings.allowEmptyFiles) throw siteError(400, 'Empty files are not accepted.');
        f.committed = true;
        f.size = f.content.size;
        const md5 = f.content.md5 as string;
        f.checksum = `md5:${wrong ? createHash('md5').update(`corrupted:${md5}`).digest('hex') : md5}`;
      }
    } else {
      commitMultipart(f, Boolean(wrong));
    }
    f.updated = timestamp();
    store.touch(d);
    answer(res, 200, d, f);
  });

  /** An `M` file becomes an `L` file; its checksum as the storage and the knob say. */
  function commitMultipart(f: SiteFile, wrong: boolean): void {
    const parts = f.parts ?? 0;
    const etag = () => {
      const digests = Buffer.concat(Array.from({ length: parts }, (_, i) => Buffer.from(f.partMd5.get(i + 1) ?? '00000000000000000000000000000000', 'hex')));
      const hex = createHash('md5').update(digests).update(wrong ? 'corrupted' : '').digest('hex');
      return `multipart:${hex}-${parts}-${f.partSize}`;
    };
    f.transfer = 'L';
    f.committed = true;
    f.size = f.declaredSize;
    const path = f.content?.path;
    const mode = path ? store.settings.multipartChecksum : 'etag';
    if (f.declaredChecksum) {
      f.checksum = f.declaredChecksum; // taken as given: the server has no checksum of its own to set
      return;
    }
    f.checksum = mode === 'etag' ? etag() : null;
    if (path) {
      // The background task: the MD5 of the stored file, replacing whatever the commit set.
      store.later(store.settings.checksumDelayMs, async () => {
        const md5 = await store.md5OfContent(path);
        f.checksum = `md5:${wrong ? createHash('md5').update(`corrupted:${md5}`).digest('hex') : md5}`;
      });
    }
  }

  function sendContent(res: EmuResponse, req: EmuRequest, f: SiteFile): void {
    if (!f.committed) throw siteError(404, `File with key ${f.key} has not been committed.`);
    const path = f.content?.path;
    if (!path) throw siteError(404, 'The emulator was started without keeping file contents.');
    res.raw.writeHead(200, { 'content-type': f.mimetype, 'content-length': f.size ?? 0 });
    if (req.method === 'HEAD') {
      res.raw.end();
      return;
    }
    createReadStream(path).pipe(res.raw);
  }

  // A published record's files (read only).
  const publishedOf = (req: EmuRequest): SiteRecord => {
    const rec = store.records.get(req.params.id ?? '');
    if (!rec) throw siteError(404, 'The persistent identifier does not exist.');
    if (!rec.published) throw siteError(404, 'The persistent identifier is not registered.');
    const who = siteUser(ctx, req);
    if ((rec.access.record === 'restricted' || rec.access.files === 'restricted') && who !== rec.owner) throw permissionDenied();
    return rec;
  };
  r.get('/api/records/:id/files', (req, res) => {
    res.json(200, fileList(ctx, publishedOf(req), false));
  });
  r.get('/api/records/:id/files/*', (req, res) => {
    const rec = publishedOf(req);
    const { key, op } = parseRest(req.params['*'] ?? '');
    const f = fileOf(rec, key);
    if (op.kind === 'content') sendContent(res, req, f);
    else res.json(200, fileEntry(ctx, rec, f, false));
  });
}
