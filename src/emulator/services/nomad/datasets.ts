// NOMAD's datasets and their DOIs (providers.md 0.4), as nomad/app/v1/routers/datasets.py and the
// metadata edit of nomad/processing/data.py (MetadataEditRequestHandler) do it:
//   POST /datasets/                  {"dataset_name", "dataset_type": "owned"|"foreign", "query"?, "entries"?}
//                                    -> 200 {dataset_id, data}; 400 when this user already has a dataset of
//                                    that name. An owned dataset created with a `query` (here: upload_id /
//                                    entry_id) or `entries` holds the user's matching entries at once.
//                                    Without the trailing slash FastAPI answers 307 to the slashed URL.
//   GET  /datasets/                  list (dataset_id, dataset_name, user_id, doi filters; page, page_size)
//   GET  /datasets/{id}              200 {dataset_id, data}; 404
//   DELETE /datasets/{id}            the owner, while it has no DOI
//   POST /datasets/{id}/action/doi   (no body) checks in the server's order: 404 unknown; 400 it has a DOI
//                                    already (if that DOI never became findable the dataset is deleted and the
//                                    400 says so); 401 not the owner; 400 empty; 400 unpublished entries; then
//                                    200 with data.doi = 10.17172/NOMAD/<yyyy.mm.dd>-<n> (a counter per day).
//   POST /uploads/{id}/edit          {"metadata": {"datasets": {"add"|"remove": [ids or names]}}}: verified
//                                    (422 with NOMAD's loc/msg for each problem), then run as the upload's
//                                    `edit_upload_metadata` process (process_running true until it ends);
//                                    400 while another process runs. Published uploads may be edited this way.
//   POST /entries/query              the search API, as far as rdp reads it: {"owner": "user"|"visible",
//                                    "query": {upload_id, entry_id, "datasets.dataset_id": value(s)},
//                                    "pagination": {"page_size"}} -> 200 {owner, query, pagination: {page_size,
//                                    order_by, order, total}, required, data: [{entry_id, upload_id, mainfile,
//                                    datasets}]}; owner user without a login 401.
// Fault (POST /_emulator/faults {"service":"nomad","action":"datacite-error"}): the next DOI request fails at
// DataCite: 500, with the DOI already written on the dataset but not findable (what NOMAD then does).
import { createHash, randomBytes } from 'node:crypto';
import { isObj } from '../../guards.js';
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator } from '../../state.js';
import { detail, nomadAuth } from './index.js';
import { Processor } from './processing.js';
import { type NomadUploadStore, nomadTime, type UploadRecord, uploadData } from './store.js';

export interface EmuNomadDataset {
  dataset_id: string;
  dataset_name: string | undefined;
  user_id: string;
  dataset_create_time: string;
  dataset_modified_time: string;
  dataset_type: 'owned' | 'foreign';
  doi?: string | undefined;
  /** Whether the DOI became findable at DataCite (false after the datacite-error fault). */
  doiFindable?: boolean | undefined;
  query?: unknown;
  /** foreign datasets: the entry ids given */
  entries?: string[] | undefined;
  /** The entries that carry this dataset: entry id -> where it lives. */
  members: Map<string, { uploadId: string; mainfile: string }>;
}

class DatasetStore {
  readonly datasets = new Map<string, EmuNomadDataset>();
  /** DOI counters per day (DOI.create counts up until a DOI is free). */
  readonly perDay = new Map<string, number>();
}

/** The datasets of an in-process emulator (tests). */
export const nomadDatasets = perEmulator(() => new DatasetStore());

/** NOMAD's entry id: a hash of upload id and mainfile (utils.generate_entry_id), 28 URL-safe characters. */
export function entryId(uploadId: string, mainfile: string): string {
  return createHash('sha512').update(uploadId).update(mainfile).digest('base64url').slice(0, 28);
}

/** NOMAD's create_uuid: 16 random bytes, URL-safe base64 without padding (22 characters). */
function uuid(): string {
  return randomBytes(16).toString('base64url');
}

