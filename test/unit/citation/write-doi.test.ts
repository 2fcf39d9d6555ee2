// --write-doi's CITATION.cff writer on real-looking files: everything but the DOI lines stays byte for
// byte (comments, quoting, folded text, flow lists, blank lines, key order, CRLF, a BOM); a second run
// changes nothing; the next version replaces the version DOI rdp wrote; no file is created.
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { rewriteCitation } from '../../../src/citation/cff-rewrite.js';
import { CFF_FILE, VERSION_DOI_DESCRIPTION, writeDoiToCitation } from '../../../src/citation/write-doi.js';
import { InputError } from '../../../src/errors/errors.js';

const DOIS = { concept: '10.5281/zenodo.1000', version: '10.5281/zenodo.1001' };

const CFFINIT = `# This CITATION.cff file was generated with cffinit.
# Visit https://bit.ly/cffinit to generate yours today!

cff-version: 1.2.0
title: "Soil carbon survey: raw observations"
message: >-
  If you use this dataset, please cite it using the
  metadata from this file.
type: dataset
authors:
  - given-names: Jane
    family-names: Doe
    email: jane@example.org   # contact
    affiliation: Example University
    orcid: 'https://orcid.org/0000-0002-1825-0097'
  - name: "The Soil Team"
identifiers:
  - type: url
    value: 'https://example.org/soil'
    description: Project page
repository-code: 'https://github.com/example/soil'
keywords: [soil, carbon, "field survey"]
license: CC-BY-4.0
version: 1.0.0
date-released: '2026-11-30'
`;

