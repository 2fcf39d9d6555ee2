// What `rdp dmps get` accepts as a plan: the numeric id, a DMPTool URL that contains it (the API's or
// the website's), or the plan's DMP ID, a DOI, in any form people copy it.
import { UsageError } from '../../errors/errors.js';
import { bareDoi, planIdInUrl, safeDecode } from './types.js';

export type PlanRef =
  | { kind: 'id'; id: number; /** The host of a pasted URL, to warn when it is not the configured one. */ host?: string | undefined }
  | { kind: 'doi'; doi: string };

export const PLAN_REF_FORMS = [
  '89799',
  'https://dmptool.org/plans/89799',
  'https://dmptool.org/api/v2/plans/89799',
  'https://doi.org/10.48321/D1ABCD',
  'doi:10.48321/D1ABCD',
  '10.48321/D1ABCD',
];

export function parsePlanRef(input: string): PlanRef {
  const raw = input.trim().replace(/^<(.*)>$/, '$1');
  if (/^\d+$/.test(raw)) {
    const id = Number(raw);
    if (Number.isSafeInteger(id) && id > 0) return { kind: 'id', id };
  }
  const doi = bareDoi(raw);
  if (doi) return { kind: 'doi', doi };
  if (/^https?:\/\//i.test(raw)) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (url) {
      // The DMP ID landing page: https://dmptool.org/dmps/10.48321/D1ABCD (or …/dmps/doi.org/10.…).
      const landing = /\/dmps\/(?:(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/.+)$/i.exec(safeDecode(url.pathname));
      const fromLanding = landing?.[1] ? bareDoi(landing[1]) : undefined;
      if (fromLanding) return { kind: 'doi', doi: fromLanding };
      const id = planIdInUrl(`${url.pathname}`);
      if (id !== undefined) return { kind: 'id', id, host: url.host };
    }
  }
  throw new UsageError(`"${input}" is not a DMPTool plan id, plan URL or DMP ID.`, {
    hint: `Give the plan's number or what you copied from DMPTool, for example: ${PLAN_REF_FORMS.join(', ')}.`,
  });
}
