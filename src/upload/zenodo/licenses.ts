// License ids Zenodo accepts: SPDX identifiers (Zenodo's vocabulary uses them in lower case, e.g.
// cc-by-4.0, mit, apache-2.0) and the legacy ids of the deposit API (cc-by, cc-zero, …). The SPDX list
// comes from the spdx-license-ids package, so an unknown id is caught before anything is uploaded.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** Legacy Zenodo / Open Definition ids still accepted by the deposit API. */
const LEGACY = [
  'cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nc-nd', 'cc-zero', 'cc-nc', 'odc-by', 'odc-odbl',
  'odc-pddl', 'other-open', 'other-at', 'other-pd', 'other-nc', 'other-closed', 'notspecified',
];

let known: Set<string> | undefined;

function ids(): Set<string> {
  if (!known) {
    const spdx = load('spdx-license-ids') as string[];
    const deprecated = load('spdx-license-ids/deprecated.json') as string[];
    known = new Set([...spdx, ...deprecated, ...LEGACY].map((s) => s.toLowerCase()));
  }
  return known;
}

/** The id as Zenodo spells it (lower case), or undefined when it is not a license id Zenodo knows. */
export function normalizeLicense(value: string): string | undefined {
  let v = value.trim();
  // Accept SPDX URLs too (https://spdx.org/licenses/CC-BY-4.0.html), as CITATION.cff users write them.
  const m = /^https?:\/\/spdx\.org\/licenses\/([^/?#]+?)(?:\.html|\.json)?$/i.exec(v);
  if (m?.[1]) v = m[1];
  const lower = v.toLowerCase();
  return ids().has(lower) ? lower : undefined;
}
