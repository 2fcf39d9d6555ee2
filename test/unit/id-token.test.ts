// OpenID id_token verification (node:crypto only): what must pass and every way it must fail.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { IdTokenError, type Jwk, jwksKeys, verifyIdToken } from '../../src/auth/id-token.js';

const ISS = 'https://orcid.org';
const AUD = 'APP-0000000000000000';
const NONCE = 'the-nonce-rdp-sent';
let keys: Jwk[];
let privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'];
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const h = b64({ alg: 'RS256', kid: 'k1', ...header });
  const p = b64({ iss: ISS, aud: AUD, sub: '0000-0002-1825-0097', exp: now + 600, iat: now, nonce: NONCE, ...claims });
  return `${h}.${p}.${sign('RSA-SHA256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}
const want = { issuer: ISS, audience: AUD, nonce: NONCE };
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IdTokenError);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
};

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  keys = [{ ...(pair.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'k1', use: 'sig', alg: 'RS256' }];
});

describe('verifyIdToken', () => {
  test('a good token passes and returns its claims (iss with a trailing slash, aud as a list too)', () => {
    expect(verifyIdToken(token(), keys, want).sub).toBe('0000-0002-1825-0097');
    expect(verifyIdToken(token({ iss: `${ISS}/`, aud: [AUD] }), keys, want).aud).toEqual([AUD]);
    expect(verifyIdToken(token({}, { kid: undefined }), keys, want)).toBeTruthy();
  });

  test('a changed payload breaks the signature', () => {
    const [h, , s] = token().split('.');
    const forged = `${h}.${b64({ iss: ISS, aud: AUD, sub: '0000-0001-5109-3700', exp: 9e9, nonce: NONCE })}.${s}`;
    expect(reason(() => verifyIdToken(forged, keys, want))).toMatch(/signature does not verify/);
  });

  test('only RS256: "none" and HS256 (with the public key as the secret) are refused', () => {
    const p = b64({ iss: ISS, aud: AUD, exp: 9e9, nonce: NONCE });
    expect(reason(() => verifyIdToken(`${b64({ alg: 'none' })}.${p}.`, keys, want))).toMatch(/not RS256/);
    const h = b64({ alg: 'HS256', kid: 'k1' });
    const mac = createHmac('sha256', JSON.stringify(keys[0])).update(`${h}.${p}`).digest('base64url');
    expect(reason(() => verifyIdToken(`${h}.${p}.${mac}`, keys, want))).toMatch(/not RS256/);
  });

  test.each([
    [{ iss: 'https://sandbox.orcid.org' }, /issued by "https:\/\/sandbox.orcid.org"/],
    [{ aud: 'APP-OTHER' }, /another client \(aud\)/],
    [{ aud: ['APP-OTHER', AUD], azp: 'APP-OTHER' }, /another client \(azp\)/],
    [{ exp: Math.floor(Date.now() / 1000) - 3600 }, /has expired/],
    [{ exp: undefined }, /no expiry/],
    [{ iat: Math.floor(Date.now() / 1000) + 3600 }, /in the future/],
    [{ nonce: 'another-nonce' }, /nonce is not the one rdp sent/],
    [{ nonce: undefined }, /nonce is not the one rdp sent/],
  ])('claims %j are refused', (claims, why) => {
    expect(reason(() => verifyIdToken(token(claims), keys, want))).toMatch(why);
  });

  test('an unknown kid, no keys, or a token that is not a JWT are refused', () => {
    expect(reason(() => verifyIdToken(token({}, { kid: 'k2' }), keys, want))).toMatch(/no RS256 key "k2"/);
    expect(reason(() => verifyIdToken(token(), [], want))).toMatch(/no RS256 key/);
    expect(reason(() => verifyIdToken('abc.def', keys, want))).toMatch(/not a signed JWT/);
    expect(reason(() => verifyIdToken('a+b.c.d', keys, want))).toMatch(/not a signed JWT/);
  });

  test('JWKS documents: the keys wrapper, a single key object, or nothing usable', () => {
    expect(jwksKeys({ keys })).toHaveLength(1);
    expect(jwksKeys(keys[0])).toHaveLength(1);
    expect(jwksKeys({ hello: 1 })).toEqual([]);
    expect(jwksKeys(null)).toEqual([]);
  });
});
