// The human rendering of an upload's result (stdout): the deposition's id, URL and DOI, and what
// happened to the files; for --dry-run the whole plan and the metadata that would be set.
import type { IO } from '../../../output/io.js';
import { formatBytes, shownName } from '../../../output/format.js';
import type { ZenodoDeposit as ZenodoUploadResult } from './run.js';
import type { FileAction } from './sync.js';

const VERB: Record<FileAction, [done: string, planned: string]> = {
  upload: ['uploaded', 'upload'],
  replace: ['replaced', 'replace'],
  skip: ['unchanged', 'skip'],
  delete: ['deleted', 'delete'],
  keep: ['kept', 'keep'],
};

const WHY: Partial<Record<FileAction, string>> = {
  skip: 'same name, size and MD5 on Zenodo',
  replace: 'changed',
  delete: 'not local (--delete-extra)',
  keep: 'not local; --delete-extra would delete it',
};

function counts(r: ZenodoUploadResult, planned: boolean): string {
  const parts: string[] = [];
  for (const a of ['upload', 'replace', 'skip', 'delete', 'keep'] as FileAction[]) {
    const n = r.files.filter((f) => f.action === a).length;
    if (n) parts.push(`${n} ${planned ? `to ${VERB[a][1]}` : VERB[a][0]}`);
  }
  return parts.join(', ') || 'none';
}

export function renderUpload(io: IO, r: ZenodoUploadResult): string {
  const s = io.outStyle;
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${s.bold(k.padEnd(12))}${v}`);
  if (r.dryRun) {
    lines.push(s.yellow('Dry run: nothing was changed on Zenodo.'));
    const target =
      r.id !== null
        ? `${r.id} (${r.deposition === 'new-version' ? 'the existing new-version draft' : `existing ${r.published ? 'record' : 'draft'}`})`
        : r.deposition === 'new-version'
          ? 'a new-version draft would be created'
          : 'a new draft would be created';
    kv('deposition', target);
    if (r.url) kv('url', r.url);
    if (r.doi) kv('doi', `${r.doi}${r.doiRegistered ? '' : ' (reserved)'}`);
    kv('files', counts(r, true));
    const width = Math.max(...r.files.map((f) => shownName(f.name).length), 4);
    for (const f of r.files) {
      const why = WHY[f.action];
      lines.push(`  ${VERB[f.action][1].padEnd(8)}${shownName(f.name).padEnd(width + 2)}${formatBytes(f.size).padStart(9)}${why ? s.dim(`  (${why})`) : ''}`);
    }
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
  kv('deposition', `${r.id} (${r.published ? 'published' : r.state === 'inprogress' ? 'published, being edited' : 'draft'})`);
  if (r.url) kv('url', r.url);
  if (r.doi) kv('doi', `${r.doi}${r.doiRegistered ? '' : ' (reserved; registered when published)'}`);
  kv('files', `${counts(r, false)}${r.bytesSent ? ` (${formatBytes(r.bytesSent)} sent)` : ' (nothing sent)'}`);
  if (r.zotero) kv('zotero', `item ${r.zotero.key}`);
  return lines.join('\n');
}

/** What to do next with a draft (a hint: stderr, after the result). */
export function nextStep(r: ZenodoUploadResult): string | undefined {
  if (r.dryRun || r.published || r.id === null) return undefined;
  return `Not published: review the draft at the URL above, then \`rdp publish ${r.id}\` (or run this command again with --publish).`;
}
