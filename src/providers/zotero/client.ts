// Zotero's Web API v3 (providers.md section 5). Base: api.zotero.org.
import type { AuthClassifier } from '../auth-failure.js';
import type { HttpClient } from '../http.js';

export const zoteroAuthFailure: AuthClassifier = (status, parsed) => {
  const m = parsed.message;
  if (status === 403 && /invalid key/i.test(m)) return { kind: 'invalid', detail: m };
  if (status === 404 && /key .* not found/i.test(m)) return { kind: 'invalid', detail: 'Key not found' };
  if (status === 400 && /authorization header/i.test(m)) return { kind: 'invalid', detail: m };
  if (status === 403 && /write access|forbidden/i.test(m)) return { kind: 'scope', detail: m };
  return undefined;
};

export interface ZoteroKeyInfo {
  userID: number | string;
  username?: string;
  displayName?: string;
  access?: {
    user?: { library?: boolean; files?: boolean; notes?: boolean; write?: boolean };
    groups?: Record<string, { library?: boolean; write?: boolean }>;
  };
}

/** Scope-like words for `auth status`, from the key's access object. */
export function zoteroScopes(info: ZoteroKeyInfo): string[] {
  const out: string[] = [];
  const u = info.access?.user;
  if (u?.library) out.push('library');
  if (u?.notes) out.push('notes');
  if (u?.files) out.push('files');
  if (u?.write) out.push('write');
  for (const [g, a] of Object.entries(info.access?.groups ?? {})) {
    out.push(`groups:${g}:${a.write ? 'write' : a.library ? 'read' : 'none'}`);
  }
  return out;
}

export const ZOTERO_HEADERS = { 'zotero-api-version': '3' };

export class ZoteroClient {
  constructor(readonly http: HttpClient) {}

  async currentKey(): Promise<ZoteroKeyInfo> {
    const { data } = await this.http.json<ZoteroKeyInfo>({ method: 'GET', path: '/keys/current', headers: ZOTERO_HEADERS });
    if (!data || (typeof data.userID !== 'number' && typeof data.userID !== 'string')) {
      throw this.http.badResponse(200, JSON.stringify(data ?? ''), {});
    }
    return data;
  }
}

export interface ZoteroWriteResult {
  /** Created items by request position: their keys. */
  successful: Record<string, { key: string; version?: number | undefined }>;
  failed: Record<string, { code?: number | undefined; message: string }>;
}

/** POST /users/{userID}/items (providers.md 5.4): up to 50 items, idempotent through a write token. */
export async function createZoteroItems(http: HttpClient, userId: string, items: unknown[]): Promise<ZoteroWriteResult> {
  const { randomBytes } = await import('node:crypto');
  const { data } = await http.json<unknown>({
    method: 'POST',
    path: `/users/${encodeURIComponent(userId)}/items`,
    headers: { ...ZOTERO_HEADERS, 'zotero-write-token': randomBytes(16).toString('hex') },
    json: items,
    // The write token makes a repeated request harmless, so it may be retried like a PUT.
    retry: 'always',
  });
  const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const body = obj(data);
  if (!('successful' in body) && !('failed' in body) && !('success' in body)) throw http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
  const successful: ZoteroWriteResult['successful'] = {};
  for (const [i, v] of Object.entries(obj(body.successful))) {
    const key = obj(v).key;
    if (typeof key === 'string') successful[i] = { key, version: typeof obj(v).version === 'number' ? (obj(v).version as number) : undefined };
  }
  for (const [i, v] of Object.entries(obj(body.success))) if (!successful[i] && typeof v === 'string') successful[i] = { key: v };
  const failed: ZoteroWriteResult['failed'] = {};
  for (const [i, v] of Object.entries(obj(body.failed))) {
    const f = obj(v);
    failed[i] = { code: typeof f.code === 'number' ? f.code : undefined, message: typeof f.message === 'string' ? f.message : 'failed' };
  }
  return { successful, failed };
}
