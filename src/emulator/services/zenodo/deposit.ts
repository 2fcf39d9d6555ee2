// The legacy deposit API (providers.md 1.4-1.8 and 0.1): depositions, their actions (publish, edit,
// discard, newversion), the old deposition-files API and the two record routes a client needs
// (/api/records/{id} and .../versions/latest). Behaviour follows the current server's code where it
// and the docs differ:
//   - newversion answers with the new draft and copies the files into it; called again while that
//     draft is open (and holds files) it answers 400 "Please remove all files first.";
//   - links.latest_draft always points at the deposition itself (never at an open new-version draft);
//   - the list ignores `status` (both drafts and published records come back);
//   - licences are checked against Zenodo's own list (400 "Invalid license provided: <id>"); unknown
//     keys inside `metadata` are dropped, unknown keys at the top level are a 400;
//   - publishing again, and PUT or DELETE on a published deposition, answer 404;
//   - actions/discard is DELETE under another name (204, no body).
import { pipeline } from 'node:stream/promises';
import { isObj } from '../../guards.js';
import { EmuHttpError, type EmuRequest, type EmuResponse } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { randomUUID } from '../../tokens.js';
import { zenodoAuth } from './index.js';
import { answeredLicense } from './licenses.js';
import { checkPublishable, checkShape, type FieldError, normalizeOnSave, unknownVocabularyId } from './metadata.js';
import { type Deposition, LIMITS, type StoredFile, timestamp, type ZenodoStore, zenodoStore } from './store.js';
import { EMU_TOP_LEVEL_KEYS, mintedByZenodo } from './vocab.js';

/** The old files API takes at most this much per request (the server's MAX_CONTENT_LENGTH). */
const MAX_MULTIPART = 100 * 1024 * 1024;

export function zenodoError(status: number, message: string, errors?: FieldError[]): EmuHttpError {
  return new EmuHttpError(status, errors ? { status, message, errors } : { status, message });
}

function validationError(errors: FieldError[]): EmuHttpError {
  return zenodoError(400, 'A validation error occurred.', errors);
}

/** The absolute links of a deposition (providers.md 1.4). */
export function depositionLinks(ctx: ServiceContext, store: ZenodoStore, d: Deposition): Record<string, string> {
  const api = `${ctx.base}/api`;
  const self = `${api}/deposit/depositions/${d.id}`;
  const draft = d.id; // links.latest_draft names the deposition itself (providers.md 0.1)
  const links: Record<string, string> = {
    self,
    html: `${ctx.base}/deposit/${d.id}`,
    badge: `${ctx.base}/badge/doi/10.5281/zenodo.${d.id}.svg`,
    files: `${self}/files`,
    bucket: `${api}/files/${d.bucket}`,
    latest_draft: `${api}/deposit/depositions/${draft}`,
    latest_draft_html: `${ctx.base}/deposit/${draft}`,
    publish: `${self}/actions/publish`,
    edit: `${self}/actions/edit`,
    discard: `${self}/actions/discard`,
    newversion: `${self}/actions/newversion`,
    thumbs: `${api}/iiif/record:${d.id}`,
  };
  if (d.submitted) {
    const latest = store.latest(d) ?? d.id;
    Object.assign(links, {
      doi: `https://doi.org/10.5281/zenodo.${d.id}`,
      parent_doi: `https://doi.org/10.5281/zenodo.${d.conceptrecid}`,
      conceptbadge: `${ctx.base}/badge/doi/10.5281/zenodo.${d.conceptrecid}.svg`,
      record: `${api}/records/${d.id}`,
      record_html: `${ctx.base}/records/${d.id}`,
      latest: `${api}/records/${d.id}/versions/latest`,
      latest_html: `${ctx.base}/records/${latest}/latest`,
    });
  }
  return links;
}

