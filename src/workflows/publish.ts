// `rdp publish <id> [--on <provider>]`, and the same steps after `rdp upload … --publish` (SPEC.md,
// "Publish and close the loop"). The provider's `publish` capability plans its own steps for the record
// (publish the draft; NOMAD's dataset and DOI); this workflow adds the links to the other services,
// each answered by whichever provider has the capability (`dmp`: the plan gets the DOI; `works`: the
// record as a work; `library`: a library item), and runs them all through src/publish/steps.ts, whose
// journal makes the same command after a failure or Ctrl-C do only what is missing. It returns data (a
// list of steps with their outcome); a failed step makes the run fail after the others ran.
import { apiClient, findLogin, loginCommand, requireCredential } from '../auth/credentials.js';
import type { AuthPorts } from '../auth/ports.js';
import { AuthRequiredError, FailureError, isAbortError, RdpError, UsageError } from '../errors/errors.js';
import { confirm } from '../output/prompt.js';
import { withCapability } from '../providers/index.js';
import type { DepositLogin, LinkOutcome, Provider, PublishInput, PublishLinks, PublishPlan, PublishPorts, PublishTarget } from '../providers/types.js';
import { journalPath, recordedDone, recordedSteps, runSteps, type Step, type StepReport, type StepResult } from '../publish/steps.js';

export type PublishProvider = Provider & { publish: PublishTarget };

export interface PublishRequest {
  target: PublishProvider;
  /** The deposit's id as the user gave it. */
  id: string;
  sandbox: boolean;
  /** The target's own options, as its readOptions returned them. */
  read: unknown;
  links: PublishLinks;
}

export interface PublishWorkflowPorts extends AuthPorts {
  cwd: string;
}

/** One step as reported (--json): its outcome, and why when it was skipped or failed. */
export type PublishStep = Omit<StepReport, 'cause'> & { hint?: string | undefined };

export interface PublishResult {
  provider: string;
  id: string | number;
  url: string | null;
  doi: string | null;
  published: boolean;
  steps: PublishStep[];
  /** Problems with the step journal (the run itself went on). */
  warnings: string[];
}

/** The one provider with a capability (the first, should a site add another). */
function one<K extends 'works' | 'dmp' | 'library'>(cap: K): Provider & Required<Pick<Provider, K>> {
  const p = withCapability(cap)[0];
  if (!p) throw new UsageError(`No provider of this build offers ${cap}.`);
  return p;
}

/** The ids of the link steps the flags ask for. */
export function linkStepIds(links: PublishLinks): string[] {
  return [links.dmp !== undefined ? 'dmp.link' : '', links.orcidWork ? 'orcid.work' : '', links.library ? 'zotero.item' : ''].filter(Boolean);
}

/** Whether the journal lacks a final outcome of one of these link steps for `record`. */
export async function linksUnfinished(env: NodeJS.ProcessEnv, record: string, links: PublishLinks): Promise<boolean> {
  const ids = linkStepIds(links);
  if (!ids.length) return false;
  const steps = await recordedSteps(journalPath(env), record).catch(() => ({}) as Record<string, { status: string }>);
  return ids.some((id) => steps[id]?.status !== 'done' && steps[id]?.status !== 'already');
}

/** The link flags given, for checks. */
export function linksAsked(links: PublishLinks): string[] {
  return [links.dmp !== undefined ? '--dmp' : '', links.orcidWork ? '--orcid-work' : '', links.library ? '--zotero' : ''].filter(Boolean);
}

/**
 * Checks before anything changes: the target takes the link flags given; a permanent action (a DOI)
 * is confirmed on a terminal or by its flag (else exit 2, nothing done), unless `look` makes the plan
 * and it shows the action done already (confirmPermanent); --zotero has a login. Returns the plan
 * when `look` made it (only to answer the question).
 */
export async function checkPublish(
  ports: AuthPorts,
  target: PublishProvider,
  read: unknown,
  links: PublishLinks,
  sandbox: boolean,
  look?: () => Promise<PublishPlan>,
): Promise<PublishPlan | undefined> {
  const asked = linksAsked(links);
  if (asked.length && !target.publish.links) {
    throw new UsageError(`${asked.join(', ')} ${asked.length === 1 ? 'needs' : 'need'} a record with a DOI, which ${target.name} does not publish this way.`, {
      hint: `Leave ${asked.length === 1 ? 'it' : 'them'} out with ${target.name}.`,
    });
  }
  const plan = await confirmPermanent(ports, target, read, look);
  if (links.library) {
    const p = one('library');
    if (!(await findLogin(ports, p, sandbox))) {
      throw new AuthRequiredError(`--zotero needs a ${p.name} login, and there is none. Nothing was changed.`, {
        hint: `Run \`rdp login ${p.id}\` (or set ${envNames(p)}), or leave out --zotero.`,
      });
    }
  }
  return plan;
}

