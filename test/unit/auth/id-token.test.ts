// OpenID id_token verification (jose, plus rdp's own azp and nonce checks): what must pass and every
// way it must fail. The time is the login's clock (given), not the test's.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { IdTokenError, type Jwk, jwksKeys, verifyIdToken } from '../../../src/auth/id-token.js';

const ISS = 'https://orcid.org';
const AUD = 'APP-0000000000000000';
const NONCE = 'the-nonce-rdp-sent';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const nowS = Math.floor(NOW / 1000);
let keys: Jwk[];
let privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'];
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const h = b64({ alg: 'RS256', kid: 'k1', ...header });
  const p = b64({ iss: ISS, aud: AUD, sub: '0000-0002-1825-0097', exp: nowS + 600, iat: nowS, nonce: NONCE, ...claims });
  return `${h}.${p}.${sign('RSA-SHA256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}
const want = { issuer: ISS, audience: AUD, nonce: NONCE, now: NOW };
const reason = async (p: Promise<unknown>) => {
  try {
    await p;
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
  test('a good token passes and returns its claims (iss with a trailing slash, aud as a list too)', async () => {
    expect((await verifyIdToken(token(), keys, want)).sub).toBe('0000-0002-1825-0097');
    expect((await verifyIdToken(token({ iss: `${ISS}/`, aud: [AUD] }), keys, want)).aud).toEqual([AUD]);
    expect(await verifyIdToken(token({}, { kid: undefined }), keys, want)).toBeTruthy();
  });

  test('without a kid, the key that verifies it is found among several', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Jwk;
    const two = [{ ...other, use: 'sig' }, { ...(keys[0] as Jwk), kid: undefined }];
    expect((await verifyIdToken(token({}, { kid: undefined }), two, want)).sub).toBe('0000-0002-1825-0097');
  });

  test('a changed payload breaks the signature', async () => {
    const [h, , s] = token().split('.');
    const forged = `${h}.${b64({ iss: ISS, aud: AUD, sub: '0000-0001-5109-3700', exp: 9e9, iat: nowS, nonce: NONCE })}.${s}`;
    expect(await reason(verifyIdToken(forged, keys, want))).toMatch(/signature does not verify/);
  });

  test('only RS256: "none" and HS256 (with the public key as the secret) are refused', async () => {
    const p = b64({ iss: ISS, aud: AUD, exp: 9e9, nonce: NONCE });
    expect(await reason(verifyIdToken(`${b64({ alg: 'none' })}.${p}.`, keys, want))).toMatch(/not RS256/);
    const h = b64({ alg: 'HS256', kid: 'k1' });
    const mac = createHmac('sha256', JSON.stringify(keys[0])).update(`${h}.${p}`).digest('base64url');
    expect(await reason(verifyIdToken(`${h}.${p}.${mac}`, keys, want))).toMatch(/not RS256/);
  });

  test.each([
    [{ iss: 'https://sandbox.orcid.org' }, /issued by "https:\/\/sandbox.orcid.org"/],
    [{ aud: 'APP-OTHER' }, /another client \(aud\)/],
    [{ aud: ['APP-OTHER', AUD], azp: 'APP-OTHER' }, /another client \(azp\)/],
    [{ exp: nowS - 3600 }, /has expired/],
    [{ exp: undefined }, /no expiry/],
    [{ iat: nowS + 3600 }, /in the future/],
    [{ iat: nowS - 3 * 86400 }, /too long ago/],
    [{ nonce: 'another-nonce' }, /nonce is not the one rdp sent/],
    [{ nonce: undefined }, /nonce is not the one rdp sent/],
  ])('claims %j are refused', async (claims, why) => {
    expect(await reason(verifyIdToken(token(claims), keys, want))).toMatch(why);
  });

  test('the clock is the login clock: a token valid now is expired an hour later', async () => {
    expect(await reason(verifyIdToken(token(), keys, { ...want, now: NOW + 3600_000 }))).toMatch(/has expired/);
  });

  test('an unknown kid, no keys, or a token that is not a JWT are refused', async () => {
    expect(await reason(verifyIdToken(token({}, { kid: 'k2' }), keys, want))).toMatch(/no RS256 key "k2"/);
    expect(await reason(verifyIdToken(token(), [], want))).toMatch(/no RS256 key/);
    expect(await reason(verifyIdToken('abc.def', keys, want))).toMatch(/not a signed JWT/);
    expect(await reason(verifyIdToken('a+b.c.d', keys, want))).toMatch(/not a signed JWT/);
  });

  test('JWKS documents: the keys wrapper, a single key object, or nothing usable', () => {
    expect(jwksKeys({ keys })).toHaveLength(1);
    expect(jwksKeys(keys[0])).toHaveLength(1);
    expect(jwksKeys({ hello: 1 })).toEqual([]);
    expect(jwksKeys(null)).toEqual([]);
  });
});