export function depositionFile(ctx: ServiceContext, d: Deposition, f: StoredFile) {
  return {
    id: f.id,
    filename: f.key,
    filesize: f.size,
    checksum: f.md5,
    links: {
      self: `${ctx.base}/api/deposit/depositions/${d.id}/files/${f.id}`,
      download: `${ctx.base}/api/files/${d.bucket}/${encodeURIComponent(f.key)}`,
    },
  };
}

export function serialize(ctx: ServiceContext, store: ZenodoStore, d: Deposition): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...d.metadata, prereserve_doi: { doi: `10.5281/zenodo.${d.id}`, recid: d.id } };
  // Stored as the licence's id; answered in Zenodo's legacy spelling (cc0-1.0 as cc-zero), and not at
  // all for a custom licence.
  delete metadata.license;
  const license = typeof d.metadata.license === 'string' ? answeredLicense({ id: d.metadata.license }) : undefined;
  if (license) metadata.license = license;
  if (d.doi) metadata.doi = d.doi;
  const out: Record<string, unknown> = {
    id: d.id,
    record_id: d.id,
    conceptrecid: String(d.conceptrecid),
    created: d.created,
    modified: d.modified,
    owner: Number(d.owner),
    title: typeof d.metadata.title === 'string' ? d.metadata.title : '',
    state: d.state,
    submitted: d.submitted,
    files: [...d.files.values()].map((f) => depositionFile(ctx, d, f)),
    metadata,
    links: depositionLinks(ctx, store, d),
  };
  if (d.doi) {
    out.doi = d.doi;
    out.doi_url = `https://doi.org/${d.doi}`;
    out.record_url = `${ctx.base}/records/${d.id}`;
  }
  // `conceptdoi` is the parent's DOI (parent.pids.doi): it exists once any version of the concept is
  // published, so a new-version draft shows it too; a first draft has none (providers.md 0.1,
  // test/contract/zenodo/prereserve.json).
  if (d.doi || store.latest(d) !== undefined) out.conceptdoi = `10.5281/zenodo.${d.conceptrecid}`;
  return out;
}

/** A deposition of the caller, or Zenodo's 404/403. */
export function ownDeposition(store: ZenodoStore, owner: string | undefined, idParam: string | undefined): Deposition {
  const id = Number(idParam);
  const d = Number.isSafeInteger(id) ? store.depositions.get(id) : undefined;
  if (!d) throw zenodoError(404, 'PID does not exist.');
  if (d.owner !== owner) throw zenodoError(403, "You don't have the permission to access the requested resource.");
  return d;
}

async function jsonBody(req: EmuRequest, required: boolean): Promise<Record<string, unknown>> {
  const ct = req.header('content-type') ?? '';
  const text = await req.text();
  if (!text.trim() && !required) return {};
  if (!/^application\/json\b/i.test(ct)) throw zenodoError(415, 'The server does not support the media type transmitted in the request.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw zenodoError(400, 'Request body is not valid JSON.');
  }
  if (!isObj(body)) throw validationError([{ field: '_schema', messages: ['Invalid input type.'] }]);
  return body;
}

function metadataOf(body: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(body).filter((k) => !EMU_TOP_LEVEL_KEYS.has(k));
  if (unknown.length) throw validationError(unknown.map((k) => ({ field: k, messages: ['Unknown field.'] })));
  const md = body.metadata ?? {};
  if (!isObj(md)) throw validationError([{ field: 'metadata', messages: ['Invalid input type.'] }]);
  const saved = normalizeOnSave(md);
  if ('errors' in saved) throw validationError(saved.errors);
  const clean = saved.metadata;
  delete clean.prereserve_doi; // the server manages it
  if (mintedByZenodo(clean.doi)) delete clean.doi;
  const errors = checkShape(clean);
  if (errors.length) throw validationError(errors);
  const unknownId = unknownVocabularyId(clean);
  if (unknownId !== undefined) throw zenodoError(400, `Invalid value ${unknownId}.`);
  return clean;
}

