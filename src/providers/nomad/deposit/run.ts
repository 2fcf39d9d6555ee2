// `rdp upload <path>... --to nomad`: check everything that can be checked locally, send one archive
// as it is or stream one zip built on the fly, then wait for NOMAD's processing, report entries,
// errors and warnings, and publish with --publish.
import { AuthDeniedError, AuthRequiredError, CancelledError, FailureError } from '../../../errors/errors.js';
import { formatBytes, formatDuration, shownName } from '../../../output/format.js';
import { TransferProgress } from '../../../output/progress.js';
import type { Log } from '../../../ports.js';
import { checkExcludes, countLeftOut } from '../../../transfer/selection.js';
import { jwtExpiry } from '../../../util/jwt.js';
import type { Deposit, DepositInput, DepositLogin, DepositPorts } from '../../types.js';
import { NomadClient, type NomadUpload } from '../client.js';
import type { NomadOptions } from './options.js';
import { type NomadPlan, planNomadUpload } from './plan.js';
import { consultRemembered, createUploadOnce, type Remembered } from './remembered.js';
import { waitForProcess } from './wait.js';
import { uploadKey } from '../../../store/upload-state.js';

/** What was sent: one archive as it is, or the files zipped on the fly. */
export interface NomadSent {
  kind: 'archive' | 'zip';
  fileName: string;
  bytes: number;
  files: number;
}

/** NOMAD's upload result: the Deposit every upload reports (its id is the upload id), and NOMAD's own fields. */
export interface NomadDeposit extends Deposit {
  provider: 'nomad';
  dryRun: false;
  id: string;
  uploadId: string;
  /**
   * What this run did to get its upload: `created` a new one, `adopted` the one NOMAD made before its
   * answer was lost, sent into an `existing` one (--upload), or `reused` the one this command made
   * before (nothing sent).
   */
  uploadAction: 'created' | 'adopted' | 'existing' | 'reused';
  name?: string | undefined;
  processStatus: string;
  processRunning: boolean;
  /** Entries NOMAD's processing found. */
  entries: number;
  embargoLength: number;
  errors: string[];
  warnings: string[];
  sent: NomadSent;
}

/** `--dry-run`: what would be sent, and what the folders leave out; nothing is sent, no login needed. */
export interface NomadDryRun extends Deposit {
  provider: 'nomad';
  dryRun: true;
  /** The upload the files would go into (--upload, or the one this command made before), else a new one named `name`. */
  upload: string | null;
  /** The upload this command made before would be used: with nothing to send, or only for the steps after publishing. */
  reuse: 'nothing-to-send' | 'steps-only' | null;
  name: string | null;
  publish: boolean;
  sent: NomadSent;
}

/** A token closer to its end than this is refused before anything is sent. */
const TOKEN_MIN_LEFT_MS = 60_000;
/** Warn when the token may run out while rdp still follows the upload. */
const TOKEN_WARN_LEFT_MS = 15 * 60_000;

/** The token's own expiry (NOMAD app tokens are JWTs with `exp`), checked before a long transfer. */
function checkTokenLife(log: Log, cred: DepositLogin, now: number): void {
  const exp = jwtExpiry(cred.token);
  if (!exp) return;
  const left = Date.parse(exp) - now;
  const login = cred.loginCommand;
  const whose = cred.source === 'env' ? `The NOMAD token in ${cred.envVar}` : 'Your NOMAD token';
  const fix = cred.source === 'env' ? `Replace ${cred.envVar}, or unset it and run \`${login}\`.` : `Run \`${login}\` to get a new one.`;
  if (left <= 0) throw new AuthRequiredError(`${whose} expired on ${exp}. Nothing was sent.`, { hint: fix });
  if (left < TOKEN_MIN_LEFT_MS) {
    throw new AuthRequiredError(`${whose} expires in ${formatDuration(left)}: too soon to start an upload. Nothing was sent.`, { hint: fix });
  }
  if (left < TOKEN_WARN_LEFT_MS) {
    log.warn(`${whose} expires in ${formatDuration(left)}. If sending and processing take longer, rdp cannot follow the upload to its end (the upload itself is not affected). ${fix}`);
  }
}

function describePlan(plan: NomadPlan): string {
  const size = formatBytes(plan.source.size);
  return plan.kind === 'archive'
    ? `${plan.fileName} (${size}) as it is`
    : `${plan.files} file${plan.files === 1 ? '' : 's'} (${size}) as one zip, ${plan.fileName}, built on the fly`;
}

