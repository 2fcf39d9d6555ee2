// Pure pieces behind re-runs and folder selection: the key a command's state is kept under, the
// --exclude a hint suggests (it must leave out exactly that path), the left-out summary, and the
// unescaping of Zotero's failed messages (against the recorded fixture).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InputError } from '../../../src/errors/errors.js';
import { excludeFlag, walkFolder } from '../../../src/transfer/local.js';
import { countLeftOut } from '../../../src/transfer/selection.js';
import { uploadKey } from '../../../src/store/upload-state.js';
import { unescapeHtml } from '../../../src/util/html.js';
import { ROOT } from '../../helpers/sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-sel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the state key of an upload command', () => {
  test('the same host and set of paths (any order or spelling) is the same command; another target or host is not', () => {
    const a = uploadKey('zenodo', 'https://zenodo.org/api', '/w', ['data', 'notes.txt'], { kind: 'record' });
    expect(uploadKey('zenodo', 'https://zenodo.org/api', '/w', ['./notes.txt', '/w/data/'], { kind: 'record' }).key).toBe(a.key);
    expect(uploadKey('zenodo', 'https://zenodo.org/api', '/w', ['data', 'notes.txt', 'data'], { kind: 'record' }).key).toBe(a.key);
    expect(uploadKey('zenodo', 'https://sandbox.zenodo.org/api', '/w', ['data', 'notes.txt'], { kind: 'record' }).key).not.toBe(a.key);
    expect(uploadKey('zenodo', 'https://zenodo.org/api', '/w', ['data'], { kind: 'record' }).key).not.toBe(a.key);
    expect(uploadKey('zenodo', 'https://zenodo.org/api', '/w', ['data', 'notes.txt'], { kind: 'new-version', of: '5' }).key).not.toBe(a.key);
    expect(a.paths).toEqual(['/w/data', '/w/notes.txt']);
  });
});

describe('selection', () => {
  test('the --exclude a hint suggests leaves out exactly that path, glob characters and all', async () => {
    const root = join(dir, 'weird');
    for (const rel of ['data[1].csv', 'data1.csv', 'a*b.txt', 'aXb.txt', 'sub dir/x.txt', "it's.txt"]) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), rel);
    }
    for (const [rel, left] of [['data[1].csv', 'data[1].csv'], ['a*b.txt', 'a*b.txt'], ['sub dir/', 'sub dir/'], ["it's.txt", "it's.txt"]] as const) {
      const flag = excludeFlag(rel);
      // what a shell makes of the quoted word
      const pattern = flag.replace(/^--exclude '/, '').replace(/'$/, '').replace(/'\\''/g, "'");
      const { files, skipped } = await walkFolder(root, 'weird', { exclude: [pattern] });
      expect(skipped.map((s) => s.rel), flag).toEqual([left]);
      expect(files).toHaveLength(5);
    }
  });

  test('a name that is not UTF-8 (Latin-1 bytes): BAD_FILE_NAME naming it, whose --exclude hint leaves it out; nothing else is lost', async () => {
    const root = join(dir, 'latin1');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'good.txt'), 'ok');
    // caf<E9>.txt: the byte E9 alone is "é" in Latin-1 and no UTF-8 at all
    writeFileSync(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
    const err = (await walkFolder(root, 'latin1').catch((e: unknown) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('BAD_FILE_NAME');
    expect(err.message).toMatch(/caf\uFFFD\.txt has a name that is not UTF-8 text/);
    expect(err.hint).toMatch(/--exclude '\/caf\?\.txt'$/);
    const pattern = /--exclude '(.*)'$/.exec(err.hint ?? '')?.[1] as string;
    const { files, skipped } = await walkFolder(root, 'latin1', { exclude: [pattern] });
    expect(files.map((f) => f.rel)).toEqual(['good.txt']);
    expect(skipped).toEqual([{ rel: 'caf\uFFFD.txt', from: 'latin1', why: `--exclude ${pattern}` }]);
  });

  test('the left-out summary counts by kind', () => {
    expect(
      countLeftOut([
        { why: 'hidden (--include-hidden sends it)' },
        { why: 'hidden (--include-hidden sends it)' },
        { why: '--exclude *.tmp' },
        { why: '.rdpignore line 2: build/' },
        { why: 'a symbolic link loop (not followed)' },
        { why: 'not a regular file (a socket, pipe or device)' },
      ]),
    ).toBe('2 hidden, 2 excluded, 1 symbolic link loop, 1 not a regular file');
  });
});

describe('Zotero failed messages', () => {
  test('unescaped back to what Zotero meant (the recorded htmlspecialchars example)', () => {
    const fx = JSON.parse(readFileSync(join(ROOT, 'test/contract/zotero/items-api.json'), 'utf8')) as {
      failedMessageEscaping: { example: { sent: string; answered: string } };
    };
    const { sent, answered } = fx.failedMessageEscaping.example;
    expect(unescapeHtml(answered)).toBe(sent);
    expect(unescapeHtml('a &#039;b&#39; &#x27;c&#X27; &unknown; &amp;lt;')).toBe("a 'b' 'c' &unknown; &lt;");
  });
});
