// The transfer engine on real files and a real local HTTP server: streamed sends with MD5, retries that
// re-open the source, the on-the-fly zip, the pool, and local input checks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CancelledError, InputError, type RdpError } from '../../../src/errors/errors.js';
import { zenodo } from '../../../src/providers/zenodo/index.js';
import { IO } from '../../../src/output/io.js';
import { HttpClient } from '../../../src/http/client.js';
import { readInputs } from '../../../src/transfer/local.js';
import { CHUNK_SIZE, fileChunks, MIN_REUSED_CHUNK, reusedChunks } from '../../../src/transfer/chunks.js';
import { md5Of, TURN_BYTES } from '../../../src/transfer/hash.js';
import { runPool } from '../../../src/transfer/pool.js';
import { sendSource } from '../../../src/transfer/send.js';
import { FileChangedError, fileSource, type UploadSource, zipSource } from '../../../src/transfer/source.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-transfer-'));
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let handlers: Handler[] = [];
let server: Server;
let base: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    const h = handlers.shift();
    if (h && h.length < 3) {
      h(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      (h ?? ((_q, r, b) => r.end(JSON.stringify({ md5: md5(b), size: b.length }))))(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function client() {
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {});
  return new HttpClient({
    service: { id: 'zenodo', name: 'Zenodo', urlEnv: 'RDP_ZENODO_URL' },
    base,
    log: io,
    errorBody: zenodo.errorBody,
    signal: new AbortController().signal,
    dispatcher: async () => agent,
    env: { RDP_RETRY_BASE_MS: '5' },
  });
}

describe('sendSource', () => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const file = join(dir, 'big.bin');
  writeFileSync(file, data);

  test('streams a file with Content-Length and computes the MD5 of what was sent', async () => {
    let seen = 0;
    const r = await sendSource({ http: client(), method: 'PUT', path: '/bucket/big.bin', source: fileSource({ path: file, size: data.length }, 'big.bin'), onProgress: (n) => (seen = n) });
    expect(JSON.parse(r.text)).toEqual({ md5: md5(data), size: data.length });
    expect(r.md5).toBe(md5(data));
    expect(r.bytes).toBe(data.length);
    expect(seen).toBe(data.length);
    expect(r.attempts).toBe(1);
  });

  test('a connection cut mid-upload is retried from a fresh stream, and the hash starts over', async () => {
    handlers = [
      (req) => {
        let got = 0;
        req.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 1024 * 1024) req.socket.destroy();
        });
      },
    ];
    const restarts: number[] = [];
    const r = await sendSource({
      http: client(),
      method: 'PUT',
      path: '/bucket/big.bin',
      source: fileSource({ path: file, size: data.length }, 'big.bin'),
      onRestart: (n) => restarts.push(n),
    });
    expect(restarts).toEqual([2]);
    expect(r.attempts).toBe(2);
    expect(r.md5).toBe(md5(data));
    expect(JSON.parse(r.text).md5).toBe(md5(data));
  });
});

describe('sendSource with POST (creates something: resent only when the server cannot have acted)', () => {
  // Larger than what loopback socket buffers absorb, so the cut comes while the body is still going out.
  const data = Buffer.alloc(32 * 1024 * 1024, 3);
  const file = join(dir, 'post.bin');
  writeFileSync(file, data);
  const source = () => fileSource({ path: file, size: data.length }, 'post.bin');

  test('a connection cut before the body ended is resent from a fresh stream', async () => {
    let calls = 0;
    handlers = [
      (req) => {
        calls += 1;
        let got = 0;
        req.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 256 * 1024) req.socket.destroy();
        });
      },
    ];
    const r = await sendSource({ http: client(), method: 'POST', path: '/uploads', source: source() });
    expect(calls).toBe(1);
    expect(r.attempts).toBe(2);
    expect(JSON.parse(r.text)).toEqual({ md5: md5(data), size: data.length });
  });

  test('a 503 (the server did not act) is resent; a 500 after the whole body is not', async () => {
    handlers = [(_q, res) => res.writeHead(503, { 'retry-after': '0' }).end('busy')];
    const ok = await sendSource({ http: client(), method: 'POST', path: '/uploads', source: source() });
    expect(ok.attempts).toBe(2);

    let calls = 0;
    handlers = [
      (_q, res) => {
        calls += 1;
        res.writeHead(500).end('{"message":"boom"}');
      },
    ];
    const err = await sendSource({ http: client(), method: 'POST', path: '/uploads', source: source() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 500 });
    expect(calls).toBe(1);
  });
});

