// Zotero's Web API v3 (providers.md section 5). Base: api.zotero.org.
import { ApiError } from '../../errors/errors.js';
import { unescapeHtml } from '../../util/html.js';
import type { HttpClient } from '../../http/client.js';

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

/** Zotero's API version, on every request (also part of the descriptor's credential header). */
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

/**
 * POST /users/{userID}/items (providers.md 5.4 and 0.5): up to 50 items, idempotent through a write
 * token. The token makes a repeated request harmless, so it is retried like a PUT; when a retry is
 * answered 412 "Write token already used", an earlier attempt was written and only its answer got
 * lost: that is `alreadyWritten` (look the items up). Messages in `failed` come HTML-escaped and are
 * unescaped here.
 */
export async function createZoteroItems(http: HttpClient, userId: string, items: unknown[]): Promise<ZoteroWriteResult | 'alreadyWritten'> {
  const { randomBytes } = await import('node:crypto');
  let data: unknown;
  try {
    ({ data } = await http.json<unknown>({
      method: 'POST',
      path: `/users/${encodeURIComponent(userId)}/items`,
      headers: { ...ZOTERO_HEADERS, 'zotero-write-token': randomBytes(16).toString('hex') },
      json: items,
      retry: 'always',
    }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 412 && /write token already used/i.test(err.message)) return 'alreadyWritten';
    throw err;
  }
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
    failed[i] = { code: typeof f.code === 'number' ? f.code : undefined, message: typeof f.message === 'string' ? unescapeHtml(f.message) : 'failed' };
  }
  return { successful, failed };
}

/**
 * The key of a `dataset` item with this DOI among the library's newest ones (an item rdp just wrote);
 * Zotero's quick search does not look at the DOI field, so the newest datasets are read and compared.
 */
export async function findZoteroItemByDoi(http: HttpClient, userId: string, doi: string): Promise<string | undefined> {
  const { data } = await http.json<unknown>({
    method: 'GET',
    path: `/users/${encodeURIComponent(userId)}/items`,
    headers: ZOTERO_HEADERS,
    query: { itemType: 'dataset', sort: 'dateAdded', direction: 'desc', limit: 50 },
  });
  if (!Array.isArray(data)) throw http.badResponse(200, JSON.stringify(data ?? '').slice(0, 300), {});
  const want = doi.trim().toLowerCase();
  for (const item of data as { key?: unknown; data?: { DOI?: unknown; key?: unknown } }[]) {
    const itemDoi = typeof item.data?.DOI === 'string' ? item.data.DOI.trim().toLowerCase() : '';
    const key = typeof item.key === 'string' ? item.key : typeof item.data?.key === 'string' ? item.data.key : undefined;
    if (key && itemDoi === want) return key;
  }
  return undefined;
}
