// Zotero item writes (providers.md 5.4 and 0.5): POST /users/{userID}/items with a Zotero-Write-Token
// (or If-Unmodified-Since-Version), up to 50 items, answered 200 with successful/success/unchanged/
// failed maps keyed by position; plus reading the items back and the `items/new` template.
// Like the dataserver: a write token is remembered once a write succeeded, and a request that reuses
// it answers 412 "Write token already used" (so a retry after a lost answer changes nothing); the
// messages in `failed` are HTML-escaped (PHP's htmlspecialchars with ENT_COMPAT: & < > " but not ').
import type { EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator, SEED, type TokenRecord } from '../../state.js';
import { type ZoteroAuthState, zoteroAuth, zoteroText } from './index.js';
import { isObj } from '../../guards.js';

const DATASET_FIELDS = [
  'title', 'abstractNote', 'identifier', 'type', 'versionNumber', 'date', 'repository', 'repositoryLocation', 'format',
  'DOI', 'citationKey', 'url', 'accessDate', 'archive', 'archiveLocation', 'shortTitle', 'language', 'libraryCatalog',
  'callNumber', 'rights', 'extra',
];
const COMMON = ['itemType', 'creators', 'tags', 'collections', 'relations', 'key', 'version', 'deleted'];
const KEY_CHARS = '23456789ABCDEFGHIJKLMNPQRSTUVWXYZ';

export interface ZoteroLibrary {
  version: number;
  items: Map<string, { key: string; version: number; data: Record<string, unknown> }>;
  writeTokens: Map<string, number>;
}

/** The emulated user library (tests inspect it: `zoteroLibrary(emu.server.state)`). */
export const zoteroLibrary = perEmulator((): ZoteroLibrary => ({ version: 100, items: new Map(), writeTokens: new Map() }));

function itemKey(): string {
  let k = '';
  for (let i = 0; i < 8; i++) k += KEY_CHARS[Math.floor(Math.random() * KEY_CHARS.length)];
  return k;
}

