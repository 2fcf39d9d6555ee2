// What upload commands remember between runs (src/store/upload-state.ts), on a real file: the NOMAD
// additions (the files an upload holds, a pending upload-creating request) beside the drafts of Zenodo.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UploadState, uploadKey } from '../../../src/store/upload-state.js';

const root = mkdtempSync(join(tmpdir(), 'rdp-upload-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function state() {
  const file = join(mkdtempSync(join(root, 'state-')), 'uploads.json');
  let t = Date.parse('2026-12-02T07:00:00Z');
  const warnings: string[] = [];
  const s = new UploadState(async () => file, { warn: (m: string) => void warnings.push(m) }, { now: () => (t += 1000) });
  return { s, file, warnings };
}
const key = uploadKey('nomad', 'https://nomad.example/api/v1', '/data', ['run1'], { kind: 'record' });
const sel = (fingerprint: string) => ({ fingerprint, files: 2, bytes: 10 });

describe('upload state: NOMAD', () => {
  test('a pending attempt on an empty entry: id "", the attempt remembered; forgetting it removes the entry', async () => {
    const { s, file, warnings } = state();
    await s.rememberAttempt(key, { name: 'run1', selection: sel('f1') });
    const e = await s.read(key);
    expect(e).toMatchObject({ service: 'nomad', id: '', pending: { name: 'run1', since: '2026-12-02T07:00:01.000Z', selection: sel('f1') } });
    await s.forgetAttempt(key);
    expect(await s.read(key)).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8')).uploads).toEqual({});
    expect(warnings).toEqual([]);
  });

  test('an attempt beside a remembered upload keeps it; forgetting the attempt keeps the upload', async () => {
    const { s } = state();
    await s.rememberDraft(key, { id: 'UP1' }, sel('f1'));
    await s.rememberAttempt(key, { name: 'run1', selection: sel('f2') });
    expect(await s.read(key)).toMatchObject({ id: 'UP1', selection: sel('f1'), pending: { selection: sel('f2') } });
    await s.forgetAttempt(key);
    const e = await s.read(key);
    expect(e).toMatchObject({ id: 'UP1', selection: sel('f1') });
    expect(e?.pending).toBeUndefined();
  });

  test('recording the upload ends the attempt; published keeps the selection and the first time', async () => {
    const { s } = state();
    await s.rememberAttempt(key, { name: 'run1', selection: sel('f1') });
    await s.rememberDraft(key, { id: 'UP2' }, sel('f1'));
    const draft = await s.read(key);
    expect(draft).toMatchObject({ id: 'UP2', selection: sel('f1') });
    expect(draft?.pending).toBeUndefined();
    await s.rememberDraft(key, { id: 'UP2' });
    expect((await s.read(key))?.selection).toEqual(sel('f1'));
    await s.rememberPublished(key, { id: 'UP2' });
    const pub = await s.read(key);
    expect(pub).toMatchObject({ id: 'UP2', selection: sel('f1'), created: draft?.created, published: { doi: null } });
    // another upload: what the first held is not carried over
    await s.rememberDraft(key, { id: 'UP3' });
    expect((await s.read(key))?.selection).toBeUndefined();
  });
});
