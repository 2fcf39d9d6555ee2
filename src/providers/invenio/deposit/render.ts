// The human rendering of a site upload's result (stdout): the draft's id, address and DOI, what happened
// to the files; for --dry-run the whole plan and the RDM metadata that would be set.
import { formatBytes, shownName } from '../../../output/format.js';
import type { IO } from '../../../output/io.js';
import type { DepositFile } from '../../types.js';
import type { SiteDeposit } from './run.js';

type Action = DepositFile['action'];

const VERB: Record<Action, [done: string, planned: string]> = {
  upload: ['uploaded', 'upload'],
  replace: ['replaced', 'replace'],
  skip: ['unchanged', 'skip'],
  delete: ['deleted', 'delete'],
  keep: ['kept', 'keep'],
};

function counts(r: SiteDeposit, planned: boolean): string {
  const parts: string[] = [];
  for (const a of ['upload', 'replace', 'skip', 'delete', 'keep'] as Action[]) {
    const n = r.files.filter((f) => f.action === a).length;
    if (n) parts.push(`${n} ${planned ? `to ${VERB[a][1]}` : VERB[a][0]}`);
  }
  return parts.join(', ') || 'none';
}

export function renderSiteUpload(io: IO, r: SiteDeposit): string {
  const s = io.outStyle;
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${s.bold(k.padEnd(12))}${v}`);
  if (r.dryRun) {
    lines.push(s.yellow(`Dry run: nothing was changed on ${r.site}.`));
    kv('draft', r.id !== null ? `${r.id} (${r.deposition === 'new-version' ? 'the existing new-version draft' : 'existing draft'})` : r.deposition === 'new-version' ? 'a new-version draft would be created' : 'a new draft would be created');
    if (r.url) kv('url', r.url);
    kv('files', counts(r, true));
    const width = Math.max(...r.files.map((f) => shownName(f.name).length), 4);
    for (const f of r.files) lines.push(`  ${VERB[f.action][1].padEnd(8)}${shownName(f.name).padEnd(width + 2)}${formatBytes(f.size).padStart(9)}`);
    if (r.skipped.length) {
      kv('left out', `${r.skipped.length} (not sent):`);
      const w = Math.max(...r.skipped.map((x) => shownName(x.path).length));
      for (const x of r.skipped) lines.push(`  ${shownName(x.path).padEnd(w + 2)}${s.dim(x.why)}`);
    }
    kv('metadata', `${r.metadataChanged ? 'would be set' : 'unchanged'}${r.metadataSource ? ` (from ${r.metadataSource}, then flags)` : ''}:`);
    for (const l of JSON.stringify(r.metadata, null, 2).split('\n')) lines.push(`  ${l}`);
    for (const n of r.notes) lines.push(s.dim(n));
    return lines.join('\n');
  }
  kv('record', `${r.id} (${r.published ? 'published' : (r.status ?? 'draft').replace(/_/g, ' ')})`);
  if (r.url) kv('url', r.url);
  if (r.doi) kv('doi', `${r.doi}${r.published ? '' : ' (reserved)'}`);
  const parts = r.multipart.files ? `; ${r.multipart.files} in parts` : '';
  kv('files', `${counts(r, false)}${r.bytesSent ? ` (${formatBytes(r.bytesSent)} sent${parts})` : ' (nothing sent)'}`);
  const zotero = (r as SiteDeposit & { zotero?: { key: string } }).zotero;
  if (zotero) kv('zotero', `item ${zotero.key}`);
  return lines.join('\n');
}

/** What to do next with a draft (a hint: stderr, after the result). */
export function nextSiteStep(r: SiteDeposit): string | undefined {
  if (r.dryRun || r.published || r.id === null) return undefined;
  return `Not published: review the draft at the URL above, then publish it with \`rdp publish ${r.id} --on ${r.provider}\` (or rerun with --publish).`;
}