describe('sendSource with a large file (read once into two reused buffers, hashed as the bytes go out)', () => {
  const big = Buffer.alloc(9 * 1024 * 1024 + 3);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  const file = join(dir, 'nine-mib.bin');
  writeFileSync(file, big);

  test('the MD5 is that of the file, and of what the server received', async () => {
    const r = await sendSource({ http: client(), method: 'PUT', path: '/bucket/nine.bin', source: fileSource({ path: file, size: big.length }, 'nine.bin') });
    expect(r.md5).toBe(md5(big));
    expect(JSON.parse(r.text)).toEqual({ md5: md5(big), size: big.length });
  });

  test('after a cut connection the resend is verified against the same hash', async () => {
    handlers = [
      (req) => {
        let got = 0;
        req.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 4 * 1024 * 1024) req.socket.destroy();
        });
      },
    ];
    const r = await sendSource({ http: client(), method: 'PUT', path: '/bucket/nine.bin', source: fileSource({ path: file, size: big.length }, 'nine.bin') });
    expect(r.attempts).toBe(2);
    expect(r.md5).toBe(md5(big));
    expect(JSON.parse(r.text).md5).toBe(md5(big));
  });

  test('a file is read into two buffers used in turn, and the next chunk is read while the consumer holds the current one', async () => {
    const seen = new Set<ArrayBufferLike>();
    const parts: Buffer[] = [];
    let chunks = 0;
    for await (const chunk of fileChunks(file, big.length)) {
      seen.add(chunk.buffer);
      chunks += 1;
      // give the read-ahead time to land: it must go into the other buffer, not this one
      await new Promise((r) => setTimeout(r, 5));
      parts.push(Buffer.from(chunk));
    }
    expect(chunks).toBe(Math.ceil(big.length / CHUNK_SIZE));
    expect(seen.size).toBe(2);
    expect(md5(Buffer.concat(parts))).toBe(md5(big));
  });

  test('abandoning the chunks closes the file; a short file ends early; a small file is one chunk of its size', async () => {
    const closed: string[] = [];
    const gen = reusedChunks(4 * CHUNK_SIZE, async (buf) => buf.fill(1).length, () => void closed.push('closed'));
    await gen.next();
    await gen.return(undefined);
    expect(closed).toEqual(['closed']);

    let fills = 0;
    let short = 0;
    for await (const c of reusedChunks(4 * CHUNK_SIZE, async (buf) => (++fills === 1 ? buf.length : 10))) short += c.length;
    expect(short).toBe(CHUNK_SIZE + 10);
    expect(fills).toBe(2);

    const small = join(dir, 'small.bin');
    writeFileSync(small, 'x'.repeat(5000));
    const got: Buffer[] = [];
    for await (const c of fileChunks(small, 5000)) got.push(c);
    expect(got.map((c) => c.length)).toEqual([5000]);
    expect(got[0]?.buffer.byteLength).toBeLessThan(MIN_REUSED_CHUNK);
  });

  test('below MIN_REUSED_CHUNK, buffers are never handed out twice (a socket may still hold them)', async () => {
    const seen = new Set<ArrayBufferLike>();
    for await (const c of reusedChunks(10 * 1024, async (buf) => buf.fill(2).length, undefined, 1024)) seen.add(c.buffer);
    expect(seen.size).toBe(10);
  });

  test('md5Of reads a source once, and stops when the signal aborts', async () => {
    await expect(md5Of(fileSource({ path: file, size: big.length }, 'nine.bin'))).resolves.toBe(md5(big));
    const ac = new AbortController();
    ac.abort();
    await expect(md5Of(fileSource({ path: file, size: big.length }, 'nine.bin'), ac.signal)).rejects.toBeInstanceOf(CancelledError);
    await expect(md5Of(fileSource({ path: join(dir, 'missing'), size: 10 }, 'missing'))).rejects.toThrow(/ENOENT/);
  });

  test('md5Of lets the event loop turn while it hashes a large file: a Ctrl-C (an abort from a callback) stops it', async () => {
    // Quick reads are blocking calls: without a pause every few MB the loop never turns, a signal's
    // handler never runs, and a file of gigabytes is hashed to the end before Ctrl-C is seen.
    const large = join(dir, 'large.bin');
    const bytes = TURN_BYTES * 3 + 12345;
    writeFileSync(large, Buffer.alloc(bytes, 7));
    const source = fileSource({ path: large, size: bytes }, 'large.bin');
    await expect(md5Of(source)).resolves.toBe(md5(Buffer.alloc(bytes, 7)));
    const ac = new AbortController();
    let hashed = 0;
    setImmediate(() => ac.abort()); // the first turn of the loop, as a signal handler would run
    await expect(md5Of(source, ac.signal, (n) => (hashed = n))).rejects.toBeInstanceOf(CancelledError);
    expect(hashed).toBeGreaterThanOrEqual(TURN_BYTES);
    expect(hashed).toBeLessThan(bytes);
    // A source that is not one file on disk (a zip built on the fly) pauses the same way.
    const zip = await zipSource([{ path: large, rel: 'large.bin', size: bytes, mtimeMs: statSync(large).mtimeMs, mode: 0o644 }], 'd.zip', 'd.zip');
    const ac2 = new AbortController();
    setImmediate(() => ac2.abort());
    await expect(md5Of(zip, ac2.signal)).rejects.toBeInstanceOf(CancelledError);
    rmSync(large);
  });
});