/** Entries, warnings and errors of a finished processing, on stderr. */
function reportProcessing(ports: DepositPorts, u: NomadUpload): void {
  const { log, terminal: io } = ports;
  if (u.processStatus !== 'FAILURE') log.info(`${u.entries} entr${u.entries === 1 ? 'y' : 'ies'} found.`);
  for (const w of u.warnings) log.warn(w);
  if (!io.flags.json) for (const e of u.errors) log.notice(`${io.style.red('✗')} ${e}`);
}

export async function runNomadUpload(ports: DepositPorts, input: DepositInput): Promise<NomadDeposit | NomadDryRun> {
  const { log: io } = ports;
  const opts = { ...(input.read as NomadOptions), publish: input.publish };
  const { timeoutMs } = opts;
  checkExcludes(input.exclude);
  const plan = await planNomadUpload(input.paths, input.cwd, { includeHidden: input.includeHidden, exclude: input.exclude });
  const files = plan.entries.map((e) => ({ ...e, action: 'upload' as const }));
  const sentOf = (p: NomadPlan): NomadSent => ({ kind: p.kind, fileName: p.fileName, bytes: p.source.size, files: p.files });
  // The same command (same API, same paths) remembers the upload it made: not with --upload ID.
  const remembers = opts.upload === undefined;
  if (input.dryRun) {
    const notes: string[] = [];
    let own: Remembered | undefined;
    const cred = remembers && !opts.newUpload ? ((await ports.login({ optional: true })) as DepositLogin | null) : null;
    if (cred) {
      try {
        own = await consultRemembered(context(ports, input, opts, plan, cred));
      } catch (err) {
        // A dry run needs no login: one that does not work costs only the look at the earlier upload.
        if (!(err instanceof AuthRequiredError || err instanceof AuthDeniedError)) throw err;
        notes.push(`NOMAD did not accept the login (${err.message.replace(/\.$/, '')}): rdp cannot look at an upload this command made before (a new upload is assumed).`);
      }
    } else if (remembers && !opts.newUpload) {
      notes.push('Not logged in to NOMAD: rdp cannot look at an upload this command made before (a new upload is assumed).');
    }
    return {
      provider: 'nomad',
      dryRun: true,
      id: opts.upload ?? own?.upload.uploadId ?? null,
      url: null,
      doi: null,
      published: own?.upload.published ?? false,
      upload: opts.upload ?? own?.upload.uploadId ?? null,
      reuse: own ? (own.mode === 'steps' ? 'steps-only' : 'nothing-to-send') : null,
      name: opts.upload || own ? null : (opts.name ?? plan.defaultName),
      publish: Boolean(opts.publish),
      sent: sentOf(plan),
      files,
      skipped: plan.skipped,
      bytesSent: 0,
      notes,
    };
  }
  if (plan.skipped.length) io.info(`Left out of the upload: ${countLeftOut(plan.skipped)} (--dry-run lists them, with the reason).`);
  const cred = (await ports.login()) as DepositLogin;
  checkTokenLife(ports.log, cred, ports.clock.now());
  const c = context(ports, input, opts, plan, cred);
  const { nomad, page } = c;
  const checkHint = (id: string) => `Check it with \`rdp uploads list --on nomad\` or at ${page(id)}.`;
  const publishDirectly = Boolean(opts.publish && !opts.wait);
  const own = remembers && !opts.newUpload ? await consultRemembered(c) : undefined;

  const { source } = plan;
  let sent = 0;
  let upload: NomadUpload;
  let how: NomadDeposit['uploadAction'];
  if (own) {
    upload = own.upload;
    how = 'reused';
    if (own.mode === 'same') {
      io.info(`Upload ${upload.uploadId}, which this command made on ${own.entry.created.slice(0, 16).replace('T', ' ')}, holds these files already: nothing to send (--new-upload makes a separate upload).`);
    }
  } else {
    io.info(`Sending ${describePlan(plan)} to NOMAD at ${cred.endpoints.host}${opts.upload ? `, into upload ${opts.upload}` : ''}.`);
    const progress = new TransferProgress(ports.terminal, { verb: 'Uploading', totalBytes: source.size, totalItems: 1 });
    try {
      progress.begin(source.label, source.size);
      const body = {
        source,
        fileName: plan.fileName,
        onProgress: (n: number) => {
          sent = n;
          progress.update(source.label, n);
        },
        onRestart: () => progress.restart(source.label, 'the connection was cut'),
        // Sent whole and consistent, but older than the disk now: the upload goes on, with a warning.
        onChanged: (err: Error) => io.warn(`${err.message.replace(/\.$/, '')} after its bytes were sent: NOMAD has the content from before the change. Upload again to send the new content.`),
      };
      if (opts.upload) {
        upload = await nomad.addToUpload(opts.upload, '', body);
        how = 'existing';
      } else {
        const made = await createUploadOnce(
          { ports, nomad, key: c.key, remember: true, selection: plan.selection },
          body,
          { uploadName: opts.name ?? plan.defaultName, embargoLength: opts.embargo, publishDirectly },
          () => progress.restart(source.label, 'no upload was made'),
        );
        upload = made.upload;
        how = made.adopted ? 'adopted' : 'created';
        // The upload holds these files now: the same command goes on with it.
        await ports.state.rememberDraft(c.key, { id: upload.uploadId }, plan.selection);
      }
      progress.complete(source.label);
    } catch (err) {
      if (err instanceof CancelledError) {
        const safe = sent < source.size;
        throw new CancelledError('Interrupted.', {
          hint: safe
            ? `The transfer did not finish, so NOMAD keeps none of it${opts.upload ? ` and upload ${opts.upload} is unchanged` : ''}. Run the command again to start over.`
            : `NOMAD may have received everything before the interruption: ${opts.upload ? 'check `rdp uploads list --on nomad` before sending it again' : 'run the same command again (it uses the upload NOMAD made, if it made one)'}.`,
        });
      }
      throw err;
    } finally {
      progress.end();
    }
  }

  const id = upload.uploadId;
  const result = (u: NomadUpload): NomadDeposit => ({
    provider: 'nomad',
    dryRun: false,
    id: u.uploadId,
    url: page(u.uploadId),
    doi: null,
    files,
    skipped: plan.skipped,
    bytesSent: how === 'reused' ? 0 : source.size,
    notes: [],
    uploadId: u.uploadId,
    uploadAction: how,
    name: u.name,
    processStatus: u.processStatus,
    processRunning: u.processRunning,
    entries: u.entries,
    published: u.published,
    embargoLength: u.embargoLength,
    errors: u.errors,
    warnings: u.warnings,
    sent: sentOf(plan),
  });
  // stdout gets the id as soon as NOMAD has the bytes (SPEC.md): a wait that is interrupted, times out or
  // ends in a processing failure still leaves it to `id=$(rdp upload …)`. --json prints it in the document.
  ports.announce(id);
  io.info(`Upload ${id}${upload.name ? ` (${upload.name})` : ''}: ${page(id)}`);
  // Published by this command before, with steps after publishing still missing: those follow (the workflow runs them).
  if (own?.mode === 'steps') return result(upload);

  if (!opts.wait) {
    if (how === 'reused' && opts.publish && !upload.processRunning && upload.processStatus === 'SUCCESS') {
      upload = await nomad.publish(id, opts.embargo);
      io.info(`NOMAD is publishing it. ${checkHint(id)}`);
    } else if (how === 'reused') {
      io.info(`${upload.processRunning ? 'NOMAD is processing it' : `Its processing ended: ${upload.processStatus}`}. ${checkHint(id)}`);
    } else {
      io.info(`NOMAD is processing it${publishDirectly ? ' and publishes it if processing succeeds' : ''}. ${checkHint(id)}`);
    }
    return result(upload);
  }

  const deadline = timeoutMs === undefined ? undefined : ports.clock.now() + timeoutMs;
  // A reused upload whose processing ended long ago is not waited for.
  if (how !== 'reused' || upload.processRunning) {
    upload = await waitForProcess(ports, nomad, upload, { process: 'process_upload', verb: 'Processing', deadline, checkHint: checkHint(id) });
  }
  reportProcessing(ports, upload);
  if (upload.processStatus === 'FAILURE') {
    const first = upload.errors[0] ?? upload.lastStatusMessage ?? 'processing failed';
    const more = upload.errors.length > 1 ? ` (and ${upload.errors.length - 1} more error${upload.errors.length > 2 ? 's' : ''})` : '';
    throw new FailureError('NOMAD_PROCESSING_FAILED', `NOMAD could not process upload ${id}: ${first}${more}`, {
      hint: remembers
        ? `Fix the data, delete the failed upload at ${page(id)}, and run the same command again (or add --new-upload and delete it later).`
        : `Fix the data and upload it again. The failed upload stays unpublished; delete it at ${page(id)}.`,
      details: { uploadId: id, errors: upload.errors, warnings: upload.warnings },
    });
  }

  if (opts.publish) {
    const publishing = await nomad.publish(id, opts.embargo);
    upload = await waitForProcess(ports, nomad, publishing, { process: 'publish_upload', verb: 'Publishing', deadline, checkHint: checkHint(id) });
    if (!upload.published) {
      throw new FailureError('NOMAD_PUBLISH_FAILED', `NOMAD did not publish upload ${id}: ${upload.errors[0] ?? upload.lastStatusMessage ?? upload.processStatus}`, {
        hint: `The upload is processed but unpublished; try again, or publish it at ${page(id)}.`,
        details: { uploadId: id, errors: upload.errors },
      });
    }
    if (remembers) await ports.state.rememberPublished(c.key, { id });
    io.success(`Published upload ${id}${upload.embargoLength > 0 ? ` under an embargo of ${upload.embargoLength} months` : ''}.`);
  } else {
    io.info(`Not published yet: check the entries at ${page(id)}, then \`rdp publish ${id} --on nomad\` (or run this command again with --publish).`);
  }
  return result(upload);
}

