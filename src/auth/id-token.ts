// Verifying an OpenID Connect id_token (ORCID, providers.md 4.3/4.4) with `jose`: the RS256 signature
// against the provider's JWKS (the key named by `kid`; RSA keys of at least 2048 bits), `iss`, `aud`,
// `exp`, `iat` (not in the future, at most a day old), then rdp's own checks: `azp` when there are
// several audiences, and the `nonce` rdp sent (compared in constant time). Anything but RS256 (alg
// "none", HS256 with the public key as secret, a key of another type) is refused before any key is
// looked at. Failures are IdTokenError, saying what is wrong in rdp's words.
import { createLocalJWKSet, decodeProtectedHeader, errors, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { safeEqual } from './pkce.js';

export type Jwk = JWK;

export interface IdTokenExpectations {
  /** The issuer, or the issuers accepted (the expected one and the one the discovery document names). */
  issuer: string | string[];
  audience: string;
  nonce: string;
  /** Allowed clock difference, seconds. */
  skewSeconds?: number;
  /** Now, epoch milliseconds (the login's clock). */
  now?: number;
}

export class IdTokenError extends Error {}

/** The keys of a JWKS document: `{"keys": [...]}`, or a single key object (providers.md 4.4). */
export function jwksKeys(doc: unknown): Jwk[] {
  if (!doc || typeof doc !== 'object') return [];
  const keys = (doc as { keys?: unknown }).keys;
  if (Array.isArray(keys)) return keys.filter((k): k is Jwk => Boolean(k) && typeof k === 'object');
  if ((doc as Jwk).kty) return [doc as Jwk];
  return [];
}

const strip = (u: string) => u.replace(/\/+$/, '');

/** Verify and return the claims; throws IdTokenError saying what is wrong. */
export async function verifyIdToken(token: string, keys: Jwk[], want: IdTokenExpectations): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new IdTokenError('it is not a signed JWT');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new IdTokenError('its header is not a JSON object');
  }
  if (header.alg !== 'RS256') throw new IdTokenError(`it is signed with ${String(header.alg)}, not RS256`);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const rsa = keys.filter((k) => k.kty === 'RSA');
  const jwks = createLocalJWKSet({ keys: rsa });
  // The issuer as configured, with or without a trailing slash (ORCID's discovery document has none).
  const issuers = (Array.isArray(want.issuer) ? want.issuer : [want.issuer]).flatMap((i) => [strip(i), `${strip(i)}/`]);
  const options = {
    algorithms: ['RS256'],
    issuer: issuers,
    audience: want.audience,
    requiredClaims: ['exp'],
    maxTokenAge: '1d',
    clockTolerance: want.skewSeconds ?? 120,
    currentDate: new Date(want.now ?? Date.now()),
  };
  let claims: JWTPayload;
  try {
    claims = (await jwtVerify(token, jwks, options)).payload;
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw explain(err, kid);
    // Several keys fit (no kid): the token is good if one of them verifies it.
    let verified: JWTPayload | undefined;
    let last: unknown = err;
    for await (const key of err as unknown as AsyncIterable<import('node:crypto').KeyObject>) {
      try {
        verified = (await jwtVerify(token, key, options)).payload;
        break;
      } catch (e) {
        last = e;
      }
    }
    if (!verified) throw explain(last, kid);
    claims = verified;
  }
  const aud = claims.aud;
  if (Array.isArray(aud) && aud.length > 1 && claims.azp !== undefined && claims.azp !== want.audience) {
    throw new IdTokenError('it was issued for another client (azp)');
  }
  if (typeof claims.nonce !== 'string' || !safeEqual(claims.nonce, want.nonce)) throw new IdTokenError('its nonce is not the one rdp sent');
  return claims as Record<string, unknown>;
}

/** jose's verdict in rdp's words. */
function explain(err: unknown, kid: string | undefined): IdTokenError {
  if (err instanceof errors.JWKSNoMatchingKey) return new IdTokenError(kid ? `the provider's JWKS has no RS256 key "${kid}"` : "the provider's JWKS has no RS256 key");
  if (err instanceof errors.JWSSignatureVerificationFailed) return new IdTokenError("its signature does not verify with the provider's key");
  if (err instanceof errors.JWTExpired) return new IdTokenError(err.claim === 'iat' ? 'it was issued too long ago (iat)' : 'it has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const claims = (err.payload ?? {}) as Record<string, unknown>;
    if (err.reason === 'missing' && err.claim === 'exp') return new IdTokenError('it has no expiry (exp)');
    if (err.reason === 'missing') return new IdTokenError(`it has no ${err.claim} claim`);
    if (err.claim === 'iss') return new IdTokenError(`it was issued by ${JSON.stringify(claims.iss)}, which is not the provider`);
    if (err.claim === 'aud') return new IdTokenError('it was issued for another client (aud)');
    if (err.claim === 'iat') return new IdTokenError('it was issued in the future (iat)');
    return new IdTokenError(`its ${err.claim} claim is not acceptable`);
  }
  if (err instanceof errors.JOSEError) return new IdTokenError(`it is not a valid signed JWT (${err.message})`);
  return new IdTokenError(`it cannot be verified (${err instanceof Error ? err.message : String(err)})`);
}
