// A DMP reference (`--dmp`: the data management plan behind the data) as the identifier a deposit
// links: read the way `rdp dmps get` reads a plan (./ref.ts): a DMP DOI in any form is used as it is;
// a DMPTool plan number or URL is looked up (GET /api/v2/plans/{id}) for the plan's dmp_id (which
// needs a DMPTool login); another URL (a DMP hosted elsewhere) is linked as given.
import { UsageError } from '../../errors/errors.js';
import type { HttpClient } from '../../http/client.js';
import type { Log } from '../../ports.js';
import { DmptoolClient } from './client.js';
import { parsePlanRef } from './ref.js';

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

export { DmptoolClient, MAX_PER_PAGE, type Page } from './client.js';
export { PdfCheck, PdfCheckError } from './pdf-check.js';
export { parsePlanRef, type PlanRef } from './ref.js';
export { privacyNote, renderPlan, renderPlans, renderTemplates } from './render.js';
export { num } from './types.js';