/** What the remembered-upload checks need for this run. */
function context(ports: DepositPorts, input: DepositInput, opts: NomadOptions & { publish: boolean }, plan: NomadPlan, cred: DepositLogin) {
  const nomad = new NomadClient(cred.http);
  return {
    ports,
    input,
    opts,
    nomad,
    key: uploadKey('nomad', cred.http.base, input.cwd, input.paths, { kind: 'record' }),
    host: cred.endpoints.host,
    page: (id: string) => `${cred.endpoints.web}/user/uploads/upload/id/${id}`,
    selection: plan.selection,
  };
}

/**
 * Human output on stdout at the end: a dry run's plan, or nothing: the upload id alone was printed as soon
 * as NOMAD had the bytes (everything else goes to stderr), for `id=$(rdp upload …)`.
 */
export function renderNomadUpload(r: NomadDeposit | NomadDryRun): string {
  if (!r.dryRun) return '';
  const lines = ['Dry run: nothing was sent to NOMAD.'];
  for (const n of r.notes) lines.push(`note        ${n}`);
  if (r.reuse === 'nothing-to-send') {
    lines.push(`would send  nothing: upload ${r.upload}, which this command made, holds these files already`);
    if (r.publish) lines.push('then        publish it once processing succeeds');
    return lines.join('\n');
  }
  if (r.reuse === 'steps-only') {
    lines.push(`would send  nothing: this command published upload ${r.upload} already; only the steps after publishing that are missing would run`);
    return lines.join('\n');
  }
  const into = r.upload ? `into upload ${r.upload}` : `as a new upload named ${JSON.stringify(r.name)}`;
  lines.push(
    r.sent.kind === 'archive'
      ? `would send  ${r.sent.fileName} (${formatBytes(r.sent.bytes)}) as it is, ${into}`
      : `would send  ${r.sent.files} file${r.sent.files === 1 ? '' : 's'} as one zip, ${r.sent.fileName} (${formatBytes(r.sent.bytes)}), ${into}`,
  );
  if (r.publish) lines.push('then        publish it once processing succeeds');
  const SHOW = 200;
  const w = Math.max(4, ...r.files.slice(0, SHOW).map((f) => shownName(f.name).length));
  for (const f of r.files.slice(0, SHOW)) lines.push(`  ${shownName(f.name).padEnd(w + 2)}${formatBytes(f.size).padStart(9)}`);
  if (r.files.length > SHOW) lines.push(`  … and ${r.files.length - SHOW} more (--json lists every file)`);
  if (r.skipped.length) {
    lines.push(`left out    ${r.skipped.length} (not sent):`);
    const sw = Math.max(...r.skipped.map((x) => shownName(x.path).length));
    for (const x of r.skipped) lines.push(`  ${shownName(x.path).padEnd(sw + 2)}${x.why}`);
  }
  return lines.join('\n');
}
