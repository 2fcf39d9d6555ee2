// How the commands' results look on a terminal (stdout) and what they say on stderr: loaded when a
// command has its result (not with the command tree), so that `rdp --help` stays light.
import { describeUser } from '../output/format.js';
import type { IO } from '../output/io.js';
import { type Column, renderTable } from '../output/table.js';
import { providers } from '../providers/index.js';
import type { ProviderStatus } from '../workflows/auth-status.js';
import type { ConfigEntry } from '../workflows/config.js';
import type { UploadsListResult } from '../workflows/list.js';
import type { LoginResult } from '../workflows/login.js';
import type { LogoutResult } from '../workflows/logout.js';
import type { PublishResult } from '../workflows/publish.js';

export function renderLogin(io: IO, now: number, r: LoginResult): string {
  const name = providers().find((p) => p.id === r.provider)?.name ?? r.provider;
  const who = describeUser(r.user);
  io.success(`Logged in to ${name} (${r.host})${who ? ` as ${who}` : ''}.`);
  if (r.storage === 'file') {
    io.warn(`The token is stored in a plaintext file: ${r.location}. Anyone who can read that file can use it.`);
  } else {
    io.info(`Token stored in the ${r.location}.`);
  }
  if (r.expiresAt) {
    const ms = Date.parse(r.expiresAt) - now;
    const hours = Math.round(ms / 3600_000);
    const days = Math.round(ms / 86400_000);
    const left = hours < 48 ? `${hours < 1 ? 'in under an hour' : `in ${hours} hour${hours === 1 ? '' : 's'}`}` : `in ${days} days`;
    const when = hours < 48 ? r.expiresAt.slice(0, 16).replace('T', ' ') + ' UTC' : r.expiresAt.slice(0, 10);
    if (r.renews) {
      io.info(`The token expires on ${when} (${left}); rdp renews it by itself before then.`);
    } else {
      io.info(`It expires on ${when} (${left}); run \`rdp login ${r.provider}\` again before then.`);
    }
  }
  return '';
}

export function renderStatus(io: IO, result: ProviderStatus | ProviderStatus[]): string {
  const list = Array.isArray(result) ? result : [result];
  const s = io.outStyle;
  const lines: string[] = [];
  for (const st of list) {
    lines.push(`${s.bold(st.name)} ${s.dim(`(${st.host})`)}`);
    // No keychain on this machine holds nothing: not logged in (said once on stderr), not unknown.
    if (st.error && st.error.code !== 'KEYCHAIN_UNAVAILABLE') {
      lines.push(`  ${s.yellow('?')} unknown: the keychain could not be read (${st.error.code})`);
      continue;
    }
    if (!st.loggedIn) {
      const why = st.expired ? `token expired on ${st.expiresAt}` : 'not logged in';
      lines.push(`  ${s.red('✗')} ${why}; run \`rdp login ${st.provider}\``);
      continue;
    }
    const who = st.user ? describeUser(st.user) : '';
    lines.push(`  ${s.green('✓')} logged in${who ? ` as ${who}` : ''}`);
    const source = st.source === 'env' ? `environment (${st.location})` : st.source === 'file' ? `plaintext file ${st.location}` : `keychain: ${st.location}`;
    lines.push(`  token:   ${source}`);
    if (st.scopes?.length) lines.push(`  scopes:  ${st.scopes.join(' ')}`);
    const exp = st.expiresAt === null ? 'never' : st.expiresAt ? st.expiresAt.replace('.000Z', 'Z') : 'unknown';
    lines.push(`  expires: ${st.expiresSoon ? s.yellow(exp) : exp}${st.renews ? ' (rdp renews it by itself)' : ''}`);
  }
  return lines.join('\n');
}

