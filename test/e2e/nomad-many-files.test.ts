// `rdp upload DIR --to nomad` of folders with many small files (issue 17): computational-materials
// uploads are thousands of small outputs. Until rdp wrote its own zip stream, the Content-Length of
// the zip built on the fly was 76 bytes larger than what was sent as soon as the central directory
// reached 64 KiB (~1,025 files), and every such upload failed. The emulator (yauzl) must unpack what
// arrives, file for file; the ZIP64 end records (more than 65,535 entries) are read by it too.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import type { NomadDeposit as NomadUploadResult } from '../../src/providers/nomad/deposit/run.js';
import type { TestEmulator } from '../helpers/emulator.js';
import { useNomadEmulator } from '../helpers/nomad.js';
import { parseJson, type Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

const setup = useNomadEmulator();
beforeAll(() => {
  ({ emu, sb } = setup);
});

function localTree(root: string): Map<string, { size: number; md5: string }> {
  const out = new Map<string, { size: number; md5: string }>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), { size: statSync(p).size, md5: md5(readFileSync(p)) });
    }
  };
  walk(root);
  return out;
}

describe('many small files as one zip', () => {
  test('10,000 files in 100 folders arrive whole: the announced size is what is sent, and every file matches', { timeout: 240_000 }, async () => {
    const root = join(sb.dir, 'run10k');
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(root, `step${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(root, `step${d}`, `OUTCAR.${f}`), `${d}/${f}\n`);
    }
    const r = await sb.run(['upload', 'run10k', '--to', 'nomad', '--json'], { timeoutMs: 200_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = parseJson<NomadUploadResult>(r.stdout);
    expect(res).toMatchObject({ processStatus: 'SUCCESS', sent: { kind: 'zip', files: 10_000 } });
    const u = nomadUploads(emu.server.state).uploads.get(res.uploadId);
    expect(u?.received).toEqual([{ name: 'run10k.zip', bytes: res.sent.bytes, md5: expect.any(String), kind: 'zip' }]);
    expect(u?.files).toEqual(localTree(root));
  });

  test('more than 65,535 entries (ZIP64 counts) arrive whole', { timeout: 240_000 }, async () => {
    const root = join(sb.dir, 'run65k');
    const n = 65_540;
    // Empty files (a few with content): created fast, and still one entry each.
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) mkdirSync(join(root, `d${i / 1000}`), { recursive: true });
      closeSync(openSync(join(root, `d${Math.floor(i / 1000)}`, `f${i}`), 'w'));
    }
    writeFileSync(join(root, 'd0', 'f0'), 'first\n');
    writeFileSync(join(root, 'd65', 'f65539'), 'last\n');
    const r = await sb.run(['upload', 'run65k', '--to', 'nomad', '--json'], { timeoutMs: 200_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = parseJson<NomadUploadResult>(r.stdout);
    expect(res).toMatchObject({ processStatus: 'SUCCESS', sent: { kind: 'zip', files: n } });
    const u = nomadUploads(emu.server.state).uploads.get(res.uploadId);
    expect(u?.received).toEqual([{ name: 'run65k.zip', bytes: res.sent.bytes, md5: expect.any(String), kind: 'zip' }]);
    expect(u?.files.size).toBe(n);
    expect(u?.files.get('d0/f0')).toEqual({ size: 6, md5: md5('first\n') });
    expect(u?.files.get('d65/f65539')).toEqual({ size: 5, md5: md5('last\n') });
    expect(u?.files.get('d32/f32768')).toEqual({ size: 0, md5: md5('') });
  });
});
