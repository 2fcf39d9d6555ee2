// NOMAD datasets and their DOIs (`rdp publish <upload> --on nomad --dataset NAME [--doi]`; providers.md
// 0.4 and test/contract/nomad/datasets.json):
//   ensureUploadDataset  the user's dataset NAME (made with POST /datasets/ when it does not exist yet)
//                        holding the upload's entries: POST /uploads/{id}/edit adds them, as the upload's
//                        `edit_upload_metadata` process, which is waited for.
//   mintDatasetDoi       POST /datasets/{id}/action/doi. A DOI is permanent: asking is the caller's job.
// Both look before they act, so running them again is safe: a dataset of that name is reused, adding
// entries twice changes nothing, and a dataset that has a DOI is `already`. Waiting uses an injected
// sleep and clock (tests), and reports progress through a callback; nothing here prints.
import { ApiError, FailureError, NotFoundError } from '../../errors/errors.js';
import { sleep as realSleep } from '../../util/sleep.js';
import { isObj } from '../../util/guards.js';
import type { ParsedError } from '../../http/errors.js';
import type { HttpClient } from '../../http/client.js';
import { explainNomadError, NomadClient } from './client.js';
import { type NomadUpload, narrowUploadResponse } from './types.js';

export interface NomadDataset {
  id: string;
  name?: string | undefined;
  userId?: string | undefined;
  doi?: string | undefined;
  type?: string | undefined;
  createTime?: string | undefined;
}

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** Injected for tests; defaults to a timer that Ctrl-C ends. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Epoch ms; injected for tests. */
  now?: (() => number) | undefined;
  /** Give up waiting for NOMAD's process after this long (default 10 minutes). */
  timeoutMs?: number | undefined;
  /** The upload as each poll saw it (the caller shows progress). */
  onProgress?: ((upload: NomadUpload) => void) | undefined;
}

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `{dataset_id, data}` or a bare dataset object. */
export function narrowDataset(raw: unknown): NomadDataset | undefined {
  const d = isObj(raw) && isObj(raw.data) ? raw.data : raw;
  if (!isObj(d)) return undefined;
  const id = str(d.dataset_id) ?? (isObj(raw) ? str(raw.dataset_id) : undefined);
  if (!id) return undefined;
  return { id, name: str(d.dataset_name), userId: str(d.user_id), doi: str(d.doi), type: str(d.dataset_type), createTime: str(d.dataset_create_time) };
}

const detailOf = (err: ApiError) => (err.body as ParsedError | undefined)?.message ?? '';

/** GET /datasets/{id}; NotFoundError when NOMAD has none. */
export async function getDataset(http: HttpClient, id: string): Promise<NomadDataset> {
  const path = `/datasets/${encodeURIComponent(id)}`;
  const { status, data, headers } = await http.json<unknown>({ method: 'GET', path, accept: [404] });
  if (status === 404) throw new NotFoundError(`NOMAD has no dataset ${id}.`, { hint: 'Check the id in the NOMAD web interface (Your datasets).' });
  const ds = narrowDataset(data);
  if (!ds) throw http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
  return ds;
}

/** The user's dataset of this name (GET /datasets/?dataset_name=&user_id=), if any. */
export async function findDataset(http: HttpClient, name: string, userId: string): Promise<NomadDataset | undefined> {
  const { status, data, headers } = await http.json<unknown>({ method: 'GET', path: '/datasets/', query: { dataset_name: name, user_id: userId, page_size: 10 } });
  if (!isObj(data) || !Array.isArray(data.data)) throw http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
  return data.data.map(narrowDataset).find((d): d is NomadDataset => d !== undefined && d.name === name && (d.userId === undefined || d.userId === userId));
}

/** How many of the user's entries match `query` (POST /entries/query, owner user; only the count is read). */
async function countEntries(http: HttpClient, query: Record<string, string>): Promise<number> {
  const { status, data, headers } = await http.json<unknown>({ method: 'POST', path: '/entries/query', json: { owner: 'user', query, pagination: { page_size: 1 } }, retry: 'always' });
  const total = isObj(data) && isObj(data.pagination) ? data.pagination.total : undefined;
  if (typeof total !== 'number') throw http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
  return total;
}

/**
 * Whether every entry of upload `uploadId` is in dataset `datasetId` (and it has some): the search API
 * with the quantity `datasets.dataset_id`, as NOMAD's own dataset routes query it.
 */
export async function uploadInDataset(http: HttpClient, uploadId: string, datasetId: string): Promise<boolean> {
  const all = await countEntries(http, { upload_id: uploadId });
  return all > 0 && (await countEntries(http, { upload_id: uploadId, 'datasets.dataset_id': datasetId })) === all;
}

/**
 * The user's dataset `name` when it has its DOI and holds upload `uploadId` (what `--dataset NAME --doi`
 * makes): the DOI step's result exists, so nobody needs to be asked again.
 */
