// `rdp upload <path>... --to nomad`: check everything that can be checked locally, send one archive
// as it is or stream one zip built on the fly, then wait for NOMAD's processing, report entries,
// errors and warnings, and publish with --publish.
import { AuthRequiredError, CancelledError, FailureError } from '../../../errors/errors.js';
import { formatBytes, formatDuration } from '../../../output/format.js';
import { TransferProgress } from '../../../output/progress.js';
import type { Log } from '../../../ports.js';
import { checkExcludes, countLeftOut } from '../../../transfer/selection.js';
import { jwtExpiry } from '../../../util/jwt.js';
import type { Deposit, DepositInput, DepositLogin, DepositPorts } from '../../types.js';
import { NomadClient, type NomadUpload } from '../client.js';
import type { NomadOptions } from './options.js';
import { type NomadPlan, planNomadUpload } from './plan.js';
import { waitForProcess } from './wait.js';

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
  /** The upload the files would go into (--upload), else a new one named `name`. */
  upload: string | null;
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
  if (input.dryRun) {
    return {
      provider: 'nomad',
      dryRun: true,
      id: opts.upload ?? null,
      url: null,
      doi: null,
      published: false,
      upload: opts.upload ?? null,
      name: opts.upload ? null : (opts.name ?? plan.defaultName),
      publish: Boolean(opts.publish),
      sent: sentOf(plan),
      files,
      skipped: plan.skipped,
      bytesSent: 0,
      notes: [],
    };
  }
  if (plan.skipped.length) io.info(`Left out of the upload: ${countLeftOut(plan.skipped)} (--dry-run lists them, with the reason).`);
  const cred = (await ports.login()) as DepositLogin;
  checkTokenLife(ports.log, cred, ports.clock.now());
  const nomad = new NomadClient(cred.http);
  const page = (id: string) => `${cred.endpoints.web}/user/uploads/upload/id/${id}`;
  const checkHint = (id: string) => `Check it with \`rdp uploads list --on nomad\` or at ${page(id)}.`;
  const publishDirectly = Boolean(opts.publish && !opts.wait);

  io.info(`Sending ${describePlan(plan)} to NOMAD at ${cred.endpoints.host}${opts.upload ? `, into upload ${opts.upload}` : ''}.`);
  const { source } = plan;
  const progress = new TransferProgress(ports.terminal, { verb: 'Uploading', totalBytes: source.size, totalItems: 1 });
  let sent = 0;
  let upload: NomadUpload;
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
    upload = opts.upload
      ? await nomad.addToUpload(opts.upload, '', body)
      : await nomad.createUpload(body, { uploadName: opts.name ?? plan.defaultName, embargoLength: opts.embargo, publishDirectly });
    progress.complete(source.label);
  } catch (err) {
    if (err instanceof CancelledError) {
      const safe = sent < source.size;
      throw new CancelledError('Interrupted.', {
        hint: safe
          ? `The transfer did not finish, so NOMAD keeps none of it${opts.upload ? ` and upload ${opts.upload} is unchanged` : ''}. Run the command again to start over.`
          : 'NOMAD may have received everything before the interruption: check `rdp uploads list --on nomad` before sending it again.',
      });
    }
    throw err;
  } finally {
    progress.end();
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
    bytesSent: source.size,
    notes: [],
    uploadId: u.uploadId,
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

  if (!opts.wait) {
    io.info(`NOMAD is processing it${publishDirectly ? ' and publishes it if processing succeeds' : ''}. ${checkHint(id)}`);
    return result(upload);
  }

  const deadline = timeoutMs === undefined ? undefined : ports.clock.now() + timeoutMs;
  upload = await waitForProcess(ports, nomad, upload, { process: 'process_upload', verb: 'Processing', deadline, checkHint: checkHint(id) });
  reportProcessing(ports, upload);
  if (upload.processStatus === 'FAILURE') {
    const first = upload.errors[0] ?? upload.lastStatusMessage ?? 'processing failed';
    const more = upload.errors.length > 1 ? ` (and ${upload.errors.length - 1} more error${upload.errors.length > 2 ? 's' : ''})` : '';
    throw new FailureError('NOMAD_PROCESSING_FAILED', `NOMAD could not process upload ${id}: ${first}${more}`, {
      hint: `Fix the data and upload it again. The failed upload stays unpublished; delete it at ${page(id)}.`,
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
    io.success(`Published upload ${id}${upload.embargoLength > 0 ? ` under an embargo of ${upload.embargoLength} months` : ''}.`);
  } else {
    io.info(`Not published yet: check the entries at ${page(id)}, then publish there (or upload with --publish).`);
  }
  return result(upload);
}

/**
 * Human output on stdout at the end: a dry run's plan, or nothing: the upload id alone was printed as soon
 * as NOMAD had the bytes (everything else goes to stderr), for `id=$(rdp upload …)`.
 */
export function renderNomadUpload(r: NomadDeposit | NomadDryRun): string {
  if (!r.dryRun) return '';
  const lines = ['Dry run: nothing was sent to NOMAD.'];
  const into = r.upload ? `into upload ${r.upload}` : `as a new upload named ${JSON.stringify(r.name)}`;
  lines.push(
    r.sent.kind === 'archive'
      ? `would send  ${r.sent.fileName} (${formatBytes(r.sent.bytes)}) as it is, ${into}`
      : `would send  ${r.sent.files} file${r.sent.files === 1 ? '' : 's'} as one zip, ${r.sent.fileName} (${formatBytes(r.sent.bytes)}), ${into}`,
  );
  if (r.publish) lines.push('then        publish it once processing succeeds');
  const SHOW = 200;
  const w = Math.max(4, ...r.files.slice(0, SHOW).map((f) => f.name.length));
  for (const f of r.files.slice(0, SHOW)) lines.push(`  ${f.name.padEnd(w + 2)}${formatBytes(f.size).padStart(9)}`);
  if (r.files.length > SHOW) lines.push(`  … and ${r.files.length - SHOW} more (--json lists every file)`);
  if (r.skipped.length) {
    lines.push(`left out    ${r.skipped.length} (not sent):`);
    const sw = Math.max(...r.skipped.map((x) => x.path.length));
    for (const x of r.skipped) lines.push(`  ${x.path.padEnd(sw + 2)}${x.why}`);
  }
  return lines.join('\n');
}
