import { describe, expect, test } from 'vitest';
import { createNonce, createPkce, createState, pkceChallenge, safeEqual } from '../../../src/auth/pkce.js';

describe('PKCE, state, nonce', () => {
  test('S256 challenge of the RFC 7636 appendix B example', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  test('a verifier has 43 unreserved characters and a matching challenge; every call is fresh', () => {
    const a = createPkce();
    const b = createPkce();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.method).toBe('S256');
    expect(a.challenge).toBe(pkceChallenge(a.verifier));
    expect(a.verifier).not.toBe(b.verifier);
  });

  test('state and nonce are long random strings', () => {
    const states = new Set(Array.from({ length: 50 }, () => createState()));
    expect(states.size).toBe(50);
    for (const s of states) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createNonce()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test('safeEqual compares whole strings only', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(null, 'abc')).toBe(false);
    expect(safeEqual('abc', undefined)).toBe(false);
  });
});
