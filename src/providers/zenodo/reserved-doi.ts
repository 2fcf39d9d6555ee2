// The DOIs `--write-doi` writes before the files are sent (providers.md 0.1,
// test/contract/zenodo/prereserve.json): every Zenodo draft carries `metadata.prereserve_doi`, the DOI
// publishing will mint (`10.5281/zenodo.<id>`); the concept DOI is the parent's, the same form with the
// concept record id. A new-version draft already shows `conceptdoi`; a first draft does not, so it is
// derived from the reserved DOI's prefix and `conceptrecid`.
import type { Deposition } from './types.js';

export interface ReservedDois {
  /** The concept DOI (all versions). */
  concept: string;
  /** This version's DOI, minted on publish. */
  version: string;
}

/** The DOIs of a draft, or undefined when the server did not reserve one (or gave no concept id). */
export function reservedDois(d: Pick<Deposition, 'reservedDoi' | 'doi' | 'conceptDoi' | 'conceptrecid'>): ReservedDois | undefined {
  const version = d.doi ?? d.reservedDoi;
  if (!version) return undefined;
  if (d.conceptDoi) return { concept: d.conceptDoi, version };
  const m = /^(10\.\d+\/zenodo\.)\d+$/i.exec(version);
  if (!m?.[1] || !d.conceptrecid || !/^\d+$/.test(d.conceptrecid)) return undefined;
  return { concept: `${m[1]}${d.conceptrecid}`, version };
}