/** htmlspecialchars($message, ENT_COMPAT), as the dataserver writes `failed[i].message`. */
function escapeCompat(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function template() {
  const t: Record<string, unknown> = { itemType: 'dataset', creators: [{ creatorType: 'author', firstName: '', lastName: '' }] };
  for (const f of DATASET_FIELDS) t[f] = '';
  return { ...t, tags: [], collections: [], relations: {} };
}

export function mountItems(ctx: ServiceContext, st: ZoteroAuthState): void {
  const lib = zoteroLibrary(ctx.state);
  const r = ctx.router;
  const ownLibrary = (req: EmuRequest, rec: TokenRecord) => {
    if (req.params.userID !== String(SEED.zotero.userID) || rec.userId !== String(SEED.zotero.userID)) throw zoteroText(403, 'Forbidden');
  };

  r.get('/items/new', (req, res) => {
    const type = req.query.get('itemType');
    if (!type) throw zoteroText(400, "'itemType' not provided");
    if (type !== 'dataset') throw zoteroText(400, `Invalid item type '${type}'`);
    res.json(200, template());
  });

  // Reading items: itemType, q (title, creator names or year, as the dataserver's quick search),
  // sort (dateAdded, dateModified, title), direction, start, limit (at most 100).
  r.get('/users/:userID/items', (req, res) => {
    const rec = zoteroAuth(ctx, st, req) as TokenRecord;
    ownLibrary(req, rec);
    const q = req.query;
    let all = [...lib.items.values()];
    const type = q.get('itemType');
    if (type) all = all.filter((i) => i.data.itemType === type);
    const text = (q.get('q') ?? '').trim().toLowerCase();
    if (text) {
      const words = text.split(/\s+/);
      const hay = (d: Record<string, unknown>) => {
        const creators = Array.isArray(d.creators) ? d.creators.map((c) => (isObj(c) ? `${String(c.firstName ?? '')} ${String(c.lastName ?? c.name ?? '')}` : '')).join(' ') : '';
        return `${String(d.title ?? '')} ${creators} ${String(d.date ?? '').slice(0, 4)}`.toLowerCase();
      };
      all = all.filter((i) => words.every((w) => hay(i.data).includes(w)));
    }
    const sort = q.get('sort') ?? 'dateModified';
    const field = sort === 'title' ? 'title' : sort === 'dateAdded' ? 'dateAdded' : 'dateModified';
    all.sort((a, b) => String(a.data[field] ?? '').localeCompare(String(b.data[field] ?? '')) || a.version - b.version);
    if ((q.get('direction') ?? (field === 'title' ? 'asc' : 'desc')) === 'desc') all.reverse();
    const total = all.length;
    const start = Math.max(0, Number(q.get('start') ?? 0) || 0);
    const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 25) || 25));
    res.json(
      200,
      all.slice(start, start + limit).map((i) => ({ key: i.key, version: i.version, data: i.data })),
      { 'last-modified-version': String(lib.version), 'total-results': String(total) },
    );
  });

  r.post('/users/:userID/items', async (req, res) => {
    const rec = zoteroAuth(ctx, st, req) as TokenRecord;
    ownLibrary(req, rec);
    if (!rec.scopes.includes('write')) throw zoteroText(403, 'Write access denied');
    const text = await req.text();
    const writeToken = req.header('zotero-write-token');
    const since = req.header('if-unmodified-since-version');
    if (writeToken !== undefined) {
      if (lib.writeTokens.has(writeToken)) throw zoteroText(412, 'Write token already used');
    } else if (since !== undefined) {
      if (Number(since) !== lib.version) throw zoteroText(412, `Library has been modified since specified version (expected ${since}, found ${lib.version})`, { 'last-modified-version': String(lib.version) });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw zoteroText(400, 'Invalid JSON');
    }
    if (!Array.isArray(body)) throw zoteroText(400, 'Uploaded data must be a JSON array');
    if (body.length > 50) throw zoteroText(413, 'Cannot add more than 50 items at a time');

    const successful: Record<string, unknown> = {};
    const success: Record<string, string> = {};
    const failed: Record<string, unknown> = {};
    let changed = false;
    body.forEach((raw, i) => {
      if (!isObj(raw)) {
        failed[i] = { code: 400, message: 'Item must be an object' };
        return;
      }
      if (raw.itemType !== 'dataset') {
        failed[i] = { code: 400, message: raw.itemType ? `Invalid item type '${String(raw.itemType)}'` : "'itemType' property not provided" };
        return;
      }
      const bad = Object.keys(raw).find((k) => !COMMON.includes(k) && !DATASET_FIELDS.includes(k));
      if (bad) {
        failed[i] = { code: 400, message: `Invalid field '${bad}' for item type 'dataset'` };
        return;
      }
      if (raw.creators !== undefined && (!Array.isArray(raw.creators) || raw.creators.some((c) => !isObj(c) || !(('name' in c) || ('lastName' in c))))) {
        failed[i] = { code: 400, message: 'Invalid creator' };
        return;
      }
      if (!changed) lib.version += 1;
      changed = true;
      const key = itemKey();
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const data = { ...raw, key, version: lib.version, dateAdded: now, dateModified: now };
      lib.items.set(key, { key, version: lib.version, data });
      successful[i] = {
        key,
        version: lib.version,
        library: { type: 'user', id: SEED.zotero.userID, name: SEED.zotero.username, links: {} },
        links: {
          self: { href: `${ctx.base}/users/${SEED.zotero.userID}/items/${key}`, type: 'application/json' },
          alternate: { href: `${ctx.base}/${SEED.zotero.username}/items/${key}`, type: 'text/html' },
        },
        meta: { numChildren: 0 },
        data,
      };
      success[i] = key;
    });
    for (const f of Object.values(failed) as { message: string }[]) f.message = escapeCompat(f.message);
    // The token is remembered once the write went through, as the dataserver does after its commit.
    if (writeToken !== undefined) lib.writeTokens.set(writeToken, Date.now());
    res.json(200, { successful, success, unchanged: {}, failed }, { 'last-modified-version': String(lib.version) });
  });
}