/** The dataset as the API serializes it (unset fields left out). */
export function datasetData(d: EmuNomadDataset): Record<string, unknown> {
  const out: Record<string, unknown> = {
    dataset_id: d.dataset_id,
    dataset_name: d.dataset_name,
    user_id: d.user_id,
    doi: d.doi,
    dataset_create_time: d.dataset_create_time,
    dataset_modified_time: d.dataset_modified_time,
    dataset_type: d.dataset_type,
    query: d.query,
    entries: d.entries,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === null) delete out[k];
  return out;
}

// Texts of datasets.py (its `strip` is inspect.cleandoc: the line breaks of the source stay).
export const TEXTS = {
  notFound: 'Dataset not found. The given id does not match any dataset.',
  getNotFound: 'The dataset with the given id does not exist.',
  notOwner: 'The dataset can only be edited by the user who created the dataset.',
  nameTaken: 'The chosen dataset name is already taken. Datesets of the same user must have a\nunique name.',
  fixed: 'The dataset already has a DOI and cannot be changed anymore.',
  unpublished: 'The dataset has unpublished contents. No DOI can be assigned at the moment.\nPublish the dataset contents first.',
  empty: 'The dataset is empty. No DOI can be assigned at this moment. Add some published\ncontents to the dataset first.',
  datacite: "Datacite server couldn't resolve the request. Please try again later.",
  removed: 'The dataset was failed to to be submitted previously. It is removed now.',
} as const;

type Loc = (string | number)[];
const problem = (loc: Loc, msg: string) => ({ loc, msg, type: 'value_error' });
const unprocessable = (errors: ReturnType<typeof problem>[]) => new EmuHttpError(422, { detail: errors });

/** Values of a query clause: a string, a list, or {"any": [...]}. */
function clauseValues(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (isObj(v) && Array.isArray(v.any) && v.any.every((x) => typeof x === 'string')) return v.any as string[];
  return undefined;
}

