// --dmp ID: the data management plan behind the data, as a related identifier of the record:
//   {identifier: <the DMP's DOI, or its URL>, relation: "isDocumentedBy",
//    resource_type: "publication-datamanagementplan"}
// ("this dataset is documented by that DMP", DataCite's relation for it). The ID is read the way
// `rdp dmps get` reads it (src/dmps/ref.ts): a DMP DOI in any form is used as it is; a DMPTool plan
// number or URL is looked up (GET /api/v2/plans/{id}) for the plan's dmp_id. Another URL (a DMP
// hosted elsewhere) is linked as given.
import { apiClient, requireCredential } from '../../auth/credentials.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors/errors.js';
import { parsePlanRef } from './ref.js';
import { DmptoolClient } from './client.js';
import type { Metadata } from '../zenodo/deposit/metadata.js';

export const DMP_RELATION = 'isDocumentedBy';
export const DMP_RESOURCE_TYPE = 'publication-datamanagementplan';

export function dmpRelated(identifier: string): Metadata {
  return { identifier, relation: DMP_RELATION, resource_type: DMP_RESOURCE_TYPE };
}

/** The related identifier for `--dmp`. */
export async function dmpIdentifier(ctx: Context, value: string): Promise<Metadata> {
  let ref: ReturnType<typeof parsePlanRef>;
  try {
    ref = parsePlanRef(value);
  } catch (err) {
    if (/^https?:\/\/\S+$/i.test(value.trim())) return dmpRelated(value.trim());
    throw new UsageError(`--dmp needs a DMP ID (a DOI such as 10.48321/D1ABCD), a DMPTool plan number or URL, or the DMP's URL, not "${value}".`, { cause: err });
  }
  if (ref.kind === 'doi') return dmpRelated(ref.doi);
  const client = new DmptoolClient(await apiClient(ctx, await requireCredential(ctx, 'dmptool')));
  const plan = await client.plan(ref.id);
  const id = plan.summary.doi ?? plan.summary.dmpId?.identifier;
  if (!id) throw new UsageError(`DMPTool plan ${ref.id} has no DMP ID to link.`, { hint: 'Pass the DMP DOI with --dmp instead.' });
  if (!plan.summary.doi) ctx.io.warn(`Plan ${ref.id} has no registered DMP ID (DOI); linking its URL (${id}) instead.`);
  return dmpRelated(id);
}
