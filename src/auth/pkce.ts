// Pure generators for the browser logins (node:crypto only): the OAuth `state`, the OpenID `nonce`,
// the PKCE verifier and its S256 challenge (RFC 7636), and a constant-time comparison.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `bytes` bytes from the CSPRNG as base64url (no padding): 32 bytes -> 43 characters. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export interface Pkce {
  /** 43 characters from the unreserved set (RFC 7636 4.1); stays in this process. */
  verifier: string;
  /** base64url(SHA-256(verifier)), sent with the authorize request. */
  challenge: string;
  method: 'S256';
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createPkce(): Pkce {
  const verifier = randomToken(32);
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

export function createState(): string {
  return randomToken(32);
}

export function createNonce(): string {
  return randomToken(24);
}

/**
 * Constant-time string equality. Both sides are hashed first, so neither the content nor the length
 * of the expected value can be learned from the time a comparison takes.
 */
export function safeEqual(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
