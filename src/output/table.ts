// Lists on stdout, the gh way: on a terminal, an aligned table with a header whose widest columns are
// shortened (with "…") to fit the window; without a terminal, one tab-separated line per row, no
// header, nothing shortened, so `cut -f` and `while read` work.
import type { IO } from './io.js';

export interface Column<T> {
  header: string;
  /** The cell's text (plain; tabs and newlines become spaces). */
  value: (row: T) => string;
  /** The text on a terminal when it differs (a shorter date, "-" for nothing). */
  display?: ((row: T) => string) | undefined;
  /** May be shortened to fit the terminal. */
  shrink?: boolean | undefined;
  /** Colour for the terminal, applied after padding. */
  style?: ((text: string, row: T) => string) | undefined;
  /** Leave the column out of the terminal table (still in the tab-separated lines). */
  hideOnTerminal?: boolean | undefined;
}

const oneLine = (s: string) => s.replace(/[\t\r\n]+/g, ' ').trim();
const width = (s: string) => [...s].length;

function shorten(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function renderTable<T>(io: IO, columns: Column<T>[], rows: T[]): string {
  if (rows.length === 0) return ''; // not even a header: "nothing" is said on stderr, if at all
  if (!io.stdoutIsTTY) {
    return rows.map((r) => columns.map((c) => oneLine(c.value(r))).join('\t')).join('\n');
  }
  const cols = columns.filter((c) => !c.hideOnTerminal);
  const cells = rows.map((r) => cols.map((c) => oneLine((c.display ?? c.value)(r))));
  const widths = cols.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i] ?? ''))));
  const gap = 2;
  const termWidth = io.streams.stdout.columns;
  const available = Math.max(40, termWidth && termWidth > 0 ? termWidth : Number(io.env.COLUMNS) || 80);
  let excess = widths.reduce((a, b) => a + b, 0) + gap * (cols.length - 1) - available;
  // Shorten the shrinkable columns, widest first, down to 12 characters each.
  while (excess > 0) {
    let widest = -1;
    cols.forEach((c, i) => {
      if (c.shrink && (widths[i] ?? 0) > 12 && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    });
    if (widest < 0) break;
    const cut = Math.min(excess, (widths[widest] ?? 0) - 12);
    widths[widest] = (widths[widest] ?? 0) - cut;
    excess -= cut;
  }
  const s = io.outStyle;
  const line = (texts: string[], styleOf: (text: string, i: number) => string) =>
    texts
      .map((t, i) => {
        const w = widths[i] ?? 0;
        const short = shorten(t, w);
        const padded = i === texts.length - 1 ? short : short + ' '.repeat(Math.max(0, w - width(short)));
        return styleOf(padded, i);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const out = [line(cols.map((c) => c.header), (t) => s.bold(t))];
  cells.forEach((row, r) => {
    out.push(line(row, (t, i) => cols[i]?.style?.(t, rows[r] as T) ?? t));
  });
  return out.join('\n');
}
