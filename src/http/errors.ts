// What the HTTP layer knows about failures, whatever the service: an error body read into one line
// (the service's own reader comes from its provider descriptor; these are the shared pieces), the
// network errors worth retrying, and how to say what went wrong with a connection.
export { ApiError, NetworkError } from '../errors/errors.js';

export interface ParsedError {
  message: string;
  /** OAuth-style error code (`invalid_grant`, `invalid_token`, …) when the body has one. */
  oauthError?: string | undefined;
  /** Field-level validation messages (Zenodo). */
  fieldErrors?: { field: string; message: string }[] | undefined;
}

export type ResponseHeadersLike = Record<string, string | string[] | undefined>;

/** A service's reader of its error bodies: one readable line, or undefined when it is not its shape. */
export type ErrorBodyReader = (body: unknown, text: string, headers: ResponseHeadersLike) => ParsedError | undefined;

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse, or undefined for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body|<\?xml|<!--)/i.test(text);
}

/** The five entities HTML escaping produces, decoded. */
export function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A non-empty trimmed string, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The OAuth error body every service uses on its token endpoint: `{"error", "error_description"}`. */
export function oauthErrorBody(body: Record<string, unknown>): ParsedError | undefined {
  const error = text(body.error);
  if (!error) return undefined;
  const desc = text(body.error_description);
  return { message: desc ? `${error}: ${desc}` : error, oauthError: error };
}

/** One readable line from an error response: the service's reader, then what any answer allows. */
export function readErrorBody(reader: ErrorBodyReader | undefined, status: number, raw: string, headers: ResponseHeadersLike): ParsedError {
  const body = parseJson(raw);
  const parsed = reader?.(body, raw, headers);
  if (parsed) return { ...parsed, message: oneLine(parsed.message) };
  if (looksLikeHtml(raw)) return { message: `HTTP ${status} (the server answered with an HTML page)` };
  const t = raw.trim();
  if (t && t.length <= 300 && body === undefined) return { message: oneLine(t) };
  return { message: `HTTP ${status}` };
}

/**
 * A server's message on one line: it is quoted inside rdp's own error line, and a line break in it
 * would let a server print what looks like a line of rdp's ("Logged in as …").
 */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

/** Failures where the server was reached (or not) but did not answer in time. */
export const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Network failures after which a request may be sent again. */
export const RETRYABLE_NET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The error code of a failure (undici wraps the system's in `cause`). */
export function errCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeNetError(code: string | undefined, err: unknown): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'EPIPE':
      return 'the connection was cut';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EAI_AGAIN':
      return 'name lookup failed';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the server stopped answering';
    case 'UND_ERR_HEADERS_OVERFLOW':
      return 'its answer has more headers than rdp reads (16 KB)';
    default:
      if (code && isTlsTrustError(code)) return `its TLS certificate is not trusted (${code})`;
      if (code && /^ERR_SSL_|^EPROTO$/.test(code)) return `the TLS handshake failed (${code}): it may not be an https:// server`;
      if (code?.startsWith('HPE_') || /does not match the HTTP\/1\.1 protocol/i.test((err as Error)?.message ?? '')) return 'what answered does not speak HTTP';
      return code ?? (err as Error)?.message ?? 'network error';
  }
}

/** Node's codes for a certificate that does not verify (self-signed, expired, another host's, unknown CA). */
export function isTlsTrustError(code: string): boolean {
  return /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/.test(code);
}

/** A stream or socket that failed mid-body (a download cut short), by its code or message. */
export function isCutTransfer(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && /^(UND_ERR_|ECONNRESET|EPIPE|ETIMEDOUT|ERR_STREAM_PREMATURE_CLOSE)/.test(code)) ||
    (err instanceof Error && /terminated|other side closed|premature close|aborted/i.test(err.message))
  );
}