export async function uploadDatasetDoi(http: HttpClient, input: { name: string; uploadId: string }): Promise<NomadDataset | undefined> {
  const me = await new NomadClient(http).me();
  const dataset = await findDataset(http, input.name, me.user_id);
  if (!dataset?.doi) return undefined;
  return (await uploadInDataset(http, input.uploadId, dataset.id)) ? dataset : undefined;
}

/** POST /datasets/ (trailing slash: NOMAD redirects without it). Undefined when the name is taken. */
async function createDataset(http: HttpClient, name: string): Promise<NomadDataset | undefined> {
  // A name is unique per user, so repeating the POST after a lost answer cannot make a second one.
  const { status, data, headers } = await http.json<unknown>({ method: 'POST', path: '/datasets/', json: { dataset_name: name, dataset_type: 'owned' }, accept: [400], retry: 'always' });
  if (status === 400) {
    const detail = isObj(data) && typeof data.detail === 'string' ? data.detail : '';
    if (/already taken/i.test(detail)) return undefined;
    throw http.errorFor(400, JSON.stringify(data ?? ''), headers, { method: 'POST', path: '/datasets/' });
  }
  const ds = narrowDataset(data);
  if (!ds) throw http.badResponse(status, JSON.stringify(data ?? '').slice(0, 300), headers);
  return ds;
}

/** Poll the upload until no process runs (the edit ended). */
async function waitIdle(nomad: NomadClient, first: NomadUpload, opts: WaitOptions): Promise<NomadUpload> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const deadline = now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let upload = first;
  let delay = FIRST_POLL_MS;
  while (upload.processRunning) {
    if (now() >= deadline) {
      throw new FailureError('NOMAD_TIMEOUT', `NOMAD is still working on upload ${upload.uploadId} (${upload.processStatus}${upload.lastStatusMessage ? `: ${upload.lastStatusMessage}` : ''}).`, {
        hint: 'NOMAD goes on by itself; run the same command again later.',
        details: { uploadId: upload.uploadId },
      });
    }
    await sleep(Math.min(delay, Math.max(0, deadline - now())), opts.signal);
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
    upload = await nomad.getUpload(upload.uploadId);
    opts.onProgress?.(upload);
  }
  return upload;
}

/**
 * The user's dataset `name` holding the entries of upload `uploadId`. `done` when the dataset was made
 * now, `already` when one of that name existed (the upload's entries are added to it either way).
 * A dataset of that name that already has a DOI is fixed: NOMAD_DATASET_FIXED.
 */
export async function ensureUploadDataset(
  http: HttpClient,
  input: { name: string; uploadId: string },
  opts: WaitOptions = {},
): Promise<{ outcome: 'done' | 'already'; dataset: NomadDataset; upload: NomadUpload }> {
  const nomad = new NomadClient(http);
  const me = await nomad.me();
  let existed = true;
  let dataset = await findDataset(http, input.name, me.user_id);
  if (!dataset) {
    dataset = await createDataset(http, input.name);
    existed = dataset === undefined;
    // taken between the look and the POST (or by an earlier attempt whose answer got lost)
    dataset ??= await findDataset(http, input.name, me.user_id);
    if (!dataset) throw new FailureError('NOMAD_DATASET_UNCONFIRMED', `NOMAD says the dataset name "${input.name}" is taken, but rdp cannot find that dataset among yours.`, { hint: 'Choose another --dataset name.' });
  }
  if (dataset.doi) {
    // A dataset with a DOI is fixed; if it holds this upload already (an earlier run), that is done.
    if (await uploadInDataset(http, input.uploadId, dataset.id)) return { outcome: 'already', dataset, upload: await nomad.getUpload(input.uploadId) };
    throw new FailureError('NOMAD_DATASET_FIXED', `Your NOMAD dataset "${input.name}" already has a DOI (${dataset.doi}); NOMAD keeps such a dataset as it is.`, {
      hint: 'Choose another --dataset name for this upload and run the command with it: a published upload stays as it is, and only the dataset steps run.',
      details: { datasetId: dataset.id, doi: dataset.doi },
    });
  }

  const edit = async () =>
    http.json<unknown>({
      method: 'POST',
      path: `/uploads/${encodeURIComponent(input.uploadId)}/edit`,
      json: { metadata: { datasets: { add: [dataset.id] } } },
      accept: [422],
      retry: 'always', // adding a dataset twice changes nothing
    });
  let answer: Awaited<ReturnType<typeof edit>> | undefined;
  for (let attempt = 1; answer === undefined; attempt++) {
    try {
      answer = await edit();
    } catch (err) {
      // Another process (the publish that just ran) holds the upload: wait for it, then ask again.
      if (attempt < 4 && err instanceof ApiError && err.status === 400 && /blocked by another process|being processed/i.test(detailOf(err))) {
        await waitIdle(nomad, await nomad.getUpload(input.uploadId), opts);
        continue;
      }
      throw explainNomadError(err, input.uploadId);
    }
  }
  if (answer.status === 422) {
    const problems = isObj(answer.data) && Array.isArray(answer.data.detail) ? (answer.data.detail as unknown[]).map((d) => (isObj(d) && typeof d.msg === 'string' ? d.msg : JSON.stringify(d))) : [];
    const noUpload = problems.some((p) => /no matching upload/i.test(p));
    if (noUpload) throw new NotFoundError(`NOMAD has no upload ${input.uploadId}.`, { hint: 'Check the id; `rdp uploads list --on nomad` shows yours.' });
    throw new FailureError('NOMAD_EDIT_REFUSED', `NOMAD refused to add upload ${input.uploadId} to dataset "${input.name}": ${problems.join('; ') || 'no reason given'}.`, {
      hint: 'Only the upload\'s authors may add it to their datasets; check the upload id.',
    });
  }
  // The answer shows the edit's process started; poll from there.
  const started = narrowUploadResponse(answer.data) ?? (await nomad.getUpload(input.uploadId));
  const upload = await waitIdle(nomad, started, opts);
  if (upload.processStatus === 'FAILURE') {
    throw new FailureError('NOMAD_EDIT_FAILED', `NOMAD could not add upload ${input.uploadId} to dataset "${input.name}": ${upload.errors[0] ?? upload.lastStatusMessage ?? 'its process failed'}.`, {
      hint: 'Run the same command again; if it fails again, check the upload in the NOMAD web interface.',
    });
  }
  return { outcome: existed ? 'already' : 'done', dataset, upload };
}