describe('a source that does not match what was planned', () => {
  test('a file that shrinks while it is sent: "changed while being sent" (FILE_CHANGED), not a network error', async () => {
    const path = join(dir, 'shrinks.bin');
    writeFileSync(path, Buffer.alloc(24 * 1024 * 1024, 3));
    const src = fileSource({ path, size: 24 * 1024 * 1024, mtimeMs: statSync(path).mtimeMs }, 'shrinks.bin');
    // the server truncates the file as soon as the first bytes arrive, and keeps reading
    handlers.push((req, res) => {
      let cut = false;
      req.on('data', () => {
        if (!cut) truncateSync(path, 1024 * 1024);
        cut = true;
      });
      req.on('end', () => res.end('{}'));
      req.on('error', () => {});
    });
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/shrinks.bin', source: src }).catch((e: unknown) => e)) as RdpError;
    expect(err).toBeInstanceOf(FileChangedError);
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.message).toMatch(/shrinks\.bin changed while being sent \(25165824 bytes when rdp started, 1048576 now\)/);
  });

  test('a file removed while it is sent: FILE_CHANGED that says it is gone, with a hint to put it back (not "still writing")', async () => {
    const path = join(dir, 'removed.bin');
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024, 6));
    const src = fileSource({ path, size: 8 * 1024 * 1024, mtimeMs: statSync(path).mtimeMs }, 'removed.bin');
    handlers.push((req, res) => {
      let gone = false;
      req.on('data', () => {
        if (!gone) rmSync(path);
        gone = true;
      });
      req.on('end', () => res.end('{}'));
    });
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/removed.bin', source: src }).catch((e: unknown) => e)) as RdpError;
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.message).toMatch(/removed\.bin changed while being sent \(it is gone: ENOENT\)/);
    expect(err.hint).toMatch(/removed or renamed while rdp sent it: put it back/);
  });

  test('a file that grows while it is read: exactly the announced bytes go out, then FILE_CHANGED', async () => {
    const path = join(dir, 'grows-while-read.bin');
    const size = 6 * 1024 * 1024;
    writeFileSync(path, Buffer.alloc(size, 4));
    const src = fileSource({ path, size, mtimeMs: statSync(path).mtimeMs }, 'grows-while-read.bin');
    let received = -1;
    handlers.push((req, res) => {
      let got = 0;
      let grown = false;
      req.on('data', (c: Buffer) => {
        if (!grown) appendFileSync(path, Buffer.alloc(1024 * 1024, 5));
        grown = true;
        got += c.length;
      });
      req.on('end', () => {
        received = got;
        res.end('{}');
      });
    });
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/grows-while-read.bin', source: src }).catch((e: unknown) => e)) as RdpError;
    expect(received).toBe(size);
    expect(err).toBeInstanceOf(FileChangedError);
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.message).toMatch(/grows-while-read\.bin changed while being sent \(6291456 bytes when rdp started, 7340032 now\)/);
  });

  test('a file in a zip that shrinks while it is read: FILE_CHANGED naming that file, and no archive is completed', async () => {
    const a = join(dir, 'zip-a.bin');
    const b = join(dir, 'zip-b.bin');
    // b comes after 8 MiB of a: far more than the sender reads ahead of what the server has taken
    writeFileSync(a, Buffer.alloc(8 * 1024 * 1024, 1));
    writeFileSync(b, Buffer.alloc(3 * 1024 * 1024, 2));
    const entry = (path: string, rel: string) => ({ path, rel, size: statSync(path).size, mtimeMs: statSync(path).mtimeMs, mode: 0o644 });
    const src = await zipSource([entry(a, 'a.bin'), entry(b, 'b.bin')], 'two.zip', '2 files as two.zip');
    let ended = false;
    handlers.push((req, res) => {
      let cut = false;
      req.on('data', () => {
        if (!cut) truncateSync(b, 1000);
        cut = true;
      });
      req.on('end', () => {
        ended = true;
        res.end('{}');
      });
      req.on('error', () => {});
    });
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/two.zip', source: src }).catch((e: unknown) => e)) as RdpError;
    expect(err).toBeInstanceOf(FileChangedError);
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.message).toContain(`${b} changed while being sent (3145728 bytes when rdp started, 1000 now)`);
    expect(ended).toBe(false);
  });

  test('a small file that grew after its bytes were read is reported after the send (size and mtime looked at again)', async () => {
    const path = join(dir, 'grows.txt');
    writeFileSync(path, 'v1\n');
    const src = fileSource({ path, size: 3, mtimeMs: statSync(path).mtimeMs }, 'grows.txt');
    handlers.push((_req, res, body) => {
      appendFileSync(path, 'more\n');
      res.end(JSON.stringify({ md5: md5(body), size: body.length }));
    });
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/grows.txt', source: src }).catch((e: unknown) => e)) as RdpError;
    expect(err).toBeInstanceOf(FileChangedError);
    expect(err.message).toMatch(/grows\.txt changed while being sent \(3 bytes when rdp started, 8 now\)/);
    // a caller may take it as a note instead (NOMAD: the upload exists, with the earlier content)
    writeFileSync(path, 'v2\n');
    const again = fileSource({ path, size: 3, mtimeMs: statSync(path).mtimeMs }, 'grows.txt');
    handlers.push((_req, res, body) => {
      utimesSync(path, new Date(), new Date(Date.now() + 5000));
      res.end(JSON.stringify({ md5: md5(body), size: body.length }));
    });
    let told: RdpError | undefined;
    const r = await sendSource({ http: client(), method: 'PUT', path: '/bucket/grows.txt', source: again, onChangedAfterSend: (e) => (told = e) });
    expect(JSON.parse(r.text)).toEqual({ md5: md5('v2\n'), size: 3 });
    expect(told?.message).toMatch(/grows\.txt changed while being sent \(it was modified after rdp started\)/);
  });

  test('a source that yields other than its announced size is rdp\'s own fault (LENGTH_MISMATCH), never "Cannot reach"', async () => {
    const gives = (text: string) => ({
      async *chunks() {
        yield Buffer.from(text);
      },
      open: () => Readable.from([Buffer.from(text)]),
    });
    const liar: UploadSource = { name: 'x', label: 'x', size: 10, ...gives('12345') };
    const err = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/x', source: liar }).catch((e: unknown) => e)) as RdpError;
    expect(err.code).toBe('LENGTH_MISMATCH');
    expect(err.message).toMatch(/rdp announced 10 bytes for x but produced 5: this is a fault in rdp, not in the network/);
    const long: UploadSource = { name: 'y', label: 'y', size: 3, ...gives('12345') };
    const err2 = (await sendSource({ http: client(), method: 'PUT', path: '/bucket/y', source: long }).catch((e: unknown) => e)) as RdpError;
    expect(err2.code).toBe('LENGTH_MISMATCH');
    expect(err2.message).toMatch(/produced more/);
  });
});

