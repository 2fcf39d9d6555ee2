// The step machinery of `rdp publish` (SPEC.md, "Publish and close the loop"): a chain of steps
// (publish the deposit, link the DMP, add the ORCID work, add the Zotero item, write the DOI, NOMAD's
// dataset and DOI), each run at most once per record. Every outcome is written to a journal,
// $XDG_STATE_HOME/rdp/publish.json, right when the step ends, so that the same command after a failure
// or Ctrl-C performs only what is missing:
//   done      the step did its work now
//   already   the result existed: on the service (409 from ORCID, an identifier already on the plan),
//             or recorded by an earlier run (then `from` is 'journal' and the step is not run at all)
//   skipped   not done, with the reason (a missing permission, a step it needs did not complete);
//             not final: the next run tries again
//   failed    the step threw; recorded with the error, tried again next run
// A step that is interrupted (the AbortSignal fires and its promise rejects) is not recorded: the
// next run does it again, and each step checks the service before it acts, so that is safe. The
// journal is only ever replaced whole (atomic rename), and all its read-modify-writes go through
// updateJournalFile(), under the journal's file lock. This module never prints; it reports
// through its return value and the `onStep` callback. Timestamps come from an injected clock.
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';
import { CancelledError, isAbortError, RdpError } from '../errors/errors.js';
import { withFileLock } from '../util/file-lock.js';
import { readJsonFile, writeJsonFile } from '../util/json-file.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type StepStatus = 'done' | 'already' | 'skipped' | 'failed';

/**
 * Why a step was skipped (a report's `code`): not errors, so not in src/errors/codes.ts. A skip is
 * not final; the next run tries the step again.
 */
export const SKIP_CODES = [
  'NEEDS_PREVIOUS_STEP', // a step it needs did not complete
  'NEEDS_LOGIN', // no login to the service the link goes to
  'NEEDS_EDIT_DMPS', // DMPTool: the login lacks edit_dmps (granted by an administrator)
  'NEEDS_ORCID_MEMBER', // ORCID: a public client's login; works need a member client
  'NEEDS_ORCID_SCOPE', // ORCID: a member login without /activities/update
  'NOT_A_DMPTOOL_PLAN', // --dmp names a DMP kept elsewhere
  'PUBLISHED', // the record is published, so its files or metadata stay as they are
  'NO_RESERVED_DOI', // the draft has no reserved DOI to write
  'NO_DOI', // the service published the record without a DOI (a site that mints none): nothing to link
  'NO_CITATION_FILE', // --write-doi: no CITATION.cff to write into
] as const;

/** What a step's `run` returns (a failure is thrown). */
export type StepResult =
  | { status: 'done' | 'already'; detail?: JsonObject | undefined }
  | { status: 'skipped'; reason: string; code?: string | undefined; detail?: JsonObject | undefined };

export interface StepError {
  code: string;
  message: string;
  hint?: string | undefined;
  /** The exit code the error carries (1 failure, 2 usage, 4 auth), for the caller's exit status. */
  exitCode: number;
}

/** One step's outcome in this run, for --json and the human summary. */
export interface StepReport {
  id: string;
  status: StepStatus;
  /** 'journal': completed by an earlier run, not run now. */
  from: 'run' | 'journal';
  /** When the outcome was recorded (ISO 8601). */
  at: string;
  detail?: JsonObject | undefined;
  /** skipped: why, and a stable code. */
  reason?: string | undefined;
  code?: string | undefined;
  /** failed: what went wrong. */
  error?: StepError | undefined;
  /** failed: the error itself (not serialised). */
  cause?: unknown;
}

/** A step as recorded in the journal. */
export interface JournalStep {
  status: StepStatus;
  at: string;
  /** How many times the step ran for this record. */
  attempts: number;
  detail?: JsonObject | undefined;
  reason?: string | undefined;
  code?: string | undefined;
  error?: StepError | undefined;
}

export interface StepContext {
  signal: AbortSignal;
  /** The outcomes so far (this run and, for steps not run now, the journal), by step id. */
  results: ReadonlyMap<string, StepReport>;
  /** What the journal holds for this step from an earlier run (a failure or a skip). */
  previous?: JournalStep | undefined;
}

export interface Step {
  id: string;
  /** Steps that must be done (or already) for this one to run; otherwise it is skipped. */
  needs?: readonly string[] | undefined;
  run(ctx: StepContext): Promise<StepResult>;
  /**
   * Read-only: whether what the step makes exists on the service already (NOMAD: the dataset has its
   * DOI). Asked before a question about the step, so that a re-run does not ask for what is done.
   */
  exists?(): Promise<boolean>;
}

interface JournalRecord {
  updated: string;
  steps: Record<string, JournalStep>;
}

export interface JournalFile {
  version: 1;
  records: Record<string, JournalRecord>;
}

/** Where the journal lives: $XDG_STATE_HOME/rdp/publish.json. */
export function journalPath(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'publish.json');
}

function parseJournal(doc: unknown): JournalFile {
  const d = doc as Partial<JournalFile> | undefined;
  return d && d.version === 1 && d.records && typeof d.records === 'object' && !Array.isArray(d.records) ? (d as JournalFile) : { version: 1, records: {} };
}

/** The whole journal (an absent file is empty; an unreadable one throws). */
export async function readJournalFile(path: string): Promise<JournalFile> {
  return parseJournal(await readJsonFile<unknown>(path, undefined));
}

/**
 * The one read-modify-write of the journal: read it, let `change` edit it, write it back atomically.
 * A journal that cannot be read is started afresh (its steps are then checked on the services again).
 * Holds the journal's file lock for the whole read-modify-write.
 */
