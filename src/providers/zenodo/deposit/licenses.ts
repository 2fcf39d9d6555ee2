// License ids as Zenodo takes them: its own list of legacy ids and aliases (zenodo-licenses.ts), case-
// insensitive, not all of SPDX. `cc-by` is CC BY 4.0 and `cc-zero` CC0; `cc-by-nc` and the other
// Creative Commons ids without a version are refused by Zenodo, so rdp refuses them first.
import { ZENODO_ANSWERED_AS, ZENODO_LICENSES } from './zenodo-licenses.js';

/** The licence Zenodo would give a record for this id (what rdp sends), or undefined: Zenodo refuses it. */
export function normalizeLicense(value: string): string | undefined {
  let v = value.trim();
  // Accept SPDX URLs too (https://spdx.org/licenses/CC-BY-4.0.html), as CITATION.cff users write them.
  const m = /^https?:\/\/spdx\.org\/licenses\/([^/?#]+?)(?:\.html|\.json)?$/i.exec(v);
  if (m?.[1]) v = m[1];
  return ZENODO_LICENSES[v.toLowerCase()];
}

/** The licence a `metadata.license` read back from Zenodo stands for (it answers in legacy spelling). */
export function licenseFromZenodo(answered: string): string {
  const lower = answered.trim().toLowerCase();
  return ZENODO_ANSWERED_AS[lower] ?? ZENODO_LICENSES[lower] ?? lower;
}

/** A few ids close to `value` that Zenodo knows (for "did you mean"). */
export function licenseSuggestions(value: string): string[] {
  const v = value.trim().toLowerCase();
  if (/^cc-by(-nc)?(-nd|-sa)?$/.test(v)) return [`${v}-4.0`];
  const head = v.split('-')[0] ?? v;
  const canon = new Set(Object.values(ZENODO_LICENSES));
  return [...canon].filter((id) => head.length >= 2 && id.startsWith(head)).slice(0, 4);
}
