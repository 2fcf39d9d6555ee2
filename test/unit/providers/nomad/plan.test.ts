// What `rdp upload --to nomad` decides to send, on real local files: archives as they are, the zip
// layout for folders and several paths, names, and the refusals made before anything is sent.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InputError } from '../../../../src/errors/errors.js';
import { readInputs } from '../../../../src/transfer/local.js';
import { planNomadUpload, zipLayout } from '../../../../src/providers/nomad/deposit/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-nomad-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function put(rel: string, content: string | Buffer = 'x'): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

put('proj/run1/INCAR');
put('proj/run1/out/OUTCAR');
put('proj/run2/INCAR');
put('proj/notes.txt');
put('proj/run'); // a file named like a folder's name
put('other/run/x.txt');
put('real.zip', Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
put('real.tgz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
put('text.tar', 'not a tar at all');

describe('zip layout', () => {
  test('one folder: its contents at the root; several paths: folders under their names, files at the root', async () => {
    expect(zipLayout(await readInputs(['proj/run1'], dir)).map((e) => e.rel)).toEqual(['INCAR', 'out/OUTCAR']);
    expect(zipLayout(await readInputs(['proj/run1', 'proj/run2', 'proj/notes.txt'], dir)).map((e) => e.rel)).toEqual([
      'run1/INCAR',
      'run1/out/OUTCAR',
      'run2/INCAR',
      'notes.txt',
    ]);
  });

  test('a file and a folder of the same name collide', async () => {
    const inputs = await readInputs(['proj/run', 'other/run'], dir);
    expect(() => zipLayout(inputs)).toThrow(/"run": proj\/run and other\/run/);
  });
});

describe('planNomadUpload', () => {
  test('archives go as they are; names come from the folder, the file, or the common parent', async () => {
    expect(await planNomadUpload(['real.zip'], dir)).toMatchObject({ kind: 'archive', fileName: 'real.zip', defaultName: 'real.zip', files: 1 });
    expect(await planNomadUpload(['real.tgz'], dir)).toMatchObject({ kind: 'archive', fileName: 'real.tgz' });
    expect(await planNomadUpload(['proj/run1'], dir)).toMatchObject({ kind: 'zip', fileName: 'run1.zip', defaultName: 'run1', files: 2 });
    expect(await planNomadUpload(['proj/notes.txt'], dir)).toMatchObject({ kind: 'zip', fileName: 'notes.txt.zip', defaultName: 'notes.txt', files: 1 });
    expect(await planNomadUpload(['proj/run1', 'proj/notes.txt'], dir)).toMatchObject({ kind: 'zip', fileName: 'proj.zip', defaultName: 'proj', files: 3 });
  });

  test('an archive whose content is not what its name says is refused', async () => {
    const err = (await planNomadUpload(['text.tar'], dir).catch((e: unknown) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('NOT_AN_ARCHIVE');
    expect(err.message).toMatch(/named like a tar archive but its content is not an archive NOMAD can extract/);
  });
});

describe('the selection fingerprint (the same command run again compares it)', () => {
  test('the same files give the same fingerprint; a changed size, modification time, added file or other layout changes it', async () => {
    put('fp/a.txt', 'aaa');
    put('fp/sub/b.txt', 'b');
    utimesSync(join(dir, 'fp/a.txt'), 1_700_000_000, 1_700_000_000);
    const first = (await planNomadUpload(['fp'], dir)).selection;
    expect(first).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), files: 2, bytes: 4 });
    expect((await planNomadUpload(['fp'], dir)).selection).toEqual(first);
    // the same bytes, another modification time
    utimesSync(join(dir, 'fp/a.txt'), 1_700_000_100, 1_700_000_100);
    const touched = (await planNomadUpload(['fp'], dir)).selection;
    expect(touched.fingerprint).not.toBe(first.fingerprint);
    // another size
    put('fp/a.txt', 'aaaa');
    const bigger = (await planNomadUpload(['fp'], dir)).selection;
    expect(bigger).toMatchObject({ files: 2, bytes: 5 });
    expect(bigger.fingerprint).not.toBe(touched.fingerprint);
    // a file more
    put('fp/c.txt', '');
    const more = (await planNomadUpload(['fp'], dir)).selection;
    expect(more.files).toBe(3);
    expect(more.fingerprint).not.toBe(bigger.fingerprint);
    // the same files under another layout (the folder as one of several inputs)
    const layout = (await planNomadUpload(['fp', 'proj/notes.txt'], dir)).selection;
    expect(layout.fingerprint).not.toBe(more.fingerprint);
  });

  test('an archive sent as it is: its name, size and modification time', async () => {
    const a = (await planNomadUpload(['real.zip'], dir)).selection;
    expect(a).toMatchObject({ files: 1, bytes: 22 });
    utimesSync(join(dir, 'real.zip'), 1_600_000_000, 1_600_000_000);
    expect((await planNomadUpload(['real.zip'], dir)).selection.fingerprint).not.toBe(a.fingerprint);
  });
});
