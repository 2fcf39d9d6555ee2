// Zotero stand-in (providers.md section 5): Web API v3 on the base. Error bodies are plain text.
// Keys: `Zotero-API-Key`, `Authorization: Bearer` or `?key=`; more than 5 failed key checks from one
// address within 300 s -> 429 "Too many authentication failures".
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { EmulatorService, ServiceContext } from '../../server.js';
import { SEED, type TokenRecord } from '../../state.js';
import { mountItems } from './items.js';
import { mountZoteroOAuth } from './oauth.js';

const FAILURE_WINDOW_MS = 300_000;
const MAX_FAILURES = 5;

export function zoteroText(status: number, message: string, headers: Record<string, string> = {}): EmuHttpError {
  return new EmuHttpError(status, message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), headers);
}

export interface ZoteroAuthState {
  failures: Map<string, number[]>;
}

/** The key of a request; undefined when none was sent and `required` is false. */
export function zoteroAuth(ctx: ServiceContext, st: ZoteroAuthState, req: EmuRequest, required = true): TokenRecord | undefined {
  const addr = req.raw.socket.remoteAddress ?? '';
  const now = Date.now();
  const recent = (st.failures.get(addr) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
  st.failures.set(addr, recent);
  if (recent.length >= MAX_FAILURES) throw zoteroText(429, 'Too many authentication failures', { 'retry-after': '300' });

  const header = req.header('zotero-api-key');
  const auth = req.header('authorization');
  let bearer: string | undefined;
  if (auth !== undefined) {
    const m = /^Bearer ([A-Za-z0-9]+)$/.exec(auth);
    if (!m) throw zoteroText(400, 'Invalid Authorization header format');
    bearer = m[1];
  }
  const query = req.query.get('key') ?? undefined;
  const fromHeader = header ?? bearer;
  if (fromHeader && query && fromHeader !== query) throw zoteroText(400, 'Zotero-API-Key header and key parameter differ');
  const key = fromHeader ?? query;
  if (!key) {
    if (required) throw zoteroText(403, 'Forbidden');
    return undefined;
  }
  const rec = ctx.state.find('zotero', key);
  if (!ctx.state.usable(rec)) {
    recent.push(now);
    throw zoteroText(403, 'Invalid key');
  }
  return rec;
}

export function keyInfo(rec: TokenRecord) {
  const s = SEED.zotero;
  const write = rec.scopes.includes('write');
  return {
    key: rec.token,
    userID: s.userID,
    username: s.username,
    displayName: s.displayName,
    access: {
      user: { library: true, files: true, notes: true, write },
      groups: { all: { library: true, write: false } },
    },
  };
}

export const zotero: EmulatorService = {
  id: 'zotero',
  basePath: '/zotero',
  errorBody(_status, message) {
    return { body: message, contentType: 'text/plain; charset=utf-8' };
  },
  mount(ctx) {
    mountZoteroOAuth(ctx); // OAuth: consent page, authorize and token endpoints (oauth.ts)
    const st: ZoteroAuthState = { failures: new Map() };
    const ready = ctx.state.issue({ service: 'zotero', userId: String(SEED.zotero.userID), scopes: ['library', 'write'], kind: 'key' });

    ctx.router.get('/keys/current', (req, res) => {
      const rec = zoteroAuth(ctx, st, req) as TokenRecord;
      res.json(200, keyInfo(rec), { 'zotero-api-version': '3' });
    });
    ctx.router.get('/keys/:key', (req, res) => {
      const rec = ctx.state.find('zotero', req.params.key);
      if (!ctx.state.usable(rec)) throw zoteroText(404, `Key '${req.params.key}' not found`);
      res.json(200, keyInfo(rec), { 'zotero-api-version': '3' });
    });
    ctx.router.delete('/keys/current', (req, res) => {
      const rec = zoteroAuth(ctx, st, req) as TokenRecord;
      ctx.state.revoke(rec.token);
      res.empty(204);
    });

    mountItems(ctx, st);

    return { token: ready.token, extra: { userID: SEED.zotero.userID, username: SEED.zotero.username } };
  },
};
