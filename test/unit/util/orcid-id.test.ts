import { describe, expect, test } from 'vitest';
import { orcidCheckChar, parseOrcid } from '../../../src/util/orcid-id.js';

describe('ORCID iD checksum (ISO 7064 MOD 11-2)', () => {
  test.each(['0000-0002-1825-0097', '0000-0001-5109-3700', '0000-0002-1694-233X', '0000-0001-2345-6789'])('%s is valid', (id) => {
    expect(parseOrcid(id)).toEqual({ ok: true, id });
  });

  test('check characters are computed over the first 15 digits', () => {
    expect(orcidCheckChar('000000021825009')).toBe('7');
    expect(orcidCheckChar('000000021694233')).toBe('X');
  });

  test('URI forms, sandbox, a lowercase x and the compact form are accepted and normalised', () => {
    expect(parseOrcid('https://orcid.org/0000-0002-1825-0097')).toEqual({ ok: true, id: '0000-0002-1825-0097' });
    expect(parseOrcid('https://sandbox.orcid.org/0000-0002-1694-233x/')).toEqual({ ok: true, id: '0000-0002-1694-233X' });
    expect(parseOrcid('0000000218250097')).toEqual({ ok: true, id: '0000-0002-1825-0097' });
  });

  test.each([
    ['0000-0002-1825-0098', /check character should be 7/],
    ['0000-0002-1825-009', /16 characters/],
    ['0000-0002-18250-097', /four groups/],
    ['abcd-0002-1825-0097', /16 characters/],
    ['', /16 characters/],
  ])('%s is refused', (id, reason) => {
    const r = parseOrcid(id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
