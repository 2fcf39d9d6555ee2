// Tables on stdout (STYLE.md 3.6): on a terminal, a header and aligned columns; anywhere else
// tab-separated values without a header, nothing truncated, so that `cut`, `awk` and spreadsheets
// read them as they are.
import type { IO } from './io.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

export function renderTable<T>(io: IO, columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r).replace(/[\t\n\r]+/g, ' ')));
  if (!io.stdoutIsTTY) return cells.map((line) => line.join('\t')).join('\n');
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((line) => (line[i] as string).length)));
  const pad = (text: string, i: number) => {
    const w = widths[i] as number;
    return columns[i]?.align === 'right' ? text.padStart(w) : text.padEnd(w);
  };
  const s = io.outStyle;
  const head = s.bold(columns.map((c, i) => pad(c.header, i)).join('  ').trimEnd());
  return [head, ...cells.map((line) => line.map(pad).join('  ').trimEnd())].join('\n');
}
