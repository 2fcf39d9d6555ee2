// Tables on stdout (STYLE.md 3.6): on a terminal, aligned columns with a header, the widest flexible
// column shortened to fit; without a terminal, tab-separated values with no truncation, so scripts
// can cut and sort them.
import type { IO } from './io.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** May be shortened to fit the terminal (one column, usually a title). */
  flex?: boolean;
  align?: 'left' | 'right';
}

export function renderTable<T>(io: IO, columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r).replace(/[\t\n\r]+/g, ' ')));
  if (!io.stdoutIsTTY) return [columns.map((c) => c.header), ...cells].map((line) => line.join('\t')).join('\n');
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  const max = io.streams.stdout.columns ?? 120;
  const flex = columns.findIndex((c) => c.flex);
  if (total > max && flex >= 0) widths[flex] = Math.max(columns[flex]?.header.length ?? 5, (widths[flex] ?? 0) - (total - max));
  const fit = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s);
  const line = (row: string[], style = (s: string) => s) =>
    row
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = fit(cell, w);
        return style(columns[i]?.align === 'right' ? text.padStart(w) : i === row.length - 1 ? text : text.padEnd(w));
      })
      .join('  ');
  return [line(columns.map((c) => c.header), io.outStyle.bold), ...cells.map((r) => line(r))].join('\n');
}
