// The bucket API (providers.md 1.7): PUT {bucket}/{key} streams the body to disk while hashing it
// (constant memory), GET lists or downloads, DELETE removes. Published records refuse file changes.
// A service-specific fault, `wrong-checksum`, makes the server report (and keep) a checksum that is
// not the MD5 of what arrived, as a corrupted transfer would.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { randomUUID } from '../../tokens.js';
import { zenodoError } from './deposit.js';
import { zenodoAuth } from './index.js';
import { type Deposition, LIMITS, type StoredFile, timestamp, zenodoStore } from './store.js';

const MIME: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
  cff: 'application/octet-stream',
  pdf: 'application/pdf',
  png: 'image/png',
  md: 'text/markdown',
};

function mimetype(key: string): string {
  const ext = /\.([^.]+)$/.exec(key)?.[1]?.toLowerCase() ?? '';
  return MIME[ext] ?? 'application/octet-stream';
}

async function drain(req: EmuRequest): Promise<void> {
  try {
    for await (const _ of req.stream) {
      // discard the body so that the client reads the answer, not a reset
    }
  } catch {
    // the client went away
  }
}

export function mountBucket(ctx: ServiceContext): void {
  const store = zenodoStore(ctx.state);
  store.keepContent = !ctx.options.discardUploads;
  const r = ctx.router;
  const bucketUrl = (d: Deposition) => `${ctx.base}/api/files/${d.bucket}`;
  const objectJson = (d: Deposition, f: StoredFile) => {
    const self = `${bucketUrl(d)}/${encodeURIComponent(f.key)}`;
    return {
      key: f.key,
      mimetype: f.mimetype,
      checksum: `md5:${f.md5}`,
      version_id: f.id,
      size: f.size,
      created: f.created,
      updated: f.updated,
      links: { self, version: `${self}?versionId=${f.id}`, uploads: `${self}?uploads` },
      is_head: true,
      delete_marker: false,
    };
  };
  const bucketOf = (req: EmuRequest, owner: string | undefined) => {
    const d = store.byBucket(req.params.bucket ?? '');
    if (!d) throw zenodoError(404, 'Bucket does not exist.');
    if (d.owner !== owner) throw zenodoError(403, "You don't have the permission to access the requested resource.");
    return d;
  };

  r.get('/api/files/:bucket', (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = bucketOf(req, who.userId);
    res.json(200, {
      id: d.bucket,
      size: store.totalBytes(d),
      quota_size: LIMITS.recordBytes,
      max_file_size: LIMITS.fileBytes,
      locked: d.submitted,
      created: d.created,
      updated: d.modified,
      links: { self: bucketUrl(d), versions: `${bucketUrl(d)}?versions`, uploads: `${bucketUrl(d)}?uploads` },
      contents: [...d.files.values()].map((f) => objectJson(d, f)),
    });
  });

  r.get('/api/files/:bucket/*', (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = bucketOf(req, who.userId);
    const f = d.files.get(req.params['*'] ?? '');
    if (!f) throw zenodoError(404, 'Object does not exist.');
    if (!f.path) throw zenodoError(404, 'The emulator was started without keeping file contents.');
    res.raw.writeHead(200, { 'content-type': f.mimetype, 'content-length': f.size, 'content-md5': Buffer.from(f.md5, 'hex').toString('base64') });
    if (req.method === 'HEAD') {
      res.raw.end();
      return;
    }
    createReadStream(f.path).pipe(res.raw);
  });

  r.put('/api/files/:bucket/*', async (req, res) => {
    const wrong = ctx.faults.take('zenodo', req.method, req.path, ['wrong-checksum']);
    let d: Deposition;
    const key = req.params['*'] ?? '';
    const declared = req.header('content-length');
    const length = declared === undefined ? undefined : Number(declared);
    try {
      const who = zenodoAuth(ctx, req);
      d = bucketOf(req, who.userId);
      if (d.submitted) throw zenodoError(403, 'The files of a published record cannot be changed. Create a new version instead.');
      if (!key || key.length > 255 || /[\u0000-\u001f\u007f]/.test(key) || key === '.' || key === '..') throw zenodoError(400, 'Invalid file name.');
      const replacing = d.files.get(key);
      if (!replacing && d.files.size >= LIMITS.files) throw zenodoError(400, `A record can hold at most ${LIMITS.files} files.`);
      if (length !== undefined && length > LIMITS.fileBytes) throw zenodoError(400, 'Maximum file size exceeded.');
      if (length !== undefined && store.totalBytes(d) - (replacing?.size ?? 0) + length > LIMITS.recordBytes) throw zenodoError(400, 'Bucket quota exceeded.');
    } catch (err) {
      await drain(req);
      throw err;
    }

    let got: Awaited<ReturnType<typeof store.receive>>;
    try {
      got = await store.receive(req.stream, LIMITS.fileBytes, () => zenodoError(400, 'Maximum file size exceeded.'));
    } catch (err) {
      if (res.sent || req.raw.socket.destroyed) return;
      throw err instanceof EmuHttpError ? err : zenodoError(400, 'The upload was interrupted.');
    }
    const { size, path } = got;
    if (length !== undefined && size !== length) {
      store.discard(path); // the connection ended early: nothing is stored
      return;
    }
    if (size === 0) {
      // zenodo-rdm sets RECORDS_RESOURCES_ALLOW_EMPTY_FILES = False: the commit of a 0-byte file raises,
      // and its unit of work (which removed a file of the same key first) is not committed.
      store.discard(path);
      throw zenodoError(400, 'Empty files are not accepted.');
    }
    let md5 = got.md5;
    if (wrong) md5 = createHash('md5').update(`corrupted:${md5}`).digest('hex');
    const now = timestamp();
    const old = d.files.get(key);
    const f: StoredFile = { id: randomUUID(), key, size, md5, mimetype: mimetype(key), created: old?.created ?? now, updated: now, path };
    d.files.set(key, f);
    d.modified = now;
    res.json(201, objectJson(d, f));
  });

  r.delete('/api/files/:bucket/*', (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = bucketOf(req, who.userId);
    if (d.submitted) throw zenodoError(403, 'The files of a published record cannot be changed. Create a new version instead.');
    const key = req.params['*'] ?? '';
    if (!d.files.delete(key)) throw zenodoError(404, 'Object does not exist.');
    d.modified = timestamp();
    res.empty(204);
  });
}
