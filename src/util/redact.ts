// Secret redaction. Secrets are registered as they enter the process (from stdin, the environment,
// the store, a token response); every line rdp prints is passed through redact().

const MIN_SECRET_LENGTH = 6;
export const REDACTED = '[redacted]';

/** Query and form parameter names whose values are always secret. */
export const SECRET_PARAMS = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'app_token',
  'key',
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'oauth_token',
  'oauth_token_secret',
  'oauth_verifier',
  'oauth_signature',
  'signature_token',
  'state',
  'nonce',
  // presigned upload URLs (S3-backed InvenioRDM sites hand these out for multipart parts)
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'signature',
  'sig',
];

export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined | null): void {
    if (!value) return;
    const v = value.trim();
    if (v.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(v);
    const enc = encodeURIComponent(v);
    if (enc !== v) this.secrets.add(enc);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    const all = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of all) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out;
  }
}

/** A URL for logs: secret query parameters replaced, userinfo dropped. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return String(url);
  }
  u.username = '';
  u.password = '';
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) u.searchParams.set(name, REDACTED);
  }
  return u.toString();
}

/** Headers for logs: credentials replaced. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const lk = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (lk === 'authorization') {
      const scheme = value.split(' ')[0] ?? '';
      out[k] = `${scheme} ${REDACTED}`;
    } else if (lk === 'zotero-api-key' || lk === 'cookie' || lk === 'set-cookie' || lk.includes('token')) {
      out[k] = REDACTED;
    } else {
      out[k] = value;
    }
  }
  return out;
}