export function renderLogout(io: IO, r: LogoutResult): string {
  if (r.notLoggedIn) io.info(`Not logged in as ${r.notLoggedIn}; nothing to remove.`);
  for (const item of r.removed) {
    const where = item.from?.length ? ` (removed from the ${item.from.map((f) => (f === 'file' ? 'plaintext file' : 'keychain')).join(' and ')})` : '';
    io.success(`Logged out: ${item.account}${where}.`);
  }
  if (!r.notLoggedIn && r.removed.length === 0) io.info('No stored logins.');
  for (const v of r.envStillSet) io.warn(`${v} is still set; rdp keeps using it until you unset it.`);
  return '';
}

/** The stderr note when --limit cut a list short (SPEC.md: it says how many more exist, for every service). */
export function moreNote(name: string, shown: number, more: number | true): string {
  const what = `${name} upload${shown === 1 ? '' : 's'}`;
  return more === true
    ? `Showing the newest ${shown} ${what}; more exist: use --limit N or --all to see them.`
    : `Showing the newest ${shown} of ${shown + more} ${name} uploads (${more} more); use --limit N or --all to see them.`;
}

/** JSON: the rows (with --on), or `{"nomad": [...], "zenodo": [...]}`. */
export function uploadsListJson(r: UploadsListResult): unknown {
  if (r.on) return r.sections[0]?.rows ?? [];
  return Object.fromEntries(r.sections.map((s) => [s.provider.id, s.rows]));
}

/** Tables: one per service (titled when there are several); TSV rows start with the service id. */
export function renderUploadsList(io: IO, r: UploadsListResult): string {
  const parts: string[] = [];
  for (const s of r.sections) {
    const name = s.provider.name;
    if (s.rows.length === 0) {
      io.info(`No ${name} uploads.`);
      continue;
    }
    const table = s.table(io);
    if (r.on) parts.push(table);
    else if (io.stdoutIsTTY) parts.push(`${io.outStyle.bold(name)}\n${table}`);
    else parts.push(table.split('\n').map((line) => `${s.provider.id}\t${line}`).join('\n'));
  }
  return parts.join(io.stdoutIsTTY ? '\n\n' : '\n');
}

/** Where a secret value really is, for people: the keychain, or the config file in plaintext. */
export function secretWhere(e: Pick<ConfigEntry, 'storage'>, configFile: string): string {
  return e.storage === 'file' ? `kept in plaintext in ${configFile}` : 'kept in the keychain';
}

/**
 * `rdp config list` for people: every known key, set or not, with its value (a secret only says where
 * it is kept) and what it is for. Piped: tab-separated `key, value, description` (an unset key has an
 * empty value), no header.
 */
export function renderConfigList(io: IO, list: ConfigEntry[]): string {
  const shown = (e: ConfigEntry): string => {
    if (!e.set) return '';
    if (e.secret) return e.storage === 'keychain' ? '(secret, in the keychain)' : '(secret, in the config file)';
    return e.value ?? '';
  };
  const columns: Column<ConfigEntry>[] = [
    { header: 'KEY', value: (e) => e.key },
    { header: 'VALUE', value: shown, display: (e) => (e.set ? shown(e) : '(not set)'), style: (t, e) => (e.set ? t : io.outStyle.dim(t)) },
    { header: 'DESCRIPTION', value: (e) => e.description, shrink: true },
  ];
  return renderTable(io, columns, list);
}

/** `rdp publish`: the record, and each step's outcome (the reasons were said on stderr as they ended). */
export function renderPublish(io: IO, r: PublishResult): string {
  const s = io.outStyle;
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${s.bold(k.padEnd(12))}${v}`);
  kv('record', `${r.id} (${r.published ? 'published' : 'not published'})`);
  if (r.url) kv('url', r.url);
  if (r.doi) kv('doi', r.doi);
  const w = Math.max(...r.steps.map((x) => x.id.length), 4);
  for (const step of r.steps) {
    const why = step.status === 'skipped' ? step.reason : step.from === 'journal' ? 'done by an earlier run' : undefined;
    lines.push(`  ${step.id.padEnd(w + 2)}${step.status.padEnd(9)}${why ? s.dim(why) : ''}`.trimEnd());
  }
  return lines.join('\n');
}
