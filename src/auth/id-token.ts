// Verifying an OpenID Connect id_token (ORCID, providers.md 4.3/4.4) with node:crypto alone: an RS256
// signature checked against the provider's JWKS (the key named by `kid`), then `iss`, `aud`, `exp`,
// `iat` and the `nonce` rdp sent. Anything else (alg "none", HS256 with the public key as secret, a
// key of another type) is refused.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { safeEqual } from './pkce.js';

export interface Jwk extends JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
}

export interface IdTokenExpectations {
  /** The issuer, or the issuers accepted (the expected one and the one the discovery document names). */
  issuer: string | string[];
  audience: string;
  nonce: string;
  /** Allowed clock difference, seconds. */
  skewSeconds?: number;
  now?: number;
}

export class IdTokenError extends Error {}

function b64json(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new IdTokenError(`its ${what} is not a JSON object`);
}

/** The keys of a JWKS document: `{"keys": [...]}`, or a single key object (providers.md 4.4). */
export function jwksKeys(doc: unknown): Jwk[] {
  if (!doc || typeof doc !== 'object') return [];
  const keys = (doc as { keys?: unknown }).keys;
  if (Array.isArray(keys)) return keys.filter((k): k is Jwk => Boolean(k) && typeof k === 'object');
  if ((doc as Jwk).kty) return [doc as Jwk];
  return [];
}

/** Verify and return the claims; throws IdTokenError saying what is wrong. */
export function verifyIdToken(token: string, keys: Jwk[], want: IdTokenExpectations): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new IdTokenError('it is not a signed JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = b64json(h, 'header');
  if (header.alg !== 'RS256') throw new IdTokenError(`it is signed with ${String(header.alg)}, not RS256`);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const rsa = keys.filter((k) => k.kty === 'RSA' && (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === 'RS256'));
  const candidates = kid ? rsa.filter((k) => k.kid === kid) : rsa;
  if (candidates.length === 0) throw new IdTokenError(kid ? `the provider's JWKS has no RS256 key "${kid}"` : "the provider's JWKS has no RS256 key");
  const signature = Buffer.from(s, 'base64url');
  const signed = Buffer.from(`${h}.${p}`, 'ascii');
  const good = candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as JsonWebKey, format: 'jwk' });
      return verify('RSA-SHA256', signed, key, signature);
    } catch {
      return false;
    }
  });
  if (!good) throw new IdTokenError('its signature does not verify with the provider\'s key');

  const claims = b64json(p, 'payload');
  const now = Math.floor((want.now ?? Date.now()) / 1000);
  const skew = want.skewSeconds ?? 120;
  const strip = (u: string) => u.replace(/\/+$/, '');
  const issuers = (Array.isArray(want.issuer) ? want.issuer : [want.issuer]).map(strip);
  if (typeof claims.iss !== 'string' || !issuers.includes(strip(claims.iss))) {
    throw new IdTokenError(`it was issued by ${JSON.stringify(claims.iss)}, not ${issuers.join(' or ')}`);
  }
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(want.audience)) throw new IdTokenError('it was issued for another client (aud)');
  if (Array.isArray(aud) && aud.length > 1 && claims.azp !== undefined && claims.azp !== want.audience) {
    throw new IdTokenError('it was issued for another client (azp)');
  }
  if (typeof claims.exp !== 'number') throw new IdTokenError('it has no expiry (exp)');
  if (claims.exp + skew <= now) throw new IdTokenError('it has expired');
  if (typeof claims.iat === 'number' && claims.iat - skew > now) throw new IdTokenError('it was issued in the future (iat)');
  if (typeof claims.nonce !== 'string' || !safeEqual(claims.nonce, want.nonce)) throw new IdTokenError('its nonce is not the one rdp sent');
  return claims;
}