export async function updateJournalFile(path: string, change: (journal: JournalFile) => void): Promise<void> {
  // Under the file's lock (util/file-lock.ts): two rdp runs publishing at the same time (a CI matrix)
  // both keep their entries. A journal that cannot be parsed is started afresh.
  await withFileLock(path, async () => {
    let journal: JournalFile;
    try {
      journal = await readJournalFile(path);
    } catch {
      journal = { version: 1, records: {} };
    }
    change(journal);
    await writeJsonFile(path, journal);
  });
}

export interface RunStepsOptions {
  /** What the steps act on, e.g. `zenodo:zenodo.org:1234567` (the caller builds it; no secrets). */
  record: string;
  steps: readonly Step[];
  /** The journal file (journalPath(env)). */
  journal: string;
  clock: Clock;
  signal: AbortSignal;
  /** Called as each step ends (the caller shows progress). */
  onStep?: ((report: StepReport) => void) | undefined;
}

export interface RunStepsResult {
  steps: StepReport[];
  /** Problems with the journal (it could not be read or written); the run itself went on. */
  warnings: string[];
}

const FINAL: ReadonlySet<StepStatus> = new Set(['done', 'already']);

function stepError(err: unknown): StepError {
  if (err instanceof RdpError) return { code: err.code, message: err.message, hint: err.hint, exitCode: err.exitCode };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}

/**
 * Run `steps` in order for `record`. Steps completed by an earlier run are reported `already` (from
 * the journal) without running; a failed step does not stop the steps after it (those that need it
 * are skipped). On Ctrl-C the journal keeps what completed, and CancelledError is thrown with the
 * reports so far in `details.steps`.
 */
export async function runSteps(opts: RunStepsOptions): Promise<RunStepsResult> {
  const ids = new Set<string>();
  for (const s of opts.steps) {
    if (ids.has(s.id)) throw new Error(`internal: two steps are called ${s.id}`);
    ids.add(s.id);
  }
  const warnings: string[] = [];
  const reports: StepReport[] = [];
  const results = new Map<string, StepReport>();
  const iso = () => new Date(opts.clock.now()).toISOString();

  let recorded: Record<string, JournalStep> = {};
  try {
    recorded = (await readJournalFile(opts.journal)).records[opts.record]?.steps ?? {};
  } catch (err) {
    warnings.push(`${(err as Error).message} rdp checks every step on the services again.`);
  }

  const write = async (id: string, entry: Omit<JournalStep, 'attempts'>, ran: boolean) => {
    try {
      await updateJournalFile(opts.journal, (j) => {
        const rec = (j.records[opts.record] ??= { updated: entry.at, steps: {} });
        const before = rec.steps[id];
        rec.steps[id] = { ...entry, attempts: (before?.attempts ?? 0) + (ran ? 1 : 0) };
        rec.updated = entry.at;
      });
    } catch (err) {
      warnings.push(`Could not record step ${id} in ${opts.journal} (${(err as Error).message}); a re-run checks it on the service again.`);
    }
  };

  const finish = (report: StepReport) => {
    reports.push(report);
    results.set(report.id, report);
    opts.onStep?.(report);
  };

  const interrupted = () =>
    new CancelledError('Interrupted.', {
      hint: 'Run the same command again: the steps that completed are recorded and are not repeated.',
      details: { steps: reports.map(({ cause: _c, ...r }) => r) },
    });

  for (const step of opts.steps) {
    if (opts.signal.aborted) throw interrupted();
    const previous = recorded[step.id];
    if (previous && FINAL.has(previous.status)) {
      finish({ id: step.id, status: 'already', from: 'journal', at: previous.at, detail: previous.detail });
      continue;
    }
    const missing = (step.needs ?? []).find((n) => !FINAL.has(results.get(n)?.status ?? 'skipped'));
    if (missing !== undefined) {
      const at = iso();
      const reason = `${missing} did not complete`;
      await write(step.id, { status: 'skipped', at, reason, code: 'NEEDS_PREVIOUS_STEP' }, false);
      finish({ id: step.id, status: 'skipped', from: 'run', at, reason, code: 'NEEDS_PREVIOUS_STEP' });
      continue;
    }
    let result: StepResult;
    try {
      result = await step.run({ signal: opts.signal, results, previous });
    } catch (err) {
      if (opts.signal.aborted || isAbortError(err)) throw interrupted();
      const at = iso();
      const error = stepError(err);
      await write(step.id, { status: 'failed', at, error }, true);
      finish({ id: step.id, status: 'failed', from: 'run', at, error, cause: err });
      continue;
    }
    const at = iso();
    if (result.status === 'skipped') {
      await write(step.id, { status: 'skipped', at, reason: result.reason, code: result.code, detail: result.detail }, true);
      finish({ id: step.id, status: 'skipped', from: 'run', at, reason: result.reason, code: result.code, detail: result.detail });
    } else {
      await write(step.id, { status: result.status, at, detail: result.detail }, true);
      finish({ id: step.id, status: result.status, from: 'run', at, detail: result.detail });
    }
  }
  return { steps: reports, warnings };
}

/** Whether the journal holds a final outcome (done, already) of this step for `record`. */
export async function recordedDone(journal: string, record: string, step: string): Promise<boolean> {
  const status = (await recordedSteps(journal, record))[step]?.status;
  return status !== undefined && FINAL.has(status);
}

/** What an earlier run recorded for a record (for `rdp publish` to show, or to pick up a detail). */
export async function recordedSteps(journal: string, record: string): Promise<Record<string, JournalStep>> {
  return (await readJournalFile(journal)).records[record]?.steps ?? {};
}
