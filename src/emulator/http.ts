// Request/response helpers for the emulator's handlers.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

export class EmuHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

/** Counts request-body bytes and can cut the connection after N bytes (fault injection). */
export class ByteMeter extends Transform {
  bytes = 0;
  constructor(
    private readonly cutAfter: number | undefined,
    private readonly onCut: () => void,
  ) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.cutAfter !== undefined && this.bytes + chunk.length > this.cutAfter) {
      const keep = Math.max(0, this.cutAfter - this.bytes);
      this.bytes += keep;
      if (keep > 0) this.push(chunk.subarray(0, keep));
      this.onCut();
      cb();
      return;
    }
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

export interface EmuRequest {
  method: string;
  /** Path inside the service (its prefix removed), still percent-encoded. */
  path: string;
  url: URL;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  raw: IncomingMessage;
  /** The request body as a stream (counted, and cut when a fault says so). */
  stream: Readable;
  body(limit?: number): Promise<Buffer>;
  text(limit?: number): Promise<string>;
  json<T = unknown>(): Promise<T>;
  form(): Promise<URLSearchParams>;
  /** `Authorization: Bearer <token>` (case-insensitive scheme). */
  bearer(): string | undefined;
  header(name: string): string | undefined;
}

export class EmuResponse {
  readonly extraHeaders: Record<string, string> = {};
  private cut: { afterBytes: number; onCut: () => void } | undefined;
  constructor(readonly raw: ServerResponse) {}

  /**
   * Fault injection (`cut-response`): send the status, the headers (with the full Content-Length)
   * and only the first `afterBytes` bytes of the body, then destroy the connection.
   */
  cutAfter(afterBytes: number, onCut: () => void): void {
    this.cut = { afterBytes, onCut };
  }

  get sent(): boolean {
    return this.raw.headersSent || this.raw.writableEnded;
  }

  private instead: ((status: number) => void) | undefined;

  /**
   * Fault injection (`status-after`, `drop-after`): the request is handled, but its answer is replaced
   * by `instead` (another status, or a dropped connection): a client whose answer got lost.
   */
  replaceAnswer(instead: (status: number) => void): void {
    this.instead = instead;
  }

  header(name: string, value: string): this {
    this.extraHeaders[name.toLowerCase()] = value;
    return this;
  }

  send(status: number, body: string | Buffer | undefined, contentType?: string, headers: Record<string, string> = {}): void {
    if (this.sent) return;
    if (this.instead) {
      const instead = this.instead;
      this.instead = undefined;
      instead(status);
      return;
    }
    const h: Record<string, string | number> = { ...this.extraHeaders, ...headers };
    if (contentType) h['content-type'] = contentType;
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    this.raw.writeHead(status, h);
    const cut = this.cut;
    if (cut && body !== undefined && Buffer.byteLength(body) > cut.afterBytes) {
      cut.onCut();
      const part = Buffer.from(body).subarray(0, cut.afterBytes);
      // Destroy only once the part has reached the socket, so the client sees it before the cut.
      this.raw.write(part, () => this.raw.socket?.destroy());
      return;
    }
    this.raw.end(body);
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(status, JSON.stringify(body), 'application/json', headers);
  }

  text(status: number, body: string, headers: Record<string, string> = {}): void {
    this.send(status, body, 'text/plain; charset=utf-8', headers);
  }

  html(status: number, body: string, headers: Record<string, string> = {}): void {
    this.send(status, body, 'text/html; charset=utf-8', headers);
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    this.send(status, status === 204 || status === 304 ? undefined : '', undefined, headers);
  }

  redirect(location: string, status = 302): void {
    this.send(status, '', undefined, { location });
  }
}

export function makeRequest(raw: IncomingMessage, url: URL, path: string, stream: Readable): EmuRequest {
  let buffered: Promise<Buffer> | undefined;
  const readAll = (limit: number) => {
    buffered ??= (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of stream) {
        size += (c as Buffer).length;
        if (size > limit) throw new EmuHttpError(413, 'Request body too large');
        chunks.push(c as Buffer);
      }
      return Buffer.concat(chunks);
    })();
    return buffered;
  };
  const req: EmuRequest = {
    method: raw.method ?? 'GET',
    path,
    url,
    query: url.searchParams,
    headers: raw.headers,
    params: {},
    raw,
    stream,
    body: (limit = 16 << 20) => readAll(limit),
    text: async (limit) => (await readAll(limit ?? 16 << 20)).toString('utf8'),
    json: async <T>() => {
      const t = (await readAll(16 << 20)).toString('utf8');
      try {
        return JSON.parse(t) as T;
      } catch {
        throw new EmuHttpError(400, { status: 400, message: 'Request body is not valid JSON.' });
      }
    },
    form: async () => new URLSearchParams((await readAll(1 << 20)).toString('utf8')),
    bearer: () => {
      const a = raw.headers.authorization;
      const m = a ? /^bearer\s+(.+)$/i.exec(a) : null;
      return m?.[1]?.trim();
    },
    header: (name) => {
      const v = raw.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
  };
  return req;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
