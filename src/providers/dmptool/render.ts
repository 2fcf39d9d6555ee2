// How DMPs look on stdout without --json: the plans and templates tables (tab-separated without a
// terminal), and the summary of one plan. A plan that is not public is marked wherever DMPTool says so.
import type { IO } from '../../output/io.js';
import { renderTable } from '../../output/table.js';
import { unescapeHtml } from '../../http/errors.js';
import { arr, isObj, isPrivate, type Json, type Plan, type PlanSummary, str, type TemplateSummary } from './types.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

export function renderPlans(io: IO, plans: PlanSummary[]): string {
  const s = io.outStyle;
  return renderTable(
    io,
    [
      { header: 'ID', value: (p) => (p.id === null ? '' : String(p.id)), display: (p) => (p.id === null ? '-' : String(p.id)) },
      { header: 'TITLE', value: (p) => p.title, shrink: true, style: (t, p) => (isPrivate(p.privacy) ? s.yellow(t) : t) },
      { header: 'DMP ID', value: (p) => p.dmpId?.identifier ?? '', display: (p) => p.doi ?? '-' },
      { header: 'MODIFIED', value: (p) => p.modified ?? '', display: (p) => day(p.modified) },
      {
        header: 'PRIVACY',
        value: (p) => p.privacy ?? '',
        display: (p) => p.privacy ?? '-',
        style: (t, p) => (isPrivate(p.privacy) ? s.yellow(t) : t),
        // DMPTool's list items are minimal and usually say nothing about privacy (providers.md 3.6).
        hideOnTerminal: plans.every((p) => p.privacy === null),
      },
    ],
    plans,
  );
}

export function renderTemplates(io: IO, templates: TemplateSummary[]): string {
  return renderTable(
    io,
    [
      { header: 'ID', value: (t) => t.id ?? '', display: (t) => t.id ?? '-' },
      { header: 'TITLE', value: (t) => t.title, shrink: true },
      { header: 'ORGANISATION', value: (t) => t.organisation ?? '', display: (t) => t.organisation ?? '-', shrink: true },
      { header: 'VERSION', value: (t) => t.version ?? '', display: (t) => t.version ?? '-' },
      { header: 'MODIFIED', value: (t) => t.modified ?? '', display: (t) => day(t.modified) },
    ],
    templates,
  );
}

/** What to say about privacy; undefined when DMPTool did not say. */
export function privacyNote(privacy: string | null): string | undefined {
  if (privacy === null) return undefined;
  if (!isPrivate(privacy)) return 'public';
  return `${privacy} — not publicly visible on DMPTool; respect that when sharing it`;
}

/** Plain text from DMPTool's HTML descriptions. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<\s*(br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ');
  return unescapeHtml(text)
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

const role = (url: unknown) => (typeof url === 'string' ? (url.split('/').pop() ?? url).replace(/[-_]/g, ' ') : undefined);

function size(bytes: unknown): string | undefined {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return undefined;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function id(v: unknown): string | undefined {
  return isObj(v) ? (str(v.identifier) ?? undefined) : undefined;
}

function personLine(p: Json): string {
  const parts = [str(p.name) ?? '(no name)'];
  const mbox = str(p.mbox);
  if (mbox) parts[0] += ` <${mbox}>`;
  const aff = isObj(p.affiliation) ? str(p.affiliation.name) : null;
  if (aff) parts.push(aff);
  const orcid = id(p.contact_id) ?? id(p.contributor_id);
  if (orcid) parts.push(orcid);
  return parts.join(', ');
}

function datasetLine(d: Json): string {
  const dist = arr(d.distribution).filter(isObj);
  const facts: string[] = [];
  const access = dist.map((x) => str(x.data_access)).find(Boolean);
  if (access) facts.push(`${access} access`);
  const host = dist.map((x) => (isObj(x.host) ? str(x.host.title) : null)).find(Boolean);
  if (host) facts.push(host);
  const license = dist.flatMap((x) => arr(x.license).filter(isObj)).map((l) => str(l.license_ref)).find(Boolean);
  if (license) facts.push((license.split('/').pop() ?? license).replace(/\.json$/, ''));
  const bytes = dist.map((x) => size(x.byte_size)).find(Boolean);
  if (bytes) facts.push(bytes);
  const personal = str(d.personal_data);
  const sensitive = str(d.sensitive_data);
  if (personal || sensitive) facts.push(`personal data: ${personal ?? 'unknown'}, sensitive data: ${sensitive ?? 'unknown'}`);
  const title = str(d.title) ?? '(untitled dataset)';
  return facts.length ? `${title} — ${facts.join(', ')}` : title;
}

/** The readable summary of `rdp dmps get` (title, contact, project, funding, datasets, privacy). */
export function renderPlan(io: IO, plan: Plan): string {
  const s = io.outStyle;
  const dmp = isObj(plan.document.dmp) ? plan.document.dmp : {};
  const sum = plan.summary;
  const rows: [string, string][] = [];
  const add = (label: string, value: string | undefined | null) => {
    if (value) rows.push([label, value]);
  };
  add('DMP ID', sum.doi ? (sum.dmpId?.identifier ?? sum.doi) : 'none registered');
  add('Plan', `${plan.id}${sum.url ? `  ${sum.url}` : ''}`);
  const privacy = privacyNote(sum.privacy);
  add('Privacy', privacy && isPrivate(sum.privacy) ? s.yellow(privacy) : privacy);
  if (isObj(dmp.contact)) add('Contact', personLine(dmp.contact));
  for (const c of arr(dmp.contributor).filter(isObj)) {
    const roles = arr(c.role).map(role).filter(Boolean).join(', ');
    add('Contributor', `${personLine(c)}${roles ? ` (${roles})` : ''}`);
  }
  add('Modified', sum.modified ? `${sum.modified}${sum.created ? ` (created ${sum.created})` : ''}` : undefined);
  if (isObj(dmp.dmproadmap_template)) add('Template', str(dmp.dmproadmap_template.title));
  for (const p of arr(dmp.project).filter(isObj)) {
    const start = str(p.start);
    const end = str(p.end);
    add('Project', `${str(p.title) ?? '(untitled project)'}${start || end ? ` (${day(start)} – ${day(end)})` : ''}`);
    for (const f of arr(p.funding).filter(isObj)) {
      const status = str(f.funding_status);
      const grant = id(f.grant_id);
      add('Funding', `${str(f.name) ?? id(f.funder_id) ?? '(unnamed funder)'}${status ? ` (${status})` : ''}${grant ? `, grant ${grant}` : ''}`);
    }
  }
  add('Ethical issues', str(dmp.ethical_issues_exist));
  const datasets = arr(dmp.dataset).filter(isObj);
  add('Datasets', datasets.length ? String(datasets.length) : undefined);

  const labelWidth = Math.max(...rows.map(([l]) => l.length)) + 1;
  const lines = [s.bold(sum.title)];
  for (const [label, value] of rows) lines.push(`${s.dim(`${label}:`.padEnd(labelWidth + 1))}${value}`);
  for (const d of datasets) lines.push(`  • ${datasetLine(d)}`);
  const description = str(dmp.description);
  if (description) {
    lines.push('', s.bold('Description'));
    const text = htmlToText(description);
    const columns = io.streams.stdout.columns || Number(io.env.COLUMNS) || 80;
    const width = io.stdoutIsTTY ? Math.min(100, columns) - 2 : 0;
    for (const para of text.split('\n')) lines.push(...(width > 20 ? wrapText(para, width) : [para]).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
