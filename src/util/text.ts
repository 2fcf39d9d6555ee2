import { UsageError } from '../errors/errors.js';

/** "The keychain…" -> "the keychain…", to continue a sentence with another message. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** "create a token…" -> "Create a token…", to start a sentence with a phrase. */
export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Edit distance with transpositions (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(s.length, t.length);
}

/**
 * The candidate a mistyped `value` most likely meant ("zenodoo" -> "zenodo", "nomda" -> "nomad"), or
 * undefined when none is close: at most a third of the letters wrong (at least one), or a prefix of
 * exactly one candidate. A tie between candidates suggests nothing.
 */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(v.toLowerCase()));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.max(1, Math.floor(v.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const c of candidates) {
    const dist = distance(v, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
      tie = false;
    } else if (dist === bestDistance) {
      tie = true;
    }
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** "30d", "12h", "90m", "3600" (seconds) -> seconds; a UsageError for anything else. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`"${value}" is not a duration.`, { hint: 'Use a number with a unit: 90s, 30m, 12h, 7d.' });
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult = unit.startsWith('m') ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : unit === 'w' ? 604800 : 1;
  return Math.round(n * mult);
}
