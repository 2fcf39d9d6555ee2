// hashParts: the MD5 of a file and of its parts, read on a worker thread. A re-run against a site that
// reports an S3-style `multipart:` checksum needs the parts' MD5s only; asking for those alone hashes
// every byte once instead of twice (the file's MD5 as well doubled the CPU of a 1 GiB re-run).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hashParts } from '../../../../src/providers/invenio/multipart.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-hashparts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('hashParts', () => {
  const data = randomBytes(5 * 1024 * 1024 + 17);
  const path = join(dir, 'data.bin');
  writeFileSync(path, data);
  const partSize = 2 * 1024 * 1024;
  const slices = [data.subarray(0, partSize), data.subarray(partSize, 2 * partSize), data.subarray(2 * partSize)];

  test('the file and its parts', async () => {
    const h = await hashParts(path, data.length, partSize);
    expect(h.md5).toBe(md5(data));
    expect(h.parts).toEqual(slices.map(md5));
  });

  test('the file alone', async () => {
    expect(await hashParts(path, data.length, partSize, undefined, false)).toEqual({ md5: md5(data), parts: [] });
  });

  test('the parts alone (no whole-file MD5 is computed)', async () => {
    expect(await hashParts(path, data.length, partSize, undefined, true, false)).toEqual({ md5: '', parts: slices.map(md5) });
  });

  test('the size planned and no more: bytes the file grew by since are not read', async () => {
    const grown = join(dir, 'grown.bin');
    writeFileSync(grown, Buffer.concat([data, randomBytes(1000)]));
    expect(await hashParts(grown, data.length, partSize)).toEqual({ md5: md5(data), parts: slices.map(md5) });
  });

  test('a file shorter than planned fails, naming it', async () => {
    await expect(hashParts(path, data.length + 1, partSize)).rejects.toThrow(/data\.bin is shorter than the 5242898 bytes planned/);
  });
});
