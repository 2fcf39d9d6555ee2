// A streaming multipart/form-data reader for the old deposition-files API (POST .../files with a
// `file` part and an optional `name` field). File parts are handed to a sink chunk by chunk as they
// arrive, so nothing the size of a file is held in memory; only a boundary-sized tail is kept.
import type { Readable } from 'node:stream';

export interface MultipartHandlers {
  /** A file part starts; returns the function that receives its bytes, and one called at its end. */
  file(field: string, filename: string | undefined): { write(chunk: Buffer): void; end(): void };
  field(name: string, value: string): void;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m?.[1] ?? m?.[2];
}

export async function readMultipart(stream: Readable, boundary: string, h: MultipartHandlers): Promise<void> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with "--boundary" (no CRLF before it): prepend one so every delimiter looks alike.
  let buf: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
  let part: { write(c: Buffer): void; end(): void } | undefined;
  let fieldName = '';
  let fieldChunks: Buffer[] = [];

  const finished = () => state === 'done';
  const endPart = () => {
    if (part) part.end();
    else if (fieldName) h.field(fieldName, Buffer.concat(fieldChunks).toString('utf8'));
    part = undefined;
    fieldName = '';
    fieldChunks = [];
  };

  const step = (): boolean => {
    if (state === 'preamble' || state === 'body') {
      const i = buf.indexOf(delimiter);
      if (i < 0) {
        // keep a tail that could be the start of a delimiter
        const keep = Math.min(buf.length, delimiter.length + 2);
        if (state === 'body' && buf.length > keep) {
          const out = buf.subarray(0, buf.length - keep);
          if (part) part.write(Buffer.from(out));
          else fieldChunks.push(Buffer.from(out));
          buf = buf.subarray(buf.length - keep);
        }
        return false;
      }
      if (state === 'body') {
        const out = buf.subarray(0, i);
        if (part) part.write(Buffer.from(out));
        else fieldChunks.push(Buffer.from(out));
        endPart();
      }
      const after = buf.subarray(i + delimiter.length);
      if (after.length < 2) return false;
      if (after.subarray(0, 2).toString() === '--') {
        state = 'done';
        return false;
      }
      buf = after.subarray(2); // CRLF after the delimiter
      state = 'headers';
      return true;
    }
    if (state === 'headers') {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const headers = buf.subarray(0, end).toString('utf8');
      buf = buf.subarray(end + 4);
      const disp = /content-disposition:\s*form-data\s*;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disp)?.[1] ?? '';
      const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
      if (filename !== undefined) part = h.file(name, filename);
      else fieldName = name;
      state = 'body';
      return true;
    }
    return false;
  };

  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    while (step()) {
      // parse as far as the data goes
    }
    if (finished()) break;
  }
  if (!finished()) throw new Error('the multipart body ended early');
}
