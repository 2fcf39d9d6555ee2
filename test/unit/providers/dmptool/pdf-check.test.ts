// The emulator's hand-written PDFs are well-formed (every cross-reference offset and stream length
// exact), and the streaming check rdp applies to downloaded PDFs accepts them whole and refuses
// anything else before a byte passes.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { PdfCheck, PdfCheckError } from '../../../../src/providers/dmptool/pdf-check.js';
import { buildPdf, type PdfBlock, wrap } from '../../../../src/emulator/services/dmptool/pdf.js';

/** Check a PDF's structure: header, xref entries pointing at their objects, stream lengths, trailer. */
function checkStructure(pdf: Buffer): { objects: number; pages: number } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const head = /^xref\n0 (\d+)\n/.exec(text.slice(startxref));
  const count = Number(head?.[1]);
  const table = startxref + (head?.[0].length ?? 0);
  expect(text.slice(table, table + 20)).toBe('0000000000 65535 f \n');
  for (let n = 1; n < count; n++) {
    const entry = text.slice(table + 20 * n, table + 20 * (n + 1));
    expect(entry).toMatch(/^\d{10} 00000 n \n$/);
    const offset = Number(entry.slice(0, 10));
    expect(text.slice(offset, offset + `${n} 0 obj\n`.length)).toBe(`${n} 0 obj\n`);
  }
  for (const m of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
    const end = (m.index ?? 0) + m[0].length + Number(m[1]);
    expect(text.slice(end, end + 10)).toBe('endstream\n');
  }
  expect(text).toMatch(new RegExp(`trailer\\n<< /Size ${count} /Root 1 0 R /Info 5 0 R >>`));
  return { objects: count, pages: Number(/\/Type \/Pages .* \/Count (\d+) >>/.exec(text)?.[1]) };
}

const info = { title: 'T', created: new Date('2024-01-01T00:00:00Z'), modified: new Date('2024-02-01T00:00:00Z') };

describe('buildPdf (emulator)', () => {
  test('a one-page document is well formed and deterministic', () => {
    const doc = { blocks: [{ style: 'title', text: 'Soil (carbon) \\ survey – DMP' } as PdfBlock], footer: 'f', info };
    const a = buildPdf(doc);
    expect(checkStructure(a)).toEqual({ objects: 8, pages: 1 });
    expect(a.equals(buildPdf(doc))).toBe(true);
    const text = a.toString('latin1');
    expect(text).toContain('(Soil \\(carbon\\) \\\\ survey \x96 DMP) Tj'); // escaped, en dash in WinAnsi
    expect(text).toContain('/CreationDate (D:20240101000000Z)');
  });

  test('long text wraps and flows onto more pages, each with its "N of M" footer', () => {
    const blocks: PdfBlock[] = Array.from({ length: 120 }, (_, i) => ({ style: 'body', text: `Paragraph ${i} `.repeat(20) }));
    const pdf = buildPdf({ blocks, footer: 'footer', info });
    const { pages, objects } = checkStructure(pdf);
    expect(pages).toBeGreaterThan(3);
    expect(objects).toBe(6 + 2 * pages);
    expect(pdf.toString('latin1')).toContain(`(${pages} of ${pages}) Tj`);
  });

  test('wrap keeps words whole, splits only words longer than a line', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
    expect(wrap('one\ntwo', 80)).toEqual(['one', 'two']);
  });
});

async function through(chunks: Buffer[], expectedBytes?: number): Promise<{ out: Buffer; error?: unknown; check: PdfCheck }> {
  const got: Buffer[] = [];
  const check = new PdfCheck(expectedBytes);
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      got.push(c);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(chunks), check, sink);
    return { out: Buffer.concat(got), check };
  } catch (error) {
    return { out: Buffer.concat(got), error, check };
  }
}

describe('PdfCheck (rdp)', () => {
  const pdf = buildPdf({ blocks: [{ style: 'body', text: 'hello' }], footer: 'f', info });

  test('a whole PDF passes unchanged, in any chunking; bytes and SHA-256 are counted', async () => {
    for (const size of [1, 3, 7, 1024, 1 << 20]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < pdf.length; i += size) chunks.push(pdf.subarray(i, i + size));
      const r = await through(chunks, pdf.length);
      expect(r.error).toBeUndefined();
      expect(r.out.equals(pdf)).toBe(true);
      expect(r.check.bytes).toBe(pdf.length);
      expect(r.check.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('JSON, HTML or an empty answer is "not-pdf", and not one byte passes', async () => {
    for (const body of ['{"errors":["Plan not found"]}', '<!DOCTYPE html><html>…</html>', '', 'x'.repeat(5000)]) {
      const r = await through([Buffer.from(body)]);
      expect(r.error).toBeInstanceOf(PdfCheckError);
      expect((r.error as PdfCheckError).reason).toBe('not-pdf');
      expect(r.out.length).toBe(0);
    }
  });

  test('a PDF cut short (no %%EOF, or fewer bytes than announced) is "incomplete"', async () => {
    const half = await through([pdf.subarray(0, pdf.length >> 1)]);
    expect((half.error as PdfCheckError).reason).toBe('incomplete');
    expect((half.error as Error).message).toMatch(/without the %%EOF marker/);
    const short = await through([pdf], pdf.length + 10);
    expect((short.error as PdfCheckError).reason).toBe('incomplete');
    expect((short.error as Error).message).toMatch(/of the announced/);
  });

  test('a few bytes before %PDF- are tolerated (as PDF readers do), within the first 1024', async () => {
    const r = await through([Buffer.from('\r\n'), pdf]);
    expect(r.error).toBeUndefined();
    const late = await through([Buffer.alloc(1100, 0x20), pdf]);
    expect((late.error as PdfCheckError).reason).toBe('not-pdf');
  });
});
