import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PlaintextFileStore } from '../../../src/store/file-store.js';
import { writeFileAtomic } from '../../../src/util/atomic.js';

const root = mkdtempSync(join(tmpdir(), 'rdp-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atomic 0600 writes', () => {
  test('create the directory 0700 and the file 0600, leaving no temporary file', async () => {
    const dir = join(mkdtempSync(join(root, 'nested-')), 'nested', 'rdp');
    const file = join(dir, 'tokens.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['tokens.json']);
  });

  test('a 0644 file is rewritten as 0600', async () => {
    const dir = mkdtempSync(join(root, 'mode-'));
    const file = join(dir, 'f');
    writeFileSync(file, 'x', { mode: 0o644 });
    await writeFileAtomic(file, 'y');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('the plaintext store keeps accounts apart and deletes its file when empty', async () => {
    const dir = mkdtempSync(join(root, 'store-'));
    const store = new PlaintextFileStore(join(dir, 'tokens.json'));
    await store.put('zenodo@zenodo.org', { token: 'a' });
    await store.put('nomad@nomad-lab.eu', { token: 'b', refresh_token: 'r' });
    expect(await store.get('nomad@nomad-lab.eu')).toEqual({ token: 'b', refresh_token: 'r' });
    expect(await store.remove('zenodo@zenodo.org')).toBe(true);
    expect(await store.remove('zenodo@zenodo.org')).toBe(false);
    await store.remove('nomad@nomad-lab.eu');
    expect(readdirSync(dir)).toEqual([]);
  });
});