export function mountDatasets(ctx: ServiceContext, uploads: NomadUploadStore): void {
  const store = nomadDatasets(ctx.state);
  const processor = new Processor(ctx, uploads);
  const r = ctx.router;

  /** The user's own entries (Owner.user: main author or coauthor), published or not. */
  const ownEntries = (user: string) => {
    const out: { id: string; uploadId: string; mainfile: string }[] = [];
    for (const u of uploads.uploads.values()) {
      if (u.main_author !== user && !u.coauthors.includes(user)) continue;
      for (const m of u.mainfiles) out.push({ id: entryId(u.upload_id, m), uploadId: u.upload_id, mainfile: m });
    }
    return out;
  };

  const slashed = (req: EmuRequest) => {
    if (!req.path.endsWith('/')) {
      const u = new URL(req.url.toString());
      u.pathname = `${u.pathname}/`;
      throw new EmuHttpError(307, '', { location: u.toString() });
    }
  };

  r.post('/datasets', async (req, res) => {
    slashed(req);
    const user = nomadAuth(ctx, req);
    let body: unknown;
    try {
      body = JSON.parse(await req.text());
    } catch {
      throw unprocessable([{ loc: ['body'], msg: 'Expecting value', type: 'value_error.jsondecode' }]);
    }
    if (!isObj(body)) throw unprocessable([{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]);
    const type = body.dataset_type ?? 'owned';
    if (type !== 'owned' && type !== 'foreign') {
      throw unprocessable([{ loc: ['body', 'dataset_type'], msg: "value is not a valid enumeration member; permitted: 'owned', 'foreign'", type: 'type_error.enum' }]);
    }
    const name = body.dataset_name ?? undefined;
    if (name !== undefined && typeof name !== 'string') throw unprocessable([{ loc: ['body', 'dataset_name'], msg: 'str type expected', type: 'type_error.str' }]);
    if (body.entries !== undefined && body.entries !== null && !(Array.isArray(body.entries) && body.entries.every((e) => typeof e === 'string'))) {
      throw unprocessable([{ loc: ['body', 'entries'], msg: 'value is not a valid list', type: 'type_error.list' }]);
    }
    for (const d of store.datasets.values()) if (d.user_id === user && d.dataset_name === name) throw detail(400, TEXTS.nameTaken);

    const now = nomadTime();
    const ds: EmuNomadDataset = {
      dataset_id: uuid(),
      dataset_name: name,
      user_id: user,
      dataset_create_time: now,
      dataset_modified_time: now,
      dataset_type: type,
      members: new Map(),
    };
    if (type === 'foreign') {
      if (isObj(body.query)) ds.query = body.query;
      ds.entries = (body.entries as string[] | undefined) ?? undefined;
    } else if (Array.isArray(body.entries) || isObj(body.query)) {
      const mine = ownEntries(user);
      let picked = mine;
      if (Array.isArray(body.entries)) {
        const ids = body.entries as string[];
        picked = mine.filter((e) => ids.includes(e.id));
      } else {
        const q = body.query as Record<string, unknown>;
        for (const [key, v] of Object.entries(q)) {
          const values = clauseValues(v);
          if ((key !== 'upload_id' && key !== 'entry_id') || !values) {
            throw unprocessable([{ loc: ['body', 'query', key], msg: 'The emulator understands queries on upload_id and entry_id only', type: 'value_error' }]);
          }
          picked = picked.filter((e) => values.includes(key === 'upload_id' ? e.uploadId : e.id));
        }
      }
      for (const e of picked) ds.members.set(e.id, { uploadId: e.uploadId, mainfile: e.mainfile });
    }
    store.datasets.set(ds.dataset_id, ds);
    res.json(200, { dataset_id: ds.dataset_id, data: datasetData(ds) });
  });

  r.get('/datasets', (req, res) => {
    slashed(req);
    const q = req.query;
    let list = [...store.datasets.values()];
    const filters: [string, (d: EmuNomadDataset) => string | undefined][] = [
      ['dataset_id', (d) => d.dataset_id],
      ['dataset_name', (d) => d.dataset_name],
      ['dataset_type', (d) => d.dataset_type],
      ['doi', (d) => d.doi],
    ];
    for (const [name, get] of filters) {
      const v = q.get(name);
      if (v !== null) list = list.filter((d) => get(d) === v);
    }
    const users = q.getAll('user_id');
    if (users.length) list = list.filter((d) => users.includes(d.user_id));
    const prefix = q.get('prefix');
    if (prefix) list = list.filter((d) => (d.dataset_name ?? '').toLowerCase().startsWith(prefix.toLowerCase()));
    list.sort((a, b) => a.dataset_create_time.localeCompare(b.dataset_create_time) || a.dataset_id.localeCompare(b.dataset_id));
    const pageSize = Math.max(0, Number.parseInt(q.get('page_size') ?? '10', 10) || 0);
    const page = Math.max(1, Number.parseInt(q.get('page') ?? '1', 10) || 1);
    const data = list.slice((page - 1) * pageSize, page * pageSize);
    res.json(200, { pagination: { page_size: pageSize, order: 'asc', total: list.length, page }, data: data.map(datasetData) });
  });

  r.get('/datasets/:id', (req, res) => {
    const d = store.datasets.get(req.params.id as string);
    if (!d) throw detail(404, TEXTS.getNotFound);
    res.json(200, { dataset_id: d.dataset_id, data: datasetData(d) });
  });

  r.delete('/datasets/:id', (req, res) => {
    const user = nomadAuth(ctx, req);
    const d = store.datasets.get(req.params.id as string);
    if (!d) throw detail(404, TEXTS.notFound);
    if (d.doi) throw detail(400, TEXTS.fixed);
    if (d.user_id !== user) throw detail(401, TEXTS.notOwner);
    store.datasets.delete(d.dataset_id);
    res.json(200, { dataset_id: d.dataset_id, data: datasetData(d) });
  });

  r.post('/datasets/:id/action/doi', async (req, res) => {
    const user = nomadAuth(ctx, req);
    await req.text(); // no body expected; read whatever came
    const d = store.datasets.get(req.params.id as string);
    if (!d) throw detail(404, TEXTS.notFound);
    if (d.doi) {
      if (d.doiFindable === false) {
        store.datasets.delete(d.dataset_id);
        throw detail(400, TEXTS.removed);
      }
      throw detail(400, TEXTS.fixed);
    }
    if (d.user_id !== user) throw detail(401, TEXTS.notOwner);
    const members = [...d.members.values()].filter((m) => uploads.uploads.has(m.uploadId));
    if (members.length === 0) throw detail(400, TEXTS.empty);
    if (members.some((m) => !uploads.uploads.get(m.uploadId)?.published)) throw detail(400, TEXTS.unpublished);
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    const n = (store.perDay.get(day) ?? 0) + 1;
    store.perDay.set(day, n);
    d.doi = `10.17172/NOMAD/${day}-${n}`;
    if (ctx.faults.take('nomad', 'POST', req.path, ['datacite-error'])) {
      d.doiFindable = false;
      throw detail(500, TEXTS.datacite);
    }
    d.doiFindable = true;
    d.dataset_modified_time = nomadTime();
    res.json(200, { dataset_id: d.dataset_id, data: datasetData(d) });
  });

  r.post('/entries/query', async (req, res) => {
    let body: unknown;
    try {
      body = JSON.parse((await req.text()) || '{}');
    } catch {
      throw unprocessable([{ loc: ['body'], msg: 'Expecting value', type: 'value_error.jsondecode' }]);
    }
    if (!isObj(body)) throw unprocessable([{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]);
    const owner = body.owner ?? 'visible';
    if (owner !== 'user' && owner !== 'visible') {
      throw unprocessable([{ loc: ['body', 'owner'], msg: "The emulator understands owner 'user' and 'visible' only", type: 'value_error' }]);
    }
    const user = owner === 'user' || req.bearer() ? nomadAuth(ctx, req) : undefined;
    const inDatasets = (id: string) => [...store.datasets.values()].filter((d) => d.members.has(id));
    let list: { id: string; uploadId: string; mainfile: string }[] = [];
    for (const u of uploads.uploads.values()) {
      const own = user !== undefined && (u.main_author === user || u.coauthors.includes(user));
      if (owner === 'user' ? !own : !own && !u.published) continue;
      for (const m of u.mainfiles) list.push({ id: entryId(u.upload_id, m), uploadId: u.upload_id, mainfile: m });
    }
    const query = isObj(body.query) ? body.query : {};
    for (const [key, v] of Object.entries(query)) {
      const values = clauseValues(v);
      if (!values || !['upload_id', 'entry_id', 'datasets.dataset_id'].includes(key)) {
        throw unprocessable([{ loc: ['body', 'query', key], msg: 'The emulator understands queries on upload_id, entry_id and datasets.dataset_id only', type: 'value_error' }]);
      }
      list = list.filter((e) => (key === 'upload_id' ? values.includes(e.uploadId) : key === 'entry_id' ? values.includes(e.id) : inDatasets(e.id).some((d) => values.includes(d.dataset_id))));
    }
    list.sort((a, b) => a.id.localeCompare(b.id));
    const pagination = isObj(body.pagination) ? body.pagination : {};
    const size = typeof pagination.page_size === 'number' && pagination.page_size >= 0 ? pagination.page_size : 10;
    res.json(200, {
      owner,
      query,
      pagination: { page_size: size, order_by: 'entry_id', order: 'asc', total: list.length },
      required: {},
      data: list.slice(0, size).map((e) => ({
        entry_id: e.id,
        upload_id: e.uploadId,
        mainfile: e.mainfile,
        datasets: inDatasets(e.id).map((d) => ({ dataset_id: d.dataset_id, dataset_name: d.dataset_name, ...(d.doi ? { doi: d.doi } : {}) })),
      })),
    });
  });

  r.post('/uploads/:id/edit', async (req, res) => {
    const user = nomadAuth(ctx, req);
    let body: unknown;
    try {
      body = JSON.parse(await req.text());
    } catch {
      throw unprocessable([{ loc: ['body'], msg: 'Expecting value', type: 'value_error.jsondecode' }]);
    }
    if (!isObj(body)) throw unprocessable([{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]);
    if (body.query !== undefined && body.query !== null) {
      throw unprocessable([problem(['query'], 'The emulator edits whole uploads only (no query)')]);
    }
    const md = body.metadata;
    if (!isObj(md) || Object.keys(md).length === 0) throw unprocessable([problem(['metadata'], 'No fields to update specified')]);
    const errors: ReturnType<typeof problem>[] = [];
    const changes: { add: EmuNomadDataset[]; remove: EmuNomadDataset[] } = { add: [], remove: [] };
    for (const [key, raw] of Object.entries(md)) {
      if (raw === null || raw === undefined) continue;
      const loc = ['metadata', key];
      if (key !== 'datasets') {
        errors.push(problem(loc, 'Unknown quantity'));
        continue;
      }
      let ops: Record<string, unknown>;
      if (isObj(raw)) {
        if (Object.keys(raw).length === 0) {
          errors.push(problem(loc, 'No operation specified'));
          continue;
        }
        const bad = Object.keys(raw).find((k) => !['set', 'add', 'remove'].includes(k));
        if (bad) {
          errors.push(problem(loc, `Allowed operations are \`set\`, \`add\`, and \`remove\`, got ${bad}`));
          continue;
        }
        if ('set' in raw) {
          errors.push(problem(loc, 'Only `add` and `remove` operations permitted for datasets'));
          continue;
        }
        ops = raw;
      } else ops = { add: raw };
      for (const [op, values] of Object.entries(ops)) {
        for (const ref of Array.isArray(values) ? values : [values]) {
          if (typeof ref !== 'string') {
            errors.push(problem(loc, 'Expected a string value'));
            continue;
          }
          const ds = store.datasets.get(ref) ?? [...store.datasets.values()].find((d) => d.user_id === user && d.dataset_name === ref);
          if (!ds) errors.push(problem(loc, `Dataset reference not found: \`${ref}\``));
          else if (ds.user_id !== user) errors.push(problem(loc, `Dataset \`${ref}\` does not belong to you`));
          else if (op === 'remove' && ds.doi) errors.push(problem(loc, `Dataset \`${ref}\` has a doi, can only add entries to it`));
          else changes[op as 'add' | 'remove'].push(ds);
        }
      }
    }
    if (errors.length) throw unprocessable(errors);
    const u = uploads.uploads.get(req.params.id as string);
    if (!u) throw unprocessable([problem(['upload_id'], 'No matching upload found')]);
    if (u.main_author !== user && !u.coauthors.includes(user)) {
      throw unprocessable([problem(['metadata', 'datasets'], `coauthor access required for upload ${u.upload_id}`)]);
    }
    if (u.process_running) throw detail(400, `Upload ${u.upload_id} is blocked by another process`);
    processor.editMetadata(u, () => apply(u, changes));
    res.json(200, { upload_id: u.upload_id, data: uploadData(u) });
  });

  /** The edit: the upload's entries join (or leave) the datasets. */
  function apply(u: UploadRecord, changes: { add: EmuNomadDataset[]; remove: EmuNomadDataset[] }): void {
    for (const m of u.mainfiles) {
      const id = entryId(u.upload_id, m);
      for (const d of changes.add) d.members.set(id, { uploadId: u.upload_id, mainfile: m });
      for (const d of changes.remove) d.members.delete(id);
    }
    const now = nomadTime();
    for (const d of [...changes.add, ...changes.remove]) d.dataset_modified_time = now;
  }
}
