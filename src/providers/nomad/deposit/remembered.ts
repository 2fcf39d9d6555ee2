// The same `rdp upload … --to nomad` run again (SPEC.md: re-running a command is always safe): the
// command remembers the upload it made (src/store/upload-state.ts, keyed by service, API, paths) with a
// fingerprint of the files it sent (names, sizes, modification times), and on the next run:
//   - the upload is unpublished and the files are unchanged: nothing is sent; processing is waited for
//     and --publish (with its dataset and DOI) goes on with that upload;
//   - the files changed: refused (NOMAD_UPLOAD_CHANGED), the upload left as it is, with the three ways
//     on (--upload ID to send them into it, delete it and run again, --new-upload);
//   - the upload is published: refused (ALREADY_PUBLISHED), except with --publish when steps after
//     publishing (its --dataset, --doi) are not done yet for it: only those run;
//   - the upload is gone from NOMAD: a new one is made, and the user is told.
// A lost answer to POST /uploads (the connection cut after NOMAD made the upload) must not leave an
// orphan that the next attempt duplicates: before the POST the attempt is written down (its upload
// name and time); before trying again, or on the next run, rdp looks for an upload of that name that
// NOMAD created since then (by the server's clock) and adopts it. NOMAD makes an upload only once it
// has the whole body, so an adopted upload holds what the attempt sent.
import { ApiError, CancelledError, FailureError, NetworkError, NotFoundError } from '../../../errors/errors.js';
import { journalPath, recordedSteps } from '../../../publish/steps.js';
import type { UploadKey, UploadSelection, UploadStateEntry } from '../../../store/upload-state.js';
import { formatBytes } from '../../../output/format.js';
import { shellQuote } from '../../../util/text.js';
import type { DepositInput, DepositPorts } from '../../types.js';
import type { NomadClient, NomadUpload, SendBody } from '../client.js';
import { nomadJournalRecord, nomadTimeMs } from '../types.js';
import type { NomadOptions } from './options.js';

/** How many times the POST is sent at most when its answer is lost. */
const ATTEMPTS = 3;
/** Slack for the server's clock (its Date header has whole seconds) and the request's own travel. */
const CLOCK_SLACK_MS = 2000;

/** What the same command made before, as NOMAD has it now. */
export interface Remembered {
  upload: NomadUpload;
  entry: UploadStateEntry;
  /** `same`: unpublished, the files unchanged; `steps`: published, only steps after publishing are missing. */
  mode: 'same' | 'steps';
  /** Found through a lost answer of an earlier run. */
  adopted: boolean;
}

interface Context {
  ports: DepositPorts;
  input: DepositInput;
  opts: NomadOptions & { publish: boolean };
  nomad: NomadClient;
  key: UploadKey;
  host: string;
  page: (id: string) => string;
  selection: UploadSelection;
}

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const pathsArg = (input: DepositInput) => input.paths.map(shellQuote).join(' ');

