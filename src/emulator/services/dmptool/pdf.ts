// A small, valid PDF 1.4 writer for the DMPTool stand-in's `/api/v2/plans/{id}.pdf`: text only, the
// two standard Helvetica fonts (no embedding), wrapped lines, as many US Letter pages as the text
// needs, a footer on each page, and a cross-reference table with exact byte offsets. Output is
// deterministic (no clock, no random ID), so a test can compare a download byte for byte.

export interface PdfBlock {
  text: string;
  style: 'title' | 'heading' | 'body' | 'small';
  /** Left indent in points. */
  indent?: number | undefined;
}

export interface PdfDocument {
  blocks: PdfBlock[];
  /** Left part of every page's footer; the right part is "page N of M". */
  footer: string;
  info: { title: string; author?: string | undefined; subject?: string | undefined; created: Date; modified: Date };
}

const PAGE_W = 612;
const PAGE_H = 792;
const MARGIN = 54;
const FOOTER_Y = 30;

const STYLES: Record<PdfBlock['style'], { font: 'F1' | 'F2'; size: number; before: number }> = {
  title: { font: 'F2', size: 16, before: 0 },
  heading: { font: 'F2', size: 11.5, before: 10 },
  body: { font: 'F1', size: 10, before: 2 },
  small: { font: 'F1', size: 8.5, before: 1 },
};

/** Characters outside Latin-1 that WinAnsiEncoding has (the rest become "?"). */
const WIN_ANSI: Record<string, number> = {
  '€': 0x80, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99,
};

/** A string in WinAnsiEncoding bytes, escaped for a PDF literal string `( … )`. */
function pdfString(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    let byte: number;
    if (ch in WIN_ANSI) byte = WIN_ANSI[ch] as number;
    else if ((code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff)) byte = code;
    else if (ch === '\t') byte = 0x20;
    else byte = 0x3f;
    const c = String.fromCharCode(byte);
    out += c === '\\' || c === '(' || c === ')' ? `\\${c}` : c;
  }
  return `(${out})`;
}

/** Greedy word wrap to a character budget (Helvetica averages about half an em per character). */
export function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let w = word;
      while (w.length > maxChars) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(w.slice(0, maxChars));
        w = w.slice(maxChars);
      }
      if (!line) line = w;
      else if (line.length + 1 + w.length <= maxChars) line += ` ${w}`;
      else {
        lines.push(line);
        line = w;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** `D:YYYYMMDDHHmmSSZ`, the PDF date format. */
function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

interface Line {
  font: 'F1' | 'F2';
  size: number;
  x: number;
  y: number;
  text: string;
}

function layout(blocks: PdfBlock[]): Line[][] {
  const pages: Line[][] = [[]];
  let y = PAGE_H - MARGIN;
  const bottom = MARGIN + 10;
  for (const block of blocks) {
    const st = STYLES[block.style];
    const indent = block.indent ?? 0;
    const maxChars = Math.floor((PAGE_W - 2 * MARGIN - indent) / (st.size * 0.52));
    const lead = st.size * 1.35;
    y -= st.before;
    for (const text of wrap(block.text, maxChars)) {
      if (y - lead < bottom) {
        pages.push([]);
        y = PAGE_H - MARGIN;
      }
      y -= lead;
      (pages[pages.length - 1] as Line[]).push({ font: st.font, size: st.size, x: MARGIN + indent, y, text });
    }
  }
  return pages;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** The PDF file's bytes. */
export function buildPdf(doc: PdfDocument): Buffer {
  const pages = layout(doc.blocks);
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const emit = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    parts.push(b);
    size += b.length;
  };
  const object = (num: number, body: string) => {
    offsets[num] = size;
    emit(`${num} 0 obj\n${body}\nendobj\n`);
  };

  // Objects: 1 catalog, 2 page tree, 3-4 fonts, 5 info, then a page and its content stream per page.
  const pageObj = (i: number) => 6 + 2 * i;
  const count = pages.length;
  emit('%PDF-1.4\n');
  emit(Buffer.from([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a])); // a binary comment: "this file is binary"
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObj(i)} 0 R`).join(' ')}] /Count ${count} >>`);
  object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  object(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const info = [
    `/Title ${pdfString(doc.info.title)}`,
    doc.info.author ? `/Author ${pdfString(doc.info.author)}` : '',
    doc.info.subject ? `/Subject ${pdfString(doc.info.subject)}` : '',
    '/Creator (DMPTool) /Producer (rdp emulator)',
    `/CreationDate (${pdfDate(doc.info.created)}) /ModDate (${pdfDate(doc.info.modified)})`,
  ].filter(Boolean);
  object(5, `<< ${info.join(' ')} >>`);

  pages.forEach((lines, i) => {
    const ops: string[] = [];
    for (const l of lines) ops.push(`BT /${l.font} ${fmt(l.size)} Tf ${fmt(l.x)} ${fmt(l.y)} Td ${pdfString(l.text)} Tj ET`);
    ops.push(`BT /F1 8 Tf ${MARGIN} ${FOOTER_Y} Td ${pdfString(doc.footer)} Tj ET`);
    ops.push(`BT /F1 8 Tf ${PAGE_W - MARGIN - 40} ${FOOTER_Y} Td ${pdfString(`${i + 1} of ${count}`)} Tj ET`);
    const content = Buffer.from(`${ops.join('\n')}\n`, 'latin1');
    object(
      pageObj(i),
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObj(i) + 1} 0 R >>`,
    );
    offsets[pageObj(i) + 1] = size;
    emit(`${pageObj(i) + 1} 0 obj\n<< /Length ${content.length} >>\nstream\n`);
    emit(content);
    emit('endstream\nendobj\n');
  });

  const total = pageObj(count); // objects 0 … total-1
  const xref = size;
  // Each cross-reference entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, EOL.
  let table = `xref\n0 ${total}\n0000000000 65535 f \n`;
  for (let n = 1; n < total; n++) table += `${String(offsets[n] ?? 0).padStart(10, '0')} 00000 n \n`;
  emit(table);
  emit(`trailer\n<< /Size ${total} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts, size);
}