/**
 * Mint the DOI of dataset `datasetId` (permanent: confirm first). `done` with the new DOI, `already`
 * when it has one. Throws for an empty dataset, unpublished entries, another user's dataset.
 */
export async function mintDatasetDoi(http: HttpClient, datasetId: string): Promise<{ outcome: 'done' | 'already'; doi: string; dataset: NomadDataset }> {
  const before = await getDataset(http, datasetId);
  if (before.doi) return { outcome: 'already', doi: before.doi, dataset: before };
  const path = `/datasets/${encodeURIComponent(datasetId)}/action/doi`;
  // Not repeated on a server error: NOMAD may have written the DOI before DataCite failed (see below).
  const res = await http.raw({ method: 'POST', path, retry: 'auto' });
  const text = await http.text(res).catch(() => '');
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  const detail = isObj(data) && typeof data.detail === 'string' ? data.detail : '';
  const name = before.name ? `"${before.name}"` : datasetId;
  if (res.status === 200) {
    const ds = narrowDataset(data);
    if (!ds?.doi) throw http.badResponse(200, text.slice(0, 300), res.headers);
    return { outcome: 'done', doi: ds.doi, dataset: ds };
  }
  if (res.status === 400 && /already has a DOI/i.test(detail)) {
    const now = await getDataset(http, datasetId);
    if (now.doi) return { outcome: 'already', doi: now.doi, dataset: now };
  }
  if (res.status === 400 && /is empty/i.test(detail)) {
    throw new FailureError('NOMAD_DATASET_EMPTY', `NOMAD will not give dataset ${name} a DOI: it holds no published entries.`, {
      hint: 'Add a published upload to it first (rdp publish <upload-id> --on nomad --dataset NAME).',
    });
  }
  if (res.status === 400 && /unpublished contents/i.test(detail)) {
    throw new FailureError('NOMAD_DATASET_UNPUBLISHED', `NOMAD will not give dataset ${name} a DOI: some of its entries are not published.`, {
      hint: 'Publish those uploads first, then run the same command again.',
    });
  }
  if (res.status === 400 && /removed now/i.test(detail)) {
    throw new FailureError('NOMAD_DATASET_REMOVED', `NOMAD removed dataset ${name}: an earlier DOI request for it had failed at DataCite.`, {
      hint: 'Run the same command again: rdp makes the dataset anew and asks for its DOI.',
    });
  }
  if (res.status === 401 && /only be edited by the user who created/i.test(detail)) {
    throw new FailureError('NOMAD_NOT_DATASET_OWNER', `NOMAD dataset ${name} belongs to another user; only its owner can ask for its DOI.`);
  }
  if (res.status === 404) throw new NotFoundError(`NOMAD has no dataset ${datasetId}.`, { hint: 'Run the same command again to make it anew.' });
  const err = http.errorFor(res.status, text, res.headers, { method: 'POST', path });
  if (res.status >= 500) {
    Object.defineProperty(err, 'hint', {
      value: `NOMAD may have written a DOI on the dataset that DataCite never registered. Check dataset ${name} in the NOMAD web interface before asking again (NOMAD deletes a dataset whose DOI request failed when it is asked again).`,
    });
  }
  throw err;
}