/** GET /uploads/{id}, undefined when NOMAD has no such upload any more. */
async function getIfThere(nomad: NomadClient, id: string): Promise<NomadUpload | undefined> {
  try {
    return await nomad.getUpload(id);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * The upload an attempt sent at `sentAt` (local clock) with upload name `name` made, if NOMAD has one:
 * the user's own, unpublished, that name, created no earlier than the attempt by the server's clock.
 * `ambiguous` when several fit (rdp does not guess).
 */
export async function findFreshUpload(nomad: NomadClient, name: string, sentAt: number, now: () => number): Promise<{ upload?: NomadUpload; ambiguous?: NomadUpload[] }> {
  const asked = now();
  const { uploads, serverNow } = await nomad.recentUnpublished(name);
  const since = (serverNow ?? asked) - (now() - sentAt) - CLOCK_SLACK_MS;
  const fit = uploads.filter((u) => !u.published && u.name === name && nomadTimeMs(u.createTime) >= since);
  if (fit.length > 1) return { ambiguous: fit };
  return fit[0] ? { upload: fit[0] } : {};
}

/** A failure after which NOMAD may have made the upload all the same. */
function maybeCreated(err: unknown): boolean {
  return (err instanceof ApiError && err.status >= 500) || err instanceof NetworkError;
}

/**
 * POST /uploads, written down first; on a lost answer (or a 5xx) the upload that attempt made is
 * looked for and adopted, and only when there is none is the POST sent again.
 */
export async function createUploadOnce(
  c: Pick<Context, 'ports' | 'nomad' | 'key'> & { remember: boolean; selection: UploadSelection },
  body: SendBody,
  create: { uploadName: string; embargoLength?: number | undefined; publishDirectly?: boolean | undefined },
  onRetry: () => void,
): Promise<{ upload: NomadUpload; adopted: boolean }> {
  const { ports, nomad, key } = c;
  const now = () => ports.clock.now();
  for (let attempt = 1; ; attempt++) {
    if (c.remember) await ports.state.rememberAttempt(key, { name: create.uploadName, selection: c.selection });
    const sentAt = now();
    try {
      const upload = await nomad.createUpload(body, create);
      return { upload, adopted: false };
    } catch (err) {
      if (!maybeCreated(err) || ports.signal.aborted) {
        // NOMAD refused (4xx), or the body never went out whole: it made nothing. Ctrl-C (maybe after
        // the last byte) keeps the attempt written down, so that the same command looks for what it made.
        if (c.remember && !(err instanceof CancelledError) && !ports.signal.aborted) await ports.state.forgetAttempt(key);
        throw err;
      }
      const why = err instanceof ApiError ? `answered ${err.status}` : 'did not answer';
      ports.log.info(`NOMAD ${why} when asked to create the upload; checking whether it made the upload anyway before trying again.`);
      await ports.clock.sleep(Math.min(5000, 500 * attempt), ports.signal);
      let found: Awaited<ReturnType<typeof findFreshUpload>>;
      try {
        found = await findFreshUpload(nomad, create.uploadName, sentAt, now);
      } catch {
        throw mayHaveMade(err); // cannot tell: better to stop (the next run looks again) than to risk a second upload
      }
      if (found.upload) {
        ports.log.info(`NOMAD had made upload ${found.upload.uploadId} before the answer was lost; using it.`);
        return { upload: found.upload, adopted: true };
      }
      if (found.ambiguous) throw ambiguous(err, found.ambiguous);
      if (attempt >= ATTEMPTS) throw mayHaveMade(err);
      ports.log.info(`NOMAD made no upload; sending again (attempt ${attempt + 1} of ${ATTEMPTS}).`);
      onRetry();
    }
  }
}

/** The error of a POST whose answer was lost, with what to do: the same command looks for the upload it may have made. */
function mayHaveMade(err: unknown): unknown {
  if (err instanceof ApiError || err instanceof NetworkError) {
    const more = 'NOMAD may have made the upload all the same: run the same command again; it looks for that upload and uses it instead of making another.';
    Object.defineProperty(err, 'hint', { value: [err.hint, more].filter(Boolean).join('\n'), configurable: true });
  }
  return err;
}

function ambiguous(err: unknown, ups: NomadUpload[]): FailureError {
  return new FailureError('NETWORK_ERROR', `The answer to creating the upload was lost, and NOMAD has ${ups.length} new unpublished uploads of that name (${ups.map((u) => u.uploadId).join(', ')}): rdp cannot tell which one it made.`, {
    hint: 'Check them with `rdp uploads list --on nomad --status draft`, delete the extra one in NOMAD, then run the same command again.',
    details: { cause: (err as Error).message, uploads: ups.map((u) => u.uploadId) },
  });
}

/**
 * What the same command made before, checked against NOMAD and the local files: the upload to go on
 * with, undefined for a new one, or a refusal. A dry run looks but writes nothing.
 */
export async function consultRemembered(c: Context): Promise<Remembered | undefined> {
  const { ports, input, nomad, key } = c;
  const left = await ports.state.read(key);
  if (!left) return undefined;
  let entry = left;
  let adopted = false;
  let upload: NomadUpload | undefined;
  if (left.pending) {
    const p = left.pending;
    // An error here stops the run: without the look, a new upload could duplicate the one the attempt made.
    const found = await findFreshUpload(nomad, p.name, Date.parse(p.since), () => ports.clock.now());
    if (found.upload) {
      upload = found.upload;
      adopted = true;
      ports.log.info(`An earlier run of this command lost NOMAD's answer after NOMAD made upload ${upload.uploadId} (${upload.name ?? p.name}); ${input.dryRun ? 'it would be used' : 'using it'}.`);
      entry = { ...left, id: upload.uploadId, selection: p.selection, pending: undefined };
      if (!input.dryRun) await ports.state.rememberDraft(key, { id: upload.uploadId }, p.selection);
    } else {
      if (found.ambiguous) ports.log.warn(`An earlier run of this command lost NOMAD's answer, and NOMAD has several new uploads of that name (${found.ambiguous.map((u) => u.uploadId).join(', ')}); rdp uses none of them. Delete the extra one in NOMAD.`);
      if (!input.dryRun) await ports.state.forgetAttempt(key);
      if (left.id === '') return undefined;
    }
  }
  const id = String(entry.id);
  upload ??= await getIfThere(nomad, id);
  if (!upload) {
    ports.log.info(`Upload ${id}, which this command made on ${when(entry.created)}, is gone from NOMAD${input.dryRun ? '; a new one would be made' : '; making a new one'}.`);
    if (!input.dryRun) await ports.state.update(key, () => undefined);
    return undefined;
  }
  const same = entry.selection?.fingerprint === c.selection.fingerprint;
  if (upload.published) {
    if (same && (await stepsUnfinished(c, upload.uploadId))) {
      ports.log.info(`This command published upload ${upload.uploadId} already; only the steps after publishing that are still missing ${input.dryRun ? 'would run' : 'run now'}.`);
      return { upload, entry, mode: 'steps', adopted };
    }
    throw await alreadyPublished(c, upload, same);
  }
  if (!same) throw changed(c, upload, entry);
  return { upload, entry, mode: 'same', adopted };
}

/** With --publish --dataset: whether the dataset (or --doi) steps are not all done for this upload. */
async function stepsUnfinished(c: Context, uploadId: string): Promise<boolean> {
  const o = c.opts;
  if (!c.input.publish || o.dataset === undefined) return false;
  const steps = await recordedSteps(journalPath(c.ports.env), nomadJournalRecord(c.host, uploadId, o.dataset)).catch(() => ({}) as Awaited<ReturnType<typeof recordedSteps>>);
  const ids = ['nomad.dataset', ...(o.doi ? ['nomad.doi'] : [])];
  return ids.some((s) => steps[s]?.status !== 'done' && steps[s]?.status !== 'already');
}

/** The DOI a --dataset --doi of this command minted for this upload, from the journal. */
async function mintedDoi(c: Context, uploadId: string): Promise<string | undefined> {
  const o = c.opts;
  if (o.dataset === undefined) return undefined;
  const steps = await recordedSteps(journalPath(c.ports.env), nomadJournalRecord(c.host, uploadId, o.dataset)).catch(() => undefined);
  const doi = steps?.['nomad.doi']?.detail?.doi;
  return typeof doi === 'string' && doi ? doi : undefined;
}

/** The same command after its upload was published: refused, with the ways on. */
async function alreadyPublished(c: Context, u: NomadUpload, same: boolean): Promise<FailureError> {
  const doi = await mintedDoi(c, u.uploadId);
  const record = `upload ${u.uploadId}${u.name ? ` (${u.name})` : ''}, ${c.page(u.uploadId)}${doi ? `; its dataset's DOI is ${doi}` : ''}`;
  const message = `This command's NOMAD upload is published already: ${record}. Running it again would make a second upload of ${same ? 'the same' : 'these'} files.`;
  return new FailureError('ALREADY_PUBLISHED', message, {
    hint: [
      `To put it into a dataset (and mint the dataset's DOI): rdp publish --on nomad --dataset NAME [--doi] -- ${u.uploadId}`,
      `For a separate upload on purpose: add --new-upload (rdp upload ${pathsArg(c.input)} --to nomad --new-upload${c.input.publish ? ' --publish' : ''}).`,
    ].join('\n'),
    details: { uploadId: u.uploadId, doi: doi ?? null },
  });
}

/** The files changed since the unpublished upload took them: refused, the upload left as it is. */
function changed(c: Context, u: NomadUpload, entry: UploadStateEntry): FailureError {
  const then = entry.selection;
  const now = c.selection;
  const count = (s: UploadSelection) => `${s.files} file${s.files === 1 ? '' : 's'}, ${formatBytes(s.bytes)}`;
  const paths = pathsArg(c.input);
  return new FailureError(
    'NOMAD_UPLOAD_CHANGED',
    `The files changed since NOMAD upload ${u.uploadId} (made by this command on ${when(entry.created)}, unpublished) took them${then ? `: then ${count(then)}, now ${count(now)}` : ''}. rdp left the upload as it is.`,
    {
      hint: [
        `To send the files into that upload (files of the same name are replaced; files you removed stay there): rdp upload ${paths} --to nomad --upload=${u.uploadId}`,
        `To replace it: delete it at ${c.page(u.uploadId)}, then run the same command again.`,
        'To keep it and make a separate upload: add --new-upload.',
      ].join('\n'),
      details: { uploadId: u.uploadId },
    },
  );
}
