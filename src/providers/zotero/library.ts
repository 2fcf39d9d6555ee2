// Zotero as a reference library (providers.md 5.4): a published record becomes a `dataset` item with its
// DOI, title, creators, date, URL, version, abstract, licence and keywords. Written with a write token,
// so a repeated request is harmless; an answer lost on the way is found again by the item's DOI.
import { FailureError } from '../../errors/errors.js';
import type { HttpClient } from '../../http/client.js';
import type { AccountUser, PublishedRecord } from '../types.js';
import { createZoteroItems, findZoteroItemByDoi, ZoteroClient } from './client.js';

function stripHtml(s: string): string {
  return s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Zotero's creator form: "Family, Given" becomes lastName/firstName; anything else a single name. */
export function zoteroCreator(name: string): Record<string, string> {
  const i = name.indexOf(',');
  if (i > 0) return { creatorType: 'author', lastName: name.slice(0, i).trim(), firstName: name.slice(i + 1).trim() };
  return { creatorType: 'author', name: name.trim() };
}

export function zoteroItem(r: PublishedRecord): Record<string, unknown> {
  const item: Record<string, unknown> = {
    itemType: 'dataset',
    title: r.title,
    creators: r.creators.map(zoteroCreator),
    date: r.date,
    DOI: r.doi,
    url: r.url,
    repository: r.repository,
    tags: r.keywords.map((tag) => ({ tag })),
  };
  if (r.version !== undefined) item.versionNumber = r.version;
  if (r.description !== undefined) item.abstractNote = stripHtml(r.description);
  if (r.license !== undefined) item.rights = r.license;
  return item;
}

export async function addItem(http: HttpClient, user: AccountUser, record: PublishedRecord): Promise<{ key: string; userId: string }> {
  const item = zoteroItem(record);
  const userId = user.id ?? String((await new ZoteroClient(http).currentKey()).userID);
  const result = await createZoteroItems(http, userId, [item]);
  if (result === 'alreadyWritten') {
    // A retry after a lost answer: the first attempt wrote the item. Find it.
    const key = record.doi ? await findZoteroItemByDoi(http, userId, record.doi) : undefined;
    if (!key) {
      throw new FailureError('ZOTERO_UNCONFIRMED', 'Zotero says the item was written (its answer got lost on the way), but rdp cannot find it among your newest datasets.', {
        hint: 'Check your Zotero library before adding the record again (by its DOI, Zotero\'s "Add Item by Identifier").',
      });
    }
    return { key, userId };
  }
  const ok = result.successful['0'];
  if (!ok) {
    const f = result.failed['0'];
    throw new FailureError('ZOTERO_FAILED', `Zotero did not add the record to your library: ${f ? `${f.message}${f.code ? ` (${f.code})` : ''}` : 'no item was created'}.`, {
      hint: 'The record is published; add it to Zotero by its DOI (Zotero\'s "Add Item by Identifier").',
    });
  }
  return { key: ok.key, userId };
}
