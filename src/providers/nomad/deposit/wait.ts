// Waiting for one of NOMAD's asynchronous processes (processing an upload, publishing it) to end:
// GET /uploads/{id} with a growing interval (0.25 s, then x1.5 up to 5 s), a spinner showing
// `process_status` and `last_status_message` on a terminal, plain lines (only when they change) in CI.
// Tolerant of servers that are slow to report the process they were asked for: READY (nothing run
// yet) right after a request, or the previous process still shown, counts as "not started yet" for
// a short grace period.
import type { DepositPorts } from '../../types.js';
import { CancelledError, FailureError, RdpError } from '../../../errors/errors.js';
import { formatDuration } from '../../../output/format.js';
import { startStatus } from '../../../output/spinner.js';
import type { NomadClient, NomadUpload } from '../client.js';

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5000;
/** How long a process may take to show up after the request that started it. */
const START_GRACE_MS = 15_000;

export interface WaitOptions {
  /** Which process: `process_upload` or `publish_upload`. */
  process: 'process_upload' | 'publish_upload';
  /** What the spinner says is going on ("Processing", "Publishing"). */
  verb: string;
  /** Epoch ms after which to give up; undefined = wait until it ends (or Ctrl-C). */
  deadline?: number | undefined;
  /** How the user can look at the upload later (for the timeout and Ctrl-C messages). */
  checkHint: string;
}

function describe(u: NomadUpload): string {
  const msg = u.lastStatusMessage ? ` · ${u.lastStatusMessage}` : '';
  return `${u.processStatus}${msg}`;
}

/** True when the process asked for has ended (see the tolerance note above). */
function ended(u: NomadUpload, process: WaitOptions['process'], sinceStart: number): boolean {
  if (u.processRunning) return false;
  if (sinceStart > START_GRACE_MS) return true;
  if (u.processStatus === 'READY') return false;
  if (u.currentProcess && u.currentProcess !== process) return false;
  if (process === 'publish_upload' && !u.published && u.processStatus !== 'FAILURE') return false;
  return true;
}

export async function waitForProcess(ctx: Pick<DepositPorts, 'terminal' | 'clock' | 'signal'>, nomad: NomadClient, first: NomadUpload, opts: WaitOptions): Promise<NomadUpload> {
  const now = () => ctx.clock.now();
  const started = now();
  const id = first.uploadId;
  const status = await startStatus(ctx.terminal, `${opts.verb} upload ${id} on NOMAD: ${describe(first)}`);
  let upload = first;
  let delay = FIRST_POLL_MS;
  try {
    while (!ended(upload, opts.process, now() - started)) {
      if (opts.deadline !== undefined && now() >= opts.deadline) {
        status.fail(`Still ${opts.verb.toLowerCase()} upload ${id} on NOMAD: ${describe(upload)}`);
        throw new FailureError(
          'NOMAD_TIMEOUT',
          `Gave up waiting after ${formatDuration(now() - started)}: NOMAD is still ${opts.verb.toLowerCase()} upload ${id} (${describe(upload)}).`,
          { hint: `The upload goes on on NOMAD's side. ${opts.checkHint}`, details: { uploadId: id, processStatus: upload.processStatus } },
        );
      }
      const wait = opts.deadline === undefined ? delay : Math.max(0, Math.min(delay, opts.deadline - now()));
      await ctx.clock.sleep(wait, ctx.signal);
      delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
      upload = await nomad.getUpload(id);
      if (upload.processRunning) status.update(`${opts.verb} upload ${id} on NOMAD: ${describe(upload)}`);
    }
  } catch (err) {
    status.stop();
    const goesOn = `Upload ${id} was received; NOMAD goes on with it. ${opts.checkHint}`;
    if (err instanceof CancelledError) throw new CancelledError('Interrupted.', { hint: goesOn });
    if (err instanceof RdpError && err.code !== 'NOMAD_TIMEOUT') {
      // e.g. the token expired while waiting: say that the upload itself is safe
      Object.defineProperty(err, 'hint', { value: [err.hint, goesOn].filter(Boolean).join('\n') });
    }
    throw err;
  }
  const line = `${opts.verb} upload ${id} on NOMAD: ${upload.processStatus} after ${formatDuration(now() - started)}`;
  if (upload.processStatus === 'FAILURE') status.fail(line);
  else status.succeed(line);
  return upload;
}
