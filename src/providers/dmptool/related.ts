// The DMP side of `--dmp`: the plan gets the dataset's DOI as a related identifier
// (`POST /api/v2/related_identifiers`, `is_referenced_by`, `work_type: dataset`; providers.md 0.2 and
// test/contract/dmptool/related-identifiers.json). It needs `edit_dmps`, which DMPTool grants only
// through an administrator: without it the answer is 403 with an empty body, reported here as the
// typed outcome `needs-scope` (the caller warns and goes on), not as an error.
// Re-runs are safe: the plan is read first and a DOI it already lists counts as `already`; DMPTool
// itself skips an identifier it has (by exact value), so a retried POST cannot add it twice. Identifiers
// are compared by DOI, never by descriptor: DMPTool stores every identifier it is sent as `documents`.
import { AuthDeniedError, FailureError, NotFoundError } from '../../errors/errors.js';
import { parseJson } from '../../http/errors.js';
import type { HttpClient } from '../../http/client.js';
// The descriptor's refusal reader, through the list (lazy code reaches the descriptors only there, so
// that they stay one chunk loaded with the command tree).
import { getProvider } from '../index.js';
import { DmptoolClient } from './client.js';
import { arr, bareDoi, isEnvelope, isObj, sameDoi, str } from './types.js';

export const EDIT_DMPS = 'edit_dmps';
export const RELATED_IDENTIFIERS_PATH = '/api/v2/related_identifiers';

export type PlanLinkOutcome =
  | { outcome: 'done'; planId: number; identifier: string }
  | { outcome: 'already'; planId: number; identifier: string }
  | {
      outcome: 'needs-scope';
      planId: number;
      scope: typeof EDIT_DMPS;
      /** What to tell the user (the caller prints; exit stays 0). */
      message: string;
      hint: string;
    };

export interface PlanLinkInput {
  planId: number;
  /** The dataset's DOI in any usual form (`10.x/y`, `doi:…`, `https://doi.org/…`). */
  doi: string;
}

/** The request body DMPTool expects (section 0.2): the plan by its API URL, the DOI as a DOI URL. */
export function relatedIdentifierBody(base: string, planId: number, doi: string): Record<string, unknown> {
  return {
    dmp: {
      dmp_id: { type: 'url', identifier: `${base.replace(/\/+$/, '')}/api/v2/plans/${planId}` },
      dmproadmap_related_identifiers: [{ descriptor: 'is_referenced_by', type: 'doi', work_type: 'dataset', identifier: `https://doi.org/${doi}` }],
    },
  };
}

/** Whether a plan document (`{"dmp": {...}}`) lists this DOI among its related identifiers. */
export function planListsDoi(document: unknown, doi: string): boolean {
  const dmp = isObj(document) && isObj(document.dmp) ? document.dmp : undefined;
  return arr(dmp?.dmproadmap_related_identifiers).some((r) => {
    const id = isObj(r) ? str(r.identifier) : null;
    const bare = id ? bareDoi(id) : undefined;
    return bare !== undefined && sameDoi(bare, doi);
  });
}

function needsScope(planId: number): PlanLinkOutcome {
  return {
    outcome: 'needs-scope',
    planId,
    scope: EDIT_DMPS,
    message: `DMPTool did not let rdp add the dataset DOI to plan ${planId}: the login lacks the ${EDIT_DMPS} scope.`,
    hint: `DMPTool grants ${EDIT_DMPS} only when one of its administrators enables it for your API client. Once it is enabled, run \`rdp login dmptool --scope ${EDIT_DMPS}\` and the same command again; or add the DOI to the plan on dmptool.org.`,
  };
}

/**
 * Add `doi` to plan `planId` as `is_referenced_by` / `dataset`. `done` when added now, `already` when
 * the plan lists it, `needs-scope` without edit_dmps. Throws NotFoundError for an unknown plan and an
 * RdpError for anything else.
 */
export async function linkDatasetToPlan(http: HttpClient, input: PlanLinkInput): Promise<PlanLinkOutcome> {
  const doi = bareDoi(input.doi);
  if (!doi) throw new FailureError('BAD_DOI', `"${input.doi}" is not a DOI, so rdp cannot add it to DMPTool plan ${input.planId}.`);
  const identifier = `https://doi.org/${doi}`;
  const { planId } = input;

  // Look first: a DOI already on the plan is `already`. A token that may not read the plan (no
  // read_dmps) cannot look; then the POST decides.
  try {
    const plan = await new DmptoolClient(http).plan(planId);
    if (planListsDoi(plan.document, doi)) return { outcome: 'already', planId, identifier };
  } catch (err) {
    if (!(err instanceof AuthDeniedError && err.code === 'AUTH_SCOPE')) throw err;
  }

  const req = { method: 'POST', path: RELATED_IDENTIFIERS_PATH, json: relatedIdentifierBody(http.base, planId, doi), scopes: [EDIT_DMPS], retry: 'always' } as const;
  // DMPTool skips an identifier the plan has, so repeating the POST after a lost answer is harmless.
  const res = await http.raw(req);
  const text = await http.text(res).catch(() => '');
  if (res.status === 201 || res.status === 200) {
    const data = parseJson(text);
    if (!isEnvelope(data)) throw http.badResponse(res.status, text.slice(0, 300), res.headers);
    if (!planListsDoi(arr(data.items)[0], doi)) {
      throw new FailureError('DMPTOOL_LINK_UNCONFIRMED', `DMPTool accepted the dataset DOI for plan ${planId} but does not list it on the plan.`, {
        hint: `Check the plan on DMPTool; run the same command again to retry.`,
      });
    }
    return { outcome: 'done', planId, identifier };
  }
  if (res.status === 403) {
    const failure = getProvider('dmptool').auth.classify(403, { message: text.trim() || 'HTTP 403' }, res.headers);
    if (failure?.kind === 'scope') return needsScope(planId);
  }
  if (res.status === 404 && isEnvelope(parseJson(text))) {
    throw new NotFoundError(`Plan not found: DMPTool (${new URL(http.base).host}) has no plan ${planId} that this login can change.`, {
      hint: 'Run `rdp dmps list` to see your plans and their ids.',
      details: { id: planId },
    });
  }
  const err = http.errorFor(res.status, text, res.headers, req);
  if (res.status === 500) {
    Object.defineProperty(err, 'hint', {
      value: `DMPTool could not store the identifier (it answers 500 for a relation or type outside its vocabulary, and for its own failures). The dataset itself is fine; run the same command again later, or add the DOI to plan ${planId} on dmptool.org.`,
    });
  }
  throw err;
}
