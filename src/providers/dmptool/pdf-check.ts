// Checks a PDF while it streams through: it must start like one (`%PDF-` within the first 1024 bytes,
// the tolerance PDF readers apply), have the length the server announced, and end like one (`%%EOF`
// in its last 1024 bytes). Nothing passes downstream until the start is checked, so a JSON or HTML
// answer never reaches the file or stdout. Also counts the bytes and hashes them (SHA-256).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const WINDOW = 1024;
const MAGIC = Buffer.from('%PDF-');
const EOF = Buffer.from('%%EOF');

export class PdfCheckError extends Error {
  constructor(
    /** `not-pdf`: wrong content (do not retry); `incomplete`: the transfer ended early (retry). */
    readonly reason: 'not-pdf' | 'incomplete',
    message: string,
  ) {
    super(message);
    this.name = 'PdfCheckError';
  }
}

export class PdfCheck extends Transform {
  bytes = 0;
  sha256 = '';
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  private started = false;
  private tail = Buffer.alloc(0);

  constructor(readonly expectedBytes?: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.tail = chunk.length >= WINDOW ? Buffer.from(chunk.subarray(-WINDOW)) : Buffer.concat([this.tail, chunk]).subarray(-WINDOW);
    if (this.started) {
      cb(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const head = Buffer.concat(this.head);
    if (head.subarray(0, WINDOW).includes(MAGIC)) {
      this.started = true;
      this.head = [];
      cb(null, head);
      return;
    }
    if (this.headBytes >= WINDOW) {
      cb(new PdfCheckError('not-pdf', `it does not start like a PDF (${describe(head)})`));
      return;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    if (!this.started) {
      const head = Buffer.concat(this.head);
      cb(new PdfCheckError('not-pdf', this.bytes === 0 ? 'it is empty' : `it does not start like a PDF (${describe(head)})`));
      return;
    }
    if (this.expectedBytes !== undefined && this.bytes !== this.expectedBytes) {
      cb(new PdfCheckError('incomplete', `${this.bytes} of the announced ${this.expectedBytes} bytes arrived`));
      return;
    }
    if (!this.tail.includes(EOF)) {
      cb(new PdfCheckError('incomplete', `it ends after ${this.bytes} bytes without the %%EOF marker of a whole PDF`));
      return;
    }
    cb();
  }
}

/** The first bytes, printable, for an error message. */
function describe(head: Buffer): string {
  const text = head.subarray(0, 40).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `it begins "${text}${head.length > 40 ? '…' : ''}"`;
}
