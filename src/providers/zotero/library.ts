// --zotero: after publishing, the record goes into the user's Zotero library as a `dataset` item with
// its DOI, title, creators, date, URL, version, abstract, license and keywords (providers.md 5.4).
import { findLogin } from '../../auth/find.js';
import { apiClient, type Credential } from '../../auth/credentials.js';
import type { Context } from '../../context.js';
import { AuthRequiredError, FailureError } from '../../errors/errors.js';
import { createZoteroItems, findZoteroItemByDoi, ZoteroClient } from './client.js';
import type { Metadata } from '../zenodo/deposit/metadata.js';

/** The Zotero login, checked before anything is uploaded. */
export async function requireZotero(ctx: Context): Promise<Credential> {
  const cred = await findLogin(ctx, 'zotero');
  if (!cred) {
    throw new AuthRequiredError('--zotero needs a Zotero login, and there is none. Nothing was uploaded.', {
      hint: 'Run `rdp login zotero` (or set RDP_ZOTERO_KEY and RDP_ZOTERO_USER_ID), or leave out --zotero.',
    });
  }
  return cred;
}

function stripHtml(s: string): string {
  return s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Zotero's creator form: "Family, Given" becomes lastName/firstName; anything else a single name. */
export function zoteroCreator(name: string): Record<string, string> {
  const i = name.indexOf(',');
  if (i > 0) return { creatorType: 'author', lastName: name.slice(0, i).trim(), firstName: name.slice(i + 1).trim() };
  return { creatorType: 'author', name: name.trim() };
}

export function zoteroItem(md: Metadata, doi: string, url: string): Record<string, unknown> {
  const creators = Array.isArray(md.creators) ? (md.creators as Metadata[]).map((c) => zoteroCreator(String(c.name))) : [];
  const item: Record<string, unknown> = {
    itemType: 'dataset',
    title: typeof md.title === 'string' ? md.title : '',
    creators,
    date: typeof md.publication_date === 'string' ? md.publication_date : '',
    DOI: doi,
    url,
    repository: 'Zenodo',
    tags: Array.isArray(md.keywords) ? (md.keywords as string[]).map((tag) => ({ tag })) : [],
  };
  if (typeof md.version === 'string') item.versionNumber = md.version;
  if (typeof md.description === 'string') item.abstractNote = stripHtml(md.description);
  if (typeof md.license === 'string') item.rights = md.license;
  return item;
}

export async function addToZotero(ctx: Context, cred: Credential, item: Record<string, unknown>): Promise<{ key: string; userId: string }> {
  const http = await apiClient(ctx, cred);
  const userId = cred.user.id ?? String((await new ZoteroClient(http).currentKey()).userID);
  const result = await createZoteroItems(http, userId, [item]);
  if (result === 'alreadyWritten') {
    // A retry after a lost answer: the first attempt wrote the item. Find it.
    const doi = typeof item.DOI === 'string' ? item.DOI : '';
    const key = doi ? await findZoteroItemByDoi(http, userId, doi) : undefined;
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
