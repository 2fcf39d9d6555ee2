// What a terminal shows for a stream of output: enough of a VT100 to replay rdp's redrawn status lines
// (carriage return, erase line) and see the lines a person would see, so a test can tell a clean line
// from one that landed inside a half-drawn progress line.

/** SGR sequences (colours and styles: bold, dim, …). */
export const SGR = /\x1b\[[0-9;]*m/;

/** The screen's lines after replaying `text` (SGR styles dropped, other escape sequences ignored). */
export function screenLines(text: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\x1b') {
      const m = /^\x1b(?:\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][0-9A-Za-z])/.exec(text.slice(i));
      if (m) {
        if (m[0] === '\x1b[2K') line = [];
        else if (m[0] === '\x1b[K' || m[0] === '\x1b[0K') line = line.slice(0, col);
        else if (/^\x1b\[[0-9]*G$/.test(m[0])) col = Math.max(0, Number(m[0].slice(2, -1) || '1') - 1);
        i += m[0].length - 1;
        continue;
      }
    }
    if (ch === '\r') {
      col = 0;
    } else if (ch === '\n') {
      lines.push(line.join('').trimEnd());
      line = [];
      col = 0;
    } else {
      while (line.length < col) line.push(' ');
      line[col] = ch;
      col += 1;
    }
  }
  if (line.length) lines.push(line.join('').trimEnd());
  return lines;
}