describe('zipSource', () => {
  test('streams a zip whose size is known up front and whose entries match the files byte for byte', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    const files = [
      { rel: 'top.txt', data: Buffer.from('hello\n') },
      { rel: 'a/one.bin', data: Buffer.alloc(200_000, 1) },
      { rel: 'a/b/two.csv', data: Buffer.from('x,y\n1,2\n') },
      { rel: 'a/b/empty', data: Buffer.alloc(0) },
    ];
    for (const f of files) writeFileSync(join(root, f.rel), f.data);
    const [input] = await readInputs([root], dir);
    const src = await zipSource(input?.files ?? [], 'tree.zip', 'tree');
    const r = await sendSource({ http: client(), method: 'POST', path: '/uploads', source: src });
    const got = JSON.parse(r.text) as { md5: string; size: number };
    expect(got.size).toBe(src.size);
    // read it back with an independent implementation (Python's zipfile checks every CRC)
    const zipPath = join(dir, 'out.zip');
    const chunks: Buffer[] = [];
    for await (const c of src.open()) chunks.push(c as Buffer);
    writeFileSync(zipPath, Buffer.concat(chunks));
    expect(md5(Buffer.concat(chunks))).toBe(got.md5);
    const listing = execFileSync('python3', [
      '-c',
      'import sys,zipfile,json,hashlib; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({i.filename: hashlib.md5(z.read(i)).hexdigest() for i in z.infolist()}))',
      zipPath,
    ]).toString();
    expect(JSON.parse(listing)).toEqual(Object.fromEntries(files.map((f) => [f.rel, md5(f.data)])));
  });
});

