// ORCID iDs (providers.md 4.6): 16 characters in four groups, the last an ISO 7064 MOD 11-2 check
// character over the first 15 digits. Accepts the bare form and the https://(sandbox.)orcid.org/ URI.

export function orcidCheckChar(digits15: string): string {
  let total = 0;
  for (const ch of digits15) total = (total + Number(ch)) * 2;
  const c = (12 - (total % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

export type OrcidParse = { ok: true; id: string } | { ok: false; reason: string };

export function parseOrcid(input: string): OrcidParse {
  let s = input.trim();
  const m = /^(?:https?:\/\/)?(?:www\.)?(?:sandbox\.)?orcid\.org\/(.+)$/i.exec(s);
  if (m?.[1]) s = m[1].replace(/\/+$/, '');
  const compact = s.replace(/-/g, '').toUpperCase();
  if (!/^\d{15}[\dX]$/.test(compact)) {
    return { ok: false, reason: 'an ORCID iD has 16 characters like 0000-0002-1825-0097' };
  }
  if (s.includes('-') && !/^\d{4}-\d{4}-\d{4}-\d{3}[\dXx]$/.test(s)) {
    return { ok: false, reason: 'an ORCID iD is written in four groups of four, like 0000-0002-1825-0097' };
  }
  const expected = orcidCheckChar(compact.slice(0, 15));
  if (compact[15] !== expected) {
    return { ok: false, reason: `its check character should be ${expected}, not ${compact[15]} (a typo?)` };
  }
  const id = `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}-${compact.slice(12)}`;
  return { ok: true, id };
}