/** Zenodo's answer for a published deposition that has no draft to change: 404. */
function noDraft(): EmuHttpError {
  return zenodoError(404, 'The persistent identifier is not registered.');
}

export function mountDeposit(ctx: ServiceContext): void {
  const store = zenodoStore(ctx.state);
  const r = ctx.router;
  const base = '/api/deposit/depositions';
  const touch = (d: Deposition) => {
    d.modified = timestamp();
  };
  const send = (res: EmuResponse, status: number, d: Deposition) => res.json(status, serialize(ctx, store, d));

  r.get(base, (req, res) => {
    const who = zenodoAuth(ctx, req);
    const q = req.query;
    const size = q.get('size');
    if (size !== null && (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 100)) {
      // zenodo-rdm params.py ZenodoArgsSchema (at least 1: the base schema's range)
      throw validationError([{ field: 'size', messages: [Number(size) > 100 ? 'Page size cannot be greater than 100.' : 'Must be greater than or equal to 1.'] }]);
    }
    const page = q.get('page');
    if (page !== null && (!/^\d+$/.test(page) || Number(page) < 1)) throw validationError([{ field: 'page', messages: ['Must be greater than or equal to 1.'] }]);
    // `status` is accepted (any text) and ignored: both drafts and published records come back.
    const allVersions = ['true', '1'].includes((q.get('all_versions') ?? '').toLowerCase());
    const text = (q.get('q') ?? '').toLowerCase().trim();
    let list = [...store.depositions.values()].filter((d) => d.owner === who.userId);
    if (!allVersions) list = list.filter((d) => !d.submitted || store.latest(d) === d.id);
    if (text) list = list.filter((d) => JSON.stringify(d.metadata).toLowerCase().includes(text));
    // Zenodo's sort options (invenio.cfg RDM_SORT_OPTIONS with the legacy ones): mostrecent is newest
    // *created* first; updated-desc/asc go by modification; an unknown name is 400.
    const sort = q.get('sort') ?? 'newest';
    const byCreated = (a: Deposition, b: Deposition) => b.created.localeCompare(a.created) || b.id - a.id;
    const byModified = (a: Deposition, b: Deposition) => b.modified.localeCompare(a.modified) || b.id - a.id;
    const order: Record<string, [(a: Deposition, b: Deposition) => number, boolean]> = {
      mostrecent: [byCreated, false], '-mostrecent': [byCreated, true], newest: [byCreated, false], oldest: [byCreated, true],
      'updated-desc': [byModified, false], 'updated-asc': [byModified, true], bestmatch: [byCreated, false],
    };
    const chosen = order[sort];
    if (!chosen) throw zenodoError(400, `Invalid sort option '${sort}'.`);
    list.sort(chosen[0]);
    if (chosen[1]) list.reverse();
    const n = Number(size ?? 10);
    const p = Number(page ?? 1);
    res.json(
      200,
      list.slice((p - 1) * n, p * n).map((d) => serialize(ctx, store, d)),
    );
  });

  r.post(base, async (req, res) => {
    const who = zenodoAuth(ctx, req);
    const md = metadataOf(await jsonBody(req, false));
    send(res, 201, store.create(who.userId as string, md));
  });

  r.get(`${base}/:id`, (req, res) => {
    const who = zenodoAuth(ctx, req);
    send(res, 200, ownDeposition(store, who.userId, req.params.id));
  });

  r.put(`${base}/:id`, async (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    const body = await jsonBody(req, true);
    if (d.state === 'done') throw noDraft();
    d.metadata = metadataOf(body);
    touch(d);
    send(res, 200, d);
  });

  // DELETE and actions/discard are one handler on Zenodo (the legacy resource routes both to
  // delete_draft): a never-published draft is deleted, a published record's edit draft is dropped (the
  // record stays as published), a published record without a draft is 404; the answer is 204 with no
  // body (test/contract/zenodo/deposit-api.json, discard).
  const deleteDraft = async (req: EmuRequest, res: EmuResponse) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    await req.text();
    if (d.state === 'done') throw noDraft();
    if (d.submitted) {
      // a published record being edited: deleting its draft discards the edits
      d.metadata = structuredClone(d.published ?? d.metadata);
      d.state = 'done';
      touch(d);
      res.empty(204);
      return;
    }
    store.remove(d);
    res.empty(204);
  };
  r.delete(`${base}/:id`, deleteDraft);
  r.post(`${base}/:id/actions/discard`, deleteDraft);

  r.post(`${base}/:id/actions/publish`, async (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    await req.text();
    if (d.state === 'done') throw noDraft();
    const md = { ...d.metadata };
    const errors = checkPublishable(md);
    if (errors.length) throw validationError(errors);
    // The metadata is validated first; the files component's check comes after it.
    if (d.files.size === 0) throw validationError([{ field: 'files.enabled', messages: ['Missing uploaded files. To disable files for this record please mark it as metadata-only.'] }]);
    d.metadata = md;
    d.published = structuredClone(md);
    d.doi = `10.5281/zenodo.${d.id}`;
    const c = store.concept(d);
    if (!d.submitted) {
      c.versions.push(d.id);
      if (c.draft === d.id) c.draft = undefined;
    }
    d.state = 'done';
    d.submitted = true;
    d.publishedAt ??= timestamp();
    touch(d);
    send(res, 202, d);
  });

  r.post(`${base}/:id/actions/edit`, async (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    await req.text();
    // invenio-drafts-resources edit: a draft that exists (a never-published one included) is answered as
    // it is; a published record gets its edit draft.
    if (d.submitted && d.state !== 'inprogress') {
      d.state = 'inprogress';
      touch(d);
    }
    send(res, 201, d);
  });

  r.post(`${base}/:id/actions/newversion`, async (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    await req.text();
    if (!d.submitted) throw zenodoError(404, 'The persistent identifier is not registered.');
    const c = store.concept(d);
    // The new version starts from the latest published version, whichever version was named.
    const latest = store.depositions.get(store.latest(d) ?? d.id) ?? d;
    const open = c.draft !== undefined ? store.depositions.get(c.draft) : undefined;
    if (open) {
      // The service hands back the open draft, then the files of the latest version are imported
      // into it: refused while the draft holds files.
      if (open.files.size > 0) {
        throw new EmuHttpError(400, { status: 400, message: 'Please remove all files first.', errors: [{ field: 'files.enabled', messages: ['Please remove all files first.'] }] });
      }
      for (const f of latest.files.values()) open.files.set(f.key, { ...f, id: randomUUID() });
      touch(open);
      send(res, 201, open);
      return;
    }
    const md = structuredClone(latest.published ?? latest.metadata);
    delete md.doi;
    const draft = store.create(d.owner, md, d.conceptrecid);
    for (const f of latest.files.values()) draft.files.set(f.key, { ...f, id: randomUUID() });
    c.draft = draft.id;
    send(res, 201, draft);
  });

  // Published records (public). `versions/latest` takes a record id or a concept id and redirects to
  // the latest published version (invenio-drafts-resources read_latest), as `links.latest` does.
  const published = (idParam: string | undefined): Deposition => {
    const d = store.depositions.get(Number(idParam));
    if (!d || !d.submitted) throw zenodoError(404, 'The persistent identifier does not exist.');
    return d;
  };
  r.get('/api/records/:id/versions/latest', (req, res) => {
    const id = Number(req.params.id);
    const d = store.depositions.get(id);
    const concept = d?.submitted ? store.concept(d) : Number.isSafeInteger(id) ? store.concepts.get(id) : undefined;
    const latest = concept?.versions[concept.versions.length - 1];
    if (latest === undefined) throw zenodoError(404, 'The persistent identifier does not exist.');
    res.redirect(`${ctx.base}/api/records/${latest}`);
  });
  r.get('/api/records/:id', (req, res) => {
    const d = published(req.params.id);
    const full = serialize(ctx, store, d);
    res.json(200, {
      id: d.id,
      recid: String(d.id),
      conceptrecid: String(d.conceptrecid),
      doi: d.doi,
      conceptdoi: `10.5281/zenodo.${d.conceptrecid}`,
      created: d.created,
      updated: d.modified,
      metadata: full.metadata,
      links: { self: `${ctx.base}/api/records/${d.id}`, html: `${ctx.base}/records/${d.id}`, latest: `${ctx.base}/api/records/${d.id}/versions/latest` },
    });
  });

  // The old deposition-files API (rdp itself uploads through the bucket API).
  r.get(`${base}/:id/files`, (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    res.json(200, [...d.files.values()].map((f) => depositionFile(ctx, d, f)));
  });
  // Multipart upload (old API, small files: at most 100 MiB per request, like the server's
  // MAX_CONTENT_LENGTH): part `file`, optional field `name` = the file name to use. Read with busboy.
  r.post(`${base}/:id/files`, async (req, res) => {
    let d: Deposition;
    try {
      const who = zenodoAuth(ctx, req);
      d = ownDeposition(store, who.userId, req.params.id);
      if (d.submitted) throw zenodoError(403, 'Files of a published record cannot be changed.');
      if (!/^multipart\/form-data\s*;/i.test(req.header('content-type') ?? '')) throw zenodoError(415, 'Use multipart/form-data with a "file" part (or the bucket API).');
      if (Number(req.header('content-length') ?? 0) > MAX_MULTIPART) throw zenodoError(413, 'Request Entity Too Large: use the bucket API for files over 100 MB.');
    } catch (err) {
      for await (const _ of req.stream) {
        // read the body so the client gets the answer
      }
      throw err;
    }
    let name: string | undefined;
    let upload: Promise<{ filename: string; size: number; md5: string; path?: string | undefined }> | undefined;
    const { default: busboy } = await import('busboy');
    const bb = busboy({ headers: req.raw.headers, defParamCharset: 'utf8' });
    bb.on('field', (field, value) => {
      if (field === 'name') name = value;
    });
    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || upload) {
        stream.resume();
        return;
      }
      // streamed to disk and hashed on the way, like the bucket API
      upload = store.receive(stream, MAX_MULTIPART, () => zenodoError(413, 'Request Entity Too Large')).then((r) => ({ ...r, filename: info.filename ?? 'file' }));
    });
    try {
      await pipeline(req.stream, bb);
      await upload;
    } catch {
      throw zenodoError(400, 'The multipart body could not be read.');
    }
    const got = await upload;
    if (!got) throw validationError([{ field: 'file', messages: ['Missing data for required field.'] }]);
    const key = name ?? got.filename;
    if (!d.files.has(key) && d.files.size >= LIMITS.files) throw zenodoError(400, `A record can hold at most ${LIMITS.files} files.`);
    const now = timestamp();
    const f: StoredFile = { id: randomUUID(), key, size: got.size, md5: got.md5, mimetype: 'application/octet-stream', created: now, updated: now, path: got.path };
    d.files.set(key, f);
    touch(d);
    res.json(201, depositionFile(ctx, d, f));
  });

  const fileOf = (d: Deposition, id: string | undefined) => {
    for (const f of d.files.values()) if (f.id === id) return f;
    throw zenodoError(404, 'File does not exist.');
  };
  r.get(`${base}/:id/files/:fileId`, (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    res.json(200, depositionFile(ctx, d, fileOf(d, req.params.fileId)));
  });
  r.delete(`${base}/:id/files/:fileId`, (req, res) => {
    const who = zenodoAuth(ctx, req);
    const d = ownDeposition(store, who.userId, req.params.id);
    const f = fileOf(d, req.params.fileId);
    if (d.submitted) throw zenodoError(403, 'Files of a published record cannot be changed.');
    d.files.delete(f.key);
    touch(d);
    res.empty(204);
  });
}
