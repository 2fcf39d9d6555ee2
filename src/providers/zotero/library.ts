// Zotero as a reference library, the `library` capability (providers.md 5.4 and 0.5): a published record
// becomes a `dataset` item with its DOI, title, creators, date, URL, version, abstract, licence and
// keywords. The library is looked at first (a dataset item with this DOI is `already`); the write goes
// with a write token, so a repeated request is harmless, and an answer lost on the way is found again by
// the item's DOI.
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

export type LibraryOutcome = { outcome: 'done' | 'already'; key: string; userId: string };

/**
 * Add `item` (a Zotero item, e.g. a `dataset` with its DOI) to the library of the key's user. Looks
 * first: a dataset item with the same DOI among the newest ones is `already`. A write whose answer got
 * lost and was retried (412 "Write token already used") is looked up and counts as `done`.
 */
export async function addLibraryItem(http: HttpClient, input: { item: Record<string, unknown>; userId?: string | undefined }): Promise<LibraryOutcome> {
  const userId = input.userId ?? String((await new ZoteroClient(http).currentKey()).userID);
  const doi = typeof input.item.DOI === 'string' ? input.item.DOI : '';
  if (doi) {
    const key = await findZoteroItemByDoi(http, userId, doi);
    if (key) return { outcome: 'already', key, userId };
  }
  const result = await createZoteroItems(http, userId, [input.item]);
  if (result === 'alreadyWritten') {
    const key = doi ? await findZoteroItemByDoi(http, userId, doi) : undefined;
    if (!key) {
      throw new FailureError('ZOTERO_UNCONFIRMED', 'Zotero says the item was written (its answer got lost on the way), but rdp cannot find it among your newest datasets.', {
        hint: 'Check your Zotero library before adding the record again (by its DOI, Zotero\'s "Add Item by Identifier").',
      });
    }
    return { outcome: 'done', key, userId };
  }
  const ok = result.successful['0'];
  if (!ok) {
    const f = result.failed['0'];
    throw new FailureError('ZOTERO_FAILED', `Zotero did not add the record to your library: ${f ? `${f.message}${f.code ? ` (${f.code})` : ''}` : 'no item was created'}.`, {
      hint: 'The record is published; add it to Zotero by its DOI (Zotero\'s "Add Item by Identifier").',
    });
  }
  return { outcome: 'done', key: ok.key, userId };
}

export async function addItem(http: HttpClient, user: AccountUser, record: PublishedRecord): Promise<LibraryOutcome> {
  return addLibraryItem(http, { item: zoteroItem(record), userId: user.id });
}
