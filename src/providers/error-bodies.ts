// Reading the error bodies of the five services (providers.md 1.3, 2.3, 3.5, 4.5, 5.2) into one line
// of text. Tolerant: each reader accepts the documented shape and the current server's shape.
import { type ErrorBodyReader, looksLikeHtml, type ParsedError, readErrorBody, unescapeHtml } from '../http/errors.js';
import { isObj } from '../util/guards.js';
import type { ProviderId } from './registry.js';

export { looksLikeHtml, type ParsedError, parseJson, unescapeHtml } from '../http/errors.js';
type Headers = Record<string, string | string[] | undefined>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function oauth(body: Record<string, unknown>): ParsedError | undefined {
  const error = str(body.error);
  if (!error) return undefined;
  const desc = str(body.error_description);
  return { message: desc ? `${error}: ${desc}` : error, oauthError: error };
}

function zenodo(body: unknown): ParsedError | undefined {
  if (!isObj(body)) return undefined;
  const o = oauth(body);
  if (o) return o;
  const message = str(body.message);
  const fieldErrors: { field: string; message: string }[] = [];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      if (!isObj(e)) continue;
      const field = str(e.field) ?? '';
      const msgs = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : [];
      const m = str(e.message) ?? msgs[0];
      if (m) fieldErrors.push({ field, message: m });
    }
  }
  if (!message && fieldErrors.length === 0) return undefined;
  const detail = fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  return {
    message: [message, detail].filter(Boolean).join(' — '),
    fieldErrors: fieldErrors.length ? fieldErrors : undefined,
  };
}

function nomad(body: unknown): ParsedError | undefined {
  if (!isObj(body)) return undefined;
  const d = body.detail;
  if (typeof d === 'string') return { message: d };
  if (Array.isArray(d)) {
    const parts = d
      .filter(isObj)
      .map((e) => {
        const loc = Array.isArray(e.loc) ? e.loc.join('.') : '';
        return loc ? `${loc}: ${String(e.msg ?? '')}` : String(e.msg ?? '');
      })
      .filter(Boolean);
    return parts.length ? { message: parts.join('; ') } : undefined;
  }
  if (isObj(d)) {
    const reason = str(d.reason) ?? 'Unexpected server error';
    const exc = str(d.exception);
    return { message: exc ? `${reason} (${exc})` : reason };
  }
  return oauth(body);
}

function dmptool(body: unknown, headers: Headers): ParsedError | undefined {
  if (isObj(body)) {
    const o = oauth(body);
    if (o) return o;
    if (Array.isArray(body.errors)) {
      const flat = (body.errors as unknown[]).flat(2).filter((m): m is string => typeof m === 'string');
      if (flat.length) return { message: flat.join('; ') };
    }
    const m = str(body.message);
    if (m) return { message: m };
  }
  // Doorkeeper's 403 for a missing scope has an empty body and says why in WWW-Authenticate.
  const www = headers['www-authenticate'];
  const w = Array.isArray(www) ? www.join(', ') : www;
  if (w) {
    const err = /error="([^"]*)"/.exec(w)?.[1];
    const desc = /error_description="([^"]*)"/.exec(w)?.[1];
    if (err || desc) return { message: [err, desc].filter(Boolean).join(': '), oauthError: err };
  }
  return undefined;
}

function orcid(body: unknown): ParsedError | undefined {
  if (!isObj(body)) return undefined;
  const o = oauth(body);
  if (o) return o;
  const m =
    str(body['user-message']) ??
    str(body['developer-message']) ??
    str(body.userMessage) ??
    str(body.developerMessage) ??
    str(body.message);
  return m ? { message: m } : undefined;
}

const READERS: Record<ProviderId, ErrorBodyReader> = {
  zenodo: (body) => zenodo(body),
  nomad: (body) => nomad(body),
  dmptool: (body, _text, headers) => dmptool(body, headers),
  orcid: (body) => orcid(body),
  // Zotero's error bodies are plain text (HTML-escaped).
  zotero: (body, text) => (body === undefined && text.trim() && !looksLikeHtml(text) ? { message: unescapeHtml(text.trim()) } : isObj(body) ? oauth(body) : undefined),
};

export function errorBodyReader(provider: ProviderId): ErrorBodyReader {
  return READERS[provider];
}

/** One readable line from an error response. */
export function parseErrorBody(provider: ProviderId, status: number, text: string, headers: Headers): ParsedError {
  return readErrorBody(READERS[provider], status, text, headers);
}