/**
 * The target's question about a permanent action (a DOI), asked before any step runs. With `look`
 * (the record's plan: read-only requests), nobody is asked when the journal records the step done or
 * the step finds its result on the service (a re-run in a script needs no --yes for a DOI that exists).
 * Without a terminal and without the flag, a look that fails ends as before: exit 2, nothing changed;
 * on a terminal its error is the answer (no question about a record rdp cannot read).
 */
async function confirmPermanent(ports: AuthPorts, target: PublishProvider, read: unknown, look?: () => Promise<PublishPlan>): Promise<PublishPlan | undefined> {
  const ask = target.publish.confirm?.(read);
  if (!ask || ask.yes) return undefined;
  let plan: PublishPlan | undefined;
  if (look) {
    try {
      plan = await look();
      if (await doneAlready(ports, plan, ask.step)) return plan;
    } catch (err) {
      if (ports.terminal.canPrompt || isAbortError(err)) throw err;
      ports.log.debug(`before asking: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const yes = await confirm(ports.terminal, ask.question, `Add ${ask.flag} to confirm it in a script, or leave out the flag that asks for it. Nothing was changed.`);
  if (!yes) throw new FailureError('NOT_CONFIRMED', 'Not confirmed: nothing was changed.', { hint: `Run the command again and answer yes, or add ${ask.flag}.` });
  return plan;
}

/** The step is done: recorded in the journal as done (or already), or its result found on the service. */
async function doneAlready(ports: AuthPorts, plan: PublishPlan, stepId: string | undefined): Promise<boolean> {
  const step = stepId === undefined ? undefined : plan.steps.find((s) => s.id === stepId);
  if (!step) return false;
  if (await recordedDone(journalPath(ports.env), plan.record, step.id).catch(() => false)) return true;
  return step.exists ? step.exists() : false;
}

/** The variables that give a CI job this provider's login: `RDP_ORCID_TOKEN and RDP_ORCID_ID`. */
function envNames(p: Provider): string {
  return p.env.user ? `${p.env.token} and ${p.env.user.name}` : p.env.token;
}

export function publishPorts(ports: AuthPorts, target: Provider, sandbox: boolean): PublishPorts {
  return {
    log: ports.log,
    terminal: ports.terminal,
    clock: ports.clock,
    signal: ports.signal,
    async login(): Promise<DepositLogin> {
      const cred = await requireCredential(ports, target, sandbox);
      return { http: await apiClient(ports, cred), endpoints: cred.endpoints, token: cred.token, source: cred.source, envVar: cred.envVar, loginCommand: loginCommand(target, cred.endpoints) };
    },
    async dmpIdentifier(value, flag) {
      const p = one('dmp');
      return (await p.dmp.load()).dmpReference(value, async () => apiClient(ports, await requireCredential(ports, p)), ports.log, flag);
    },
  };
}

/** A link's outcome as a step result: `refused` becomes a skip with its reason and what to do. */
function asStep(r: LinkOutcome): StepResult {
  if (r.outcome === 'refused') return { status: 'skipped', reason: r.message, code: r.code, detail: { hint: r.hint } };
  return { status: r.outcome, detail: r.detail };
}

/** No login for a link: skipped (the record is published; the command still exits 0), with the way to add one. */
function noLogin(p: Provider, what: string, extra = ''): StepResult {
  return {
    status: 'skipped',
    reason: `Not logged in to ${p.name}, so ${what}.`,
    code: 'NEEDS_LOGIN',
    detail: { hint: `Run \`rdp login ${p.id}\` (or set ${envNames(p)}) and the same command again.${extra}` },
  };
}

/** The link steps the flags ask for; each needs the step after which the record has its DOI. */
function linkSteps(ports: AuthPorts, target: Provider, plan: PublishPlan, links: PublishLinks, sandbox: boolean): Step[] {
  const needs = plan.doiStep ? [plan.doiStep] : undefined;
  const record = () => {
    const r = plan.published();
    if (!r) throw new RdpError('INTERNAL', 'The record has no DOI yet.');
    return r;
  };
  // A record the service published without a DOI (an InvenioRDM site that mints none): nothing to link.
  const noDoi = (flag: string): StepResult | undefined =>
    plan.published() || !plan.summary().published
      ? undefined
      : { status: 'skipped', reason: `${target.name} published record ${plan.id} without a DOI, so ${flag} has nothing to link.`, code: 'NO_DOI', detail: { hint: `Reserve a DOI on ${target.name} with the record's next version, then run the same command for that version.` } };
  const steps: Step[] = [];
  if (links.dmp !== undefined) {
    const value = links.dmp;
    steps.push({
      id: 'dmp.link',
      needs,
      run: async () => {
        const none = noDoi('--dmp');
        if (none) return none;
        const p = one('dmp');
        const cred = await findLogin(ports, p);
        if (!cred) return noLogin(p, 'the plan did not get the dataset DOI', ` (adding it needs the ${p.name} scope edit_dmps, which an administrator grants to your API client)`);
        const dmp = await p.dmp.load();
        return asStep(await dmp.linkDataset(await apiClient(ports, cred), value, record().doi, ports.log, '--dmp'));
      },
    });
  }
  if (links.orcidWork) {
    steps.push({
      id: 'orcid.work',
      needs,
      run: async () => {
        const none = noDoi('--orcid-work');
        if (none) return none;
        const p = one('works');
        const cred = await findLogin(ports, p, sandbox);
        const works = await p.works.load();
        if (!cred) {
          return noLogin(
            p,
            'the record was not added to your works',
            ' Adding works needs a Member API login; without one, DataCite adds the work when the creators carry your ORCID iD and you have granted its auto-update.',
          );
        }
        return asStep(await works.addWork(await apiClient(ports, cred, works.worksApi(cred.endpoints.api)), cred.user, record()));
      },
    });
  }
  if (links.library) {
    steps.push({
      id: 'zotero.item',
      needs,
      run: async (): Promise<StepResult> => {
        const none = noDoi('--zotero');
        if (none) return none;
        const p = one('library');
        const cred = await requireCredential(ports, p);
        const r = await (await p.library.load()).addItem(await apiClient(ports, cred), cred.user, record());
        return { status: r.outcome, detail: { key: r.key, userId: r.userId } };
      },
    });
  }
  return steps;
}

/** A step's line on stderr as it ends. */
function tell(ports: AuthPorts, r: StepReport): void {
  const what = `${r.id}: ${r.status}${r.from === 'journal' ? ' (done by an earlier run)' : ''}`;
  if (r.status === 'done' || r.status === 'already') ports.log.success(what);
  else if (r.status === 'skipped') {
    const hint = typeof r.detail?.hint === 'string' ? ` ${r.detail.hint}` : '';
    ports.log.warn(`${r.id} skipped: ${r.reason ?? ''}${hint}`);
    // A failure is the command's error at the end (the one document on stderr with --json).
  } else ports.log.info(`✗ ${r.id} failed: ${r.error?.message ?? ''}`);
}

/** Run a plan's steps and the links; fail (after every step ran) when one failed. */
export async function runPlan(ports: AuthPorts, target: PublishProvider, plan: PublishPlan, links: PublishLinks, sandbox: boolean, opts: { afterUpload?: boolean } = {}): Promise<PublishResult> {
  const steps = [...plan.steps, ...linkSteps(ports, target, plan, links, sandbox)];
  // After `upload --publish`, which has said "Published …", the publish step's "already" says it twice.
  const told = (r: StepReport) => !(opts.afterUpload && r.id === 'publish' && r.status === 'already');
  const run = await runSteps({ record: plan.record, steps, journal: journalPath(ports.env), clock: ports.clock, signal: ports.signal, onStep: (r) => told(r) && tell(ports, r) });
  for (const w of run.warnings) ports.log.warn(w);
  const out: PublishStep[] = run.steps.map(({ cause: _cause, ...r }) => r);
  const s = plan.summary();
  // A DOI a step made (NOMAD's dataset DOI) may be known only from the journal.
  const stepDoi = [...out].reverse().find((r) => typeof r.detail?.doi === 'string' && r.detail.doi !== '')?.detail?.doi as string | undefined;
  const result: PublishResult = { provider: target.id, id: plan.id, url: s.url, doi: s.doi ?? stepDoi ?? null, published: s.published, steps: out, warnings: run.warnings };
  const failed = run.steps.filter((r) => r.status === 'failed');
  if (failed.length) {
    const first = failed[0] as StepReport;
    const code = failed.length === 1 && first.error ? first.error.code : 'PUBLISH_INCOMPLETE';
    const message =
      failed.length === 1
        ? `Step ${first.id} failed: ${first.error?.message ?? 'unknown error'}`
        : `${failed.length} steps failed: ${failed.map((f) => `${f.id} (${f.error?.message ?? 'unknown error'})`).join('; ')}`;
    const hints = [failed.length === 1 ? first.error?.hint : undefined, 'Run the same command again: the steps that completed are recorded, and only what is missing is done.'];
    throw new RdpError(code as RdpError['code'], message, { hint: hints.filter(Boolean).join('\n'), details: { ...result } as unknown as Record<string, unknown> });
  }
  return result;
}

/** `rdp publish <id> --on <provider>`. */
export async function runPublish(ports: PublishWorkflowPorts, req: PublishRequest): Promise<PublishResult> {
  const input: PublishInput = { id: req.id, sandbox: req.sandbox, cwd: ports.cwd, read: req.read, links: req.links, afterUpload: false };
  // The record is looked at (read only) before a question about it: a DOI minted already is not asked for again.
  const look = async () => (await req.target.publish.load()).plan(publishPorts(ports, req.target, req.sandbox), input);
  const plan = (await checkPublish(ports, req.target, req.read, req.links, req.sandbox, look)) ?? (await look());
  return runPlan(ports, req.target, plan, req.links, req.sandbox);
}