describe('runPool', () => {
  test('runs at most N at a time, and one failure does not stop the others', async () => {
    let running = 0;
    let peak = 0;
    const res = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      if (n === 4) throw new Error('four');
      return n * 2;
    });
    expect(peak).toBe(3);
    expect(res.filter((r) => r.ok).map((r) => (r as { value: number }).value)).toEqual([2, 4, 6, 10, 12, 14]);
    expect(res[3]).toMatchObject({ ok: false });
  });

  test('an aborted signal starts nothing new', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const res = await runPool([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) ac.abort();
      return n;
    }, ac.signal);
    expect(started).toEqual([1, 2]);
    expect(res.slice(2).every((r) => !r.ok)).toBe(true);
  });
});

describe('readInputs', () => {
  test('files keep their base name; folders give names relative to the folder, sorted', async () => {
    const root = join(dir, 'inputs');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'z.txt'), 'z');
    writeFileSync(join(root, 'sub', 'a.txt'), 'a');
    symlinkSync(root, join(root, 'sub', 'loop'));
    writeFileSync(join(dir, 'single.dat'), '1234');
    const inputs = await readInputs(['inputs', 'single.dat'], dir);
    expect(inputs.map((i) => i.kind)).toEqual(['folder', 'file']);
    expect(inputs[0]?.files.map((f) => f.rel)).toEqual(['sub/a.txt', 'z.txt']);
    expect(inputs[1]?.files[0]).toMatchObject({ rel: 'single.dat', size: 4 });
  });

  test.each([
    [['nope'], 'MISSING_PATH'],
    [[], 'MISSING_PATH'],
  ])('%j is refused with %s', async (args, code) => {
    const err = await readInputs(args, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe(code);
  });

  test('an empty folder is refused', async () => {
    mkdirSync(join(dir, 'empty', 'deeper'), { recursive: true });
    const err = (await readInputs(['empty'], dir).catch((e: unknown) => e)) as InputError;
    expect(err.code).toBe('EMPTY_FOLDER');
  });
});
