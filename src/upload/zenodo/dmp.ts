// --dmp ID: the data management plan behind the data, as a related identifier of the record:
//   {identifier: <the DMP's DOI or URL>, relation: "isDocumentedBy",
//    resource_type: "publication-datamanagementplan"}
// ("this dataset is documented by that DMP", DataCite's relation for it). A DMP DOI or URL is used as
// given; a numeric DMPTool plan id is looked up (GET /api/v2/plans/{id}) for the plan's dmp_id.
import { apiClient, requireCredential } from '../../auth/session.js';
import type { Context } from '../../context.js';
import { ApiError, FailureError, NotFoundError, UsageError } from '../../errors.js';
import type { Metadata } from './metadata.js';

export const DMP_RELATION = 'isDocumentedBy';
export const DMP_RESOURCE_TYPE = 'publication-datamanagementplan';

/** A DOI in any of its usual spellings, as the bare `10.x/y`; undefined when it is not one. */
export function bareDoi(value: string): string | undefined {
  const m = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(value.trim());
  return m?.[1];
}

export function dmpRelated(identifier: string): Metadata {
  return { identifier, relation: DMP_RELATION, resource_type: DMP_RESOURCE_TYPE };
}

/** The related identifier for `--dmp`. */
export async function dmpIdentifier(ctx: Context, value: string): Promise<Metadata> {
  const v = value.trim();
  const doi = bareDoi(v);
  if (doi) return dmpRelated(doi);
  if (/^https?:\/\/\S+$/i.test(v)) return dmpRelated(v);
  if (/^\d+$/.test(v)) return dmpRelated(await planDmpId(ctx, v));
  throw new UsageError(`--dmp needs a DMP DOI (10.48321/D1…), its URL, or a DMPTool plan id, not "${value}".`);
}

/** The dmp_id of a DMPTool plan (providers.md 3.6); the plan's API URL when it has no DMP ID. */
export async function planDmpId(ctx: Context, planId: string): Promise<string> {
  const cred = await requireCredential(ctx, 'dmptool');
  const http = await apiClient(ctx, cred);
  let data: unknown;
  try {
    ({ data } = await http.json<unknown>({ method: 'GET', path: `/api/v2/plans/${encodeURIComponent(planId)}` }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      throw new NotFoundError(`DMPTool has no plan ${planId} that you can see.`, { hint: 'Check the id with `rdp dmps list`, or pass the DMP DOI instead.' });
    }
    throw err;
  }
  const items = (data as { items?: unknown })?.items;
  const dmp = Array.isArray(items) ? (items[0] as { dmp?: { dmp_id?: { identifier?: unknown; type?: unknown } } } | undefined)?.dmp : undefined;
  const id = dmp?.dmp_id?.identifier;
  if (typeof id !== 'string' || !id) {
    throw new FailureError('BAD_RESPONSE', `DMPTool's answer for plan ${planId} has no dmp_id.`, { hint: 'Pass the DMP DOI with --dmp instead.' });
  }
  const doi = bareDoi(id);
  if (!doi) ctx.io.warn(`Plan ${planId} has no registered DMP ID; linking its URL (${id}) instead.`);
  return doi ?? id;
}
