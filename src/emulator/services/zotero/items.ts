// Zotero item writes (providers.md 5.4): POST /users/{userID}/items with a Zotero-Write-Token (or
// If-Unmodified-Since-Version), up to 50 items, answered 200 with successful/success/unchanged/failed
// maps keyed by position; plus reading the items back and the `items/new` template.
import type { EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator, SEED, type TokenRecord } from '../../state.js';
import { type ZoteroAuthState, zoteroAuth, zoteroText } from './index.js';
import { isObj } from '../../../util/guards.js';

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

  r.get('/users/:userID/items', (req, res) => {
    const rec = zoteroAuth(ctx, st, req) as TokenRecord;
    ownLibrary(req, rec);
    const all = [...lib.items.values()];
    res.json(
      200,
      all.map((i) => ({ key: i.key, version: i.version, data: i.data })),
      { 'last-modified-version': String(lib.version), 'total-results': String(all.length) },
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
    if (writeToken !== undefined) lib.writeTokens.set(writeToken, Date.now());

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
    res.json(200, { successful, success, unchanged: {}, failed }, { 'last-modified-version': String(lib.version) });
  });
}