/** The lines of `after` that are not in `before` (a multiset difference), and the ones that went. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (s: string) => {
    const m = new Map<string, number>();
    for (const l of s.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const a = count(before);
  const b = count(after);
  const added: string[] = [];
  const removed: string[] = [];
  for (const [l, n] of b) for (let i = (a.get(l) ?? 0); i < n; i++) added.push(l);
  for (const [l, n] of a) for (let i = (b.get(l) ?? 0); i < n; i++) removed.push(l);
  return { added, removed };
}

describe('rewriteCitation (the text)', () => {
  test('a cffinit file: only the DOI lines are added, everything else stays byte for byte', () => {
    const r = rewriteCitation(CFFINIT, DOIS);
    expect(r.changed).toEqual(['doi', 'identifiers']);
    expect(r.reformatted).toBe(false);
    const { added, removed } = lineDiff(CFFINIT, r.text);
    expect(removed).toEqual([]);
    expect(added.sort()).toEqual(['  - type: doi', '    value: 10.5281/zenodo.1001', `    description: ${VERSION_DOI_DESCRIPTION}`, 'doi: 10.5281/zenodo.1000'].sort());
    // the version DOI follows the existing identifier, in the file's indentation; doi follows version
    expect(r.text).toContain("    description: Project page\n  - type: doi\n    value: 10.5281/zenodo.1001\n");
    expect(r.text).toContain('version: 1.0.0\ndoi: 10.5281/zenodo.1000\ndate-released');
    const data = parse(r.text);
    expect(data.doi).toBe(DOIS.concept);
    expect(data.identifiers).toEqual([
      { type: 'url', value: 'https://example.org/soil', description: 'Project page' },
      { type: 'doi', value: DOIS.version, description: VERSION_DOI_DESCRIPTION },
    ]);
    expect(data.message).toBe('If you use this dataset, please cite it using the metadata from this file.');
  });

  test('idempotent: a second run changes nothing', () => {
    const once = rewriteCitation(CFFINIT, DOIS).text;
    const twice = rewriteCitation(once, DOIS);
    expect(twice.changed).toEqual([]);
    expect(twice.text).toBe(once);
  });

  test('the next version: the version DOI rdp wrote is replaced in place, the concept DOI stays', () => {
    const v1 = rewriteCitation(CFFINIT, DOIS).text;
    const v2 = rewriteCitation(v1, { concept: DOIS.concept, version: '10.5281/zenodo.1002' });
    expect(v2.changed).toEqual(['identifiers']);
    const { added, removed } = lineDiff(v1, v2.text);
    expect(removed).toEqual(['    value: 10.5281/zenodo.1001']);
    expect(added).toEqual(['    value: 10.5281/zenodo.1002']);
  });

  test('an existing doi in another spelling counts as written; a different one is replaced and reported', () => {
    const same = `cff-version: 1.2.0\ntitle: T\ndoi: "https://doi.org/10.5281/ZENODO.1000"\nidentifiers:\n  - type: doi\n    value: 10.5281/zenodo.1001\n`;
    expect(rewriteCitation(same, DOIS).changed).toEqual([]);
    const other = `cff-version: 1.2.0\ntitle: T\ndoi: '10.1234/paper.5'   # the article\n`;
    const r = rewriteCitation(other, DOIS);
    expect(r.replacedDoi).toBe('10.1234/paper.5');
    // quoting and the comment of the line are kept; only the value changes
    expect(r.text.split('\n')[2]).toBe("doi: '10.5281/zenodo.1000'   # the article");
  });

  test('no identifiers, sequences at column 0, no final newline: the new list follows doi in the file\'s style', () => {
    const src = 'cff-version: 1.2.0\ntitle: T\nauthors:\n- name: A\nlicense: MIT';
    const r = rewriteCitation(src, DOIS);
    expect(r.text).toBe(
      `cff-version: 1.2.0\ntitle: T\ndoi: 10.5281/zenodo.1000\nidentifiers:\n- type: doi\n  value: 10.5281/zenodo.1001\n  description: ${VERSION_DOI_DESCRIPTION}\nauthors:\n- name: A\nlicense: MIT\n`,
    );
  });

  test('`identifiers:` with no value is filled', () => {
    const r = rewriteCitation('cff-version: 1.2.0\ntitle: T\nidentifiers:\nversion: 2\n', DOIS);
    expect(parse(r.text).identifiers).toEqual([{ type: 'doi', value: DOIS.version, description: VERSION_DOI_DESCRIPTION }]);
    expect(r.text.startsWith('cff-version: 1.2.0\ntitle: T\nidentifiers:\n  - type: doi\n')).toBe(true);
  });

  test('flow style (identifiers, or the whole file): stays flow, comments kept', () => {
    const flowIds = 'cff-version: 1.2.0\ntitle: T # keep me\nidentifiers: [{type: url, value: "https://x.org"}]\n';
    const r = rewriteCitation(flowIds, DOIS);
    expect(r.text).toContain('title: T # keep me\n');
    expect(r.text).toContain(`identifiers: [{type: url, value: "https://x.org"}, {type: doi, value: 10.5281/zenodo.1001, description: ${VERSION_DOI_DESCRIPTION}}]`);
    expect(parse(r.text).doi).toBe(DOIS.concept);
    const all = '{cff-version: 1.2.0, title: T, authors: [{name: A}]}\n';
    const f = rewriteCitation(all, DOIS);
    expect(f.text.trim().startsWith('{')).toBe(true);
    expect(parse(f.text)).toMatchObject({ title: 'T', doi: DOIS.concept, identifiers: [{ type: 'doi', value: DOIS.version }] });
    expect(rewriteCitation(f.text, DOIS).changed).toEqual([]);
  });

  test('an identifier of the version already listed by the user is left alone', () => {
    const src = 'cff-version: 1.2.0\ntitle: T\ndoi: 10.5281/zenodo.1000\nidentifiers:\n  - type: doi\n    value: "10.5281/zenodo.1001"\n    description: mine\n';
    expect(rewriteCitation(src, DOIS).text).toBe(src);
  });

  test('CRLF line ends and a byte order mark are kept', () => {
    const src = `\uFEFF${'cff-version: 1.2.0\ntitle: T\nauthors:\n  - name: A\n'.replace(/\n/g, '\r\n')}`;
    const r = rewriteCitation(src, DOIS);
    expect(r.text.startsWith('\uFEFFcff-version: 1.2.0\r\n')).toBe(true);
    expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(parse(r.text.slice(1)).doi).toBe(DOIS.concept);
  });

  test('not a mapping, not YAML, two documents, doi as a list: BAD_METADATA, exit 2', () => {
    for (const bad of ['- just\n- a list\n', 'title: [unclosed\n', 'title: a\n---\ntitle: b\n', 'title: T\ndoi: [a, b]\n', 'title: T\nidentifiers: {type: doi}\n']) {
      let err: unknown;
      try {
        rewriteCitation(bad, DOIS);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('BAD_METADATA');
      expect((err as InputError).exitCode).toBe(2);
      expect((err as InputError).hint).toBeTruthy();
    }
  });
});

describe('writeDoiToCitation (the file)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rdp-cff-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('written atomically with its mode kept; a second run is unchanged and leaves the file untouched', async () => {
    const path = join(dir, CFF_FILE);
    await writeFile(path, CFFINIT);
    await chmod(path, 0o644);
    const first = await writeDoiToCitation(dir, DOIS);
    expect(first).toMatchObject({ outcome: 'written', path, changed: ['doi', 'identifiers'], reformatted: false });
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual([CFF_FILE]); // no temporary file left
    const written = await readFile(path, 'utf8');
    const mtime = (await stat(path)).mtimeMs;
    expect(await writeDoiToCitation(dir, DOIS)).toEqual({ outcome: 'unchanged', path });
    expect(await readFile(path, 'utf8')).toBe(written);
    expect((await stat(path)).mtimeMs).toBe(mtime);
  });

  test('a CITATION.cff that is a link: the file it points to is written, the link stays', async () => {
    await mkdir(join(dir, 'shared'));
    await writeFile(join(dir, 'shared', 'real.cff'), CFFINIT);
    await mkdir(join(dir, 'data'));
    await symlink(join('..', 'shared', 'real.cff'), join(dir, 'data', CFF_FILE));
    expect((await writeDoiToCitation(join(dir, 'data'), DOIS)).outcome).toBe('written');
    expect((await lstat(join(dir, 'data', CFF_FILE))).isSymbolicLink()).toBe(true);
    expect(parse(await readFile(join(dir, 'shared', 'real.cff'), 'utf8')).doi).toBe(DOIS.concept);
  });

  test('a folder without CITATION.cff: no-file, and no file is made', async () => {
    expect(await writeDoiToCitation(dir, DOIS)).toEqual({ outcome: 'no-file', path: join(dir, CFF_FILE) });
    expect(await readdir(dir)).toEqual([]);
  });

  test('a broken file is refused and left as it was', async () => {
    const path = join(dir, CFF_FILE);
    await writeFile(path, 'title: [unclosed\n');
    await expect(writeDoiToCitation(dir, DOIS)).rejects.toMatchObject({ code: 'BAD_METADATA' });
    expect(await readFile(path, 'utf8')).toBe('title: [unclosed\n');
  });
});
