// A DMP reference (`--dmp`: the data management plan behind the data) as the identifier a deposit
// links: read the way `rdp dmps get` reads a plan (./ref.ts): a DMP DOI in any form is used as it is;
// a DMPTool plan number or URL is looked up (GET /api/v2/plans/{id}) for the plan's dmp_id (which
// needs a DMPTool login); another URL (a DMP hosted elsewhere) is linked as given.
import { FailureError, NotFoundError, UsageError } from '../../errors/errors.js';
import type { HttpClient } from '../../http/client.js';
import type { Log } from '../../ports.js';
import type { LinkOutcome } from '../types.js';
import { DmptoolClient } from './client.js';
import { parsePlanRef } from './ref.js';
import { linkDatasetToPlan } from './related.js';

export async function dmpReference(value: string, http: () => Promise<HttpClient>, log: Log, flag: string): Promise<string> {
  let ref: ReturnType<typeof parsePlanRef>;
  try {
    ref = parsePlanRef(value);
  } catch (err) {
    if (/^https?:\/\/\S+$/i.test(value.trim())) return value.trim();
    throw new UsageError(`${flag} needs a DMP ID (a DOI such as 10.48321/D1ABCD), a DMPTool plan number or URL, or the DMP's URL, not "${value}".`, { cause: err });
  }
  if (ref.kind === 'doi') return ref.doi;
  const client = new DmptoolClient(await http());
  const plan = await client.plan(ref.id);
  const id = plan.summary.doi ?? plan.summary.dmpId?.identifier;
  if (!id) throw new UsageError(`DMPTool plan ${ref.id} has no DMP ID to link.`, { hint: `Pass the DMP DOI with ${flag} instead.` });
  if (!plan.summary.doi) log.warn(`Plan ${ref.id} has no registered DMP ID (DOI); linking its URL (${id}) instead.`);
  return id;
}

/**
 * The other direction of `--dmp` (a link step of `rdp publish`): the plan named by `value` gets the
 * record's DOI as a related identifier (./related.ts). A DMP ID is looked up among the plans the login
 * can see; a URL of a DMP hosted elsewhere cannot be changed by rdp (`refused`, with what to do).
 */
export async function linkDataset(http: HttpClient, value: string, doi: string, log: Log, flag: string): Promise<LinkOutcome> {
  let ref: ReturnType<typeof parsePlanRef>;
  try {
    ref = parsePlanRef(value);
  } catch {
    return {
      outcome: 'refused',
      code: 'NOT_A_DMPTOOL_PLAN',
      message: `${flag} ${value} is not a DMPTool plan, so rdp cannot add the dataset DOI to it.`,
      hint: `Add https://doi.org/${doi} to the plan where it is kept.`,
    };
  }
  const client = new DmptoolClient(http);
  let planId: number;
  if (ref.kind === 'id') planId = ref.id;
  else {
    const hit = await client.findPlanByDoi(ref.doi);
    if (!hit) {
      throw new NotFoundError(`Plan not found: none of the plans this DMPTool login can see has the DMP ID ${ref.doi}.`, {
        hint: `Give the plan's number with ${flag} (\`rdp dmps list\` shows them), or add https://doi.org/${doi} to the plan on DMPTool.`,
        details: { doi: ref.doi },
      });
    }
    if (hit.id === null) {
      throw new FailureError('NO_PLAN_ID', `DMPTool lists the plan with DMP ID ${ref.doi} ("${hit.title}") without a link that gives its number.`, {
        hint: `Give the plan's number with ${flag} (the number in its address, …/plans/123).`,
      });
    }
    log.info(`DMP ID ${ref.doi} is plan ${hit.id}.`);
    planId = hit.id;
  }
  const r = await linkDatasetToPlan(http, { planId, doi });
  if (r.outcome === 'needs-scope') return { outcome: 'refused', code: 'NEEDS_EDIT_DMPS', message: r.message, hint: r.hint };
  return { outcome: r.outcome, detail: { planId, identifier: r.identifier } };
}

export { DmptoolClient, MAX_PER_PAGE, type Page } from './client.js';
export { PdfCheck, PdfCheckError } from './pdf-check.js';
export { parsePlanRef, type PlanRef } from './ref.js';
export { privacyNote, renderPlan, renderPlans, renderTemplates } from './render.js';
export { num } from './types.js';
