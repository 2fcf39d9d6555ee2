// What an upload loads of Node itself (SPEC.md section 6, bench/NOTES.md): node:http (Node's HTTP server
// and client, ~7 ms of every start) is only for a browser login's loopback listener, and node:zlib only for
// a zip's CRC-32; undici and the token renewal that share bundle chunks with them must not pull them in.
// Node's file streams neither: graceful-fs (under proper-lockfile) made Node load them as it patched fs.
// Checked on the built CLI uploading to the emulator, through a preload that lists the built-in modules
// the process loaded.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;
let hook: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_RETRY_BASE_MS: '10' });
  sb.secret(emu.tokens.zenodo);
  mkdirSync(join(sb.dir, 'data'));
  writeFileSync(join(sb.dir, 'data', 'a.csv'), 'a,b\n1,2\n');
  writeFileSync(join(sb.dir, 'data', 'b.txt'), 'hello\n');
  hook = join(sb.dir, 'builtins-hook.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.RDP_TEST_BUILTINS_OUT, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));\n`,
  );
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

async function builtinsOf(args: string[], name: string): Promise<string[]> {
  const out = join(sb.dir, `${name}.txt`);
  const r = await sb.run(args, { env: { NODE_OPTIONS: `--require ${hook}`, RDP_TEST_BUILTINS_OUT: out } });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').split('\n');
}

describe('built-in modules an upload loads', () => {
  test('a Zenodo upload: undici and node:net, not node:http or node:zlib', async () => {
    const loaded = await builtinsOf(['upload', join(sb.dir, 'data'), '--to', 'zenodo', '--new-record', '--quiet'], 'zenodo');
    expect(loaded).toContain('net'); // the preload saw the upload's connections: the list is real
    expect(loaded).not.toContain('http');
    expect(loaded).not.toContain('_http_server');
    expect(loaded).not.toContain('zlib');
    expect(loaded).not.toContain('internal/fs/streams');
  });

  test('a zip upload loads node:zlib for the CRC-32, and still not node:http', async () => {
    const loaded = await builtinsOf(['upload', join(sb.dir, 'data'), '--to', 'zenodo', '--new-record', '--zip', 'data.zip', '--quiet'], 'zip');
    expect(loaded).toContain('zlib');
    expect(loaded).not.toContain('http');
  });
});
