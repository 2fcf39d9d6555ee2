// Human formats for sizes, rates and durations (SI units, as Zenodo states its limits: 50 GB).

export { parseDuration } from '../util/text.js';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${u === 0 ? v : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A short duration for notes: 250 ms, 2.5 s, 40 s, 3 min, 5 h, 12 days. */
export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}


/** Who a login belongs to, in one line: the iD, the username, the name, the email; else the user id. */
export function describeUser(user: { id?: string | undefined; username?: string | undefined; name?: string | undefined; email?: string | undefined; orcid?: string | undefined }): string {
  const parts: string[] = [];
  if (user.orcid) parts.push(user.orcid);
  if (user.username) parts.push(user.username);
  if (user.name && user.name !== user.username) parts.push(user.name);
  if (user.email) parts.push(`<${user.email}>`);
  if (parts.length === 0 && user.id) parts.push(`user ${user.id}`);
  return parts.join(' ');
}

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/**
 * A file name or path for a line of human output: its control characters written out as escapes
 * (`\n`, `\t`, `\u001b`, as JSON writes them, and as `ls -b` does in its way), so a name holding a
 * newline stays on its line and one holding an escape sequence can be seen, not obeyed. Other text is
 * left as it is (the name is recognisable; --json gives it exactly).
 */
export function shownName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
