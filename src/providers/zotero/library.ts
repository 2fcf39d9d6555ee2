// The `library` capability for Zotero: the published record as an item of the user's library
// (`--zotero`; providers.md 5.4 and 0.5). A thin wrapper over the item calls in ./client.ts, shaped like
// the other link steps: `done` when the item was written now, `already` when the library has a dataset
// item with this DOI. The item itself is built by the caller (today src/upload/zenodo/zotero.ts,
// zoteroItem()); its addToZotero() does what addLibraryItem() does and can become a call to it when
// the upload command is wired to the publish steps.
import { FailureError } from '../../errors.js';
import type { HttpClient } from '../http.js';
import { createZoteroItems, findZoteroItemByDoi, ZoteroClient } from './client.js';

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
