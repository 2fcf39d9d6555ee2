// Pure pieces of the Zenodo upload: CITATION.cff mapping, metadata merging and checks, flag parsing,
// and narrowing of the server's (documented and current) response shapes.
import { describe, expect, test } from 'vitest';
import { InputError, UsageError } from '../../../../src/errors/errors.js';
import { toDeposition, toRemoteFile, toRemoteFiles } from '../../../../src/providers/zenodo/types.js';
import { cffToZenodo } from '../../../../src/providers/zenodo/deposit/cff.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { licenseFromZenodo, normalizeLicense } from '../../../../src/providers/zenodo/deposit/licenses.js';
import { checkMetadata, type LocalMetadata, mergeMetadata, missingForPublish, parseCreatorFlag, parseZenodoJson, publishedRecord, sameMetadata } from '../../../../src/providers/zenodo/deposit/metadata.js';
import { parseDepositionId } from '../../../../src/providers/zenodo/deposit/options.js';
import { badName } from '../../../../src/providers/zenodo/deposit/sources.js';
import { zoteroCreator, zoteroItem } from '../../../../src/providers/zotero/library.js';
import { ROOT } from '../../../helpers/sandbox.js';

const none: LocalMetadata = { set: {}, creators: [], keywords: [], related: [] };

describe('CITATION.cff -> Zenodo', () => {
  test('maps title, authors (particles, suffixes, affiliation, ORCID, entities), version, date, keywords, license, abstract, type', () => {
    const { metadata, warnings } = cffToZenodo(
      {
        'cff-version': '1.2.0',
        title: 'Tool',
        abstract: 'Does things.',
        version: 1.2,
        'date-released': '2024-05-02',
        keywords: ['a', 'b'],
        license: ['MIT', 'Apache-2.0'],
        type: 'software',
        authors: [
          { 'family-names': 'Beethoven', 'name-particle': 'van', 'given-names': 'Ludwig', 'name-suffix': 'Jr.', affiliation: 'Bonn', orcid: 'https://orcid.org/0000-0002-1825-0097' },
          { name: 'Research Group' },
        ],
        doi: '10.5281/zenodo.1',
      },
      'CITATION.cff',
    );
    expect(metadata).toEqual({
      title: 'Tool',
      description: 'Does things.',
      version: '1.2',
      publication_date: '2024-05-02',
      upload_type: 'software',
      keywords: ['a', 'b'],
      license: 'MIT',
      creators: [{ name: 'van Beethoven Jr., Ludwig', affiliation: 'Bonn', orcid: 'https://orcid.org/0000-0002-1825-0097' }, { name: 'Research Group' }],
    });
    expect(warnings[0]).toMatch(/2 licenses/);
  });

  test('an author without a name is an input error', () => {
    expect(() => cffToZenodo({ authors: [{ affiliation: 'x' }] }, 'CITATION.cff')).toThrow(InputError);
  });
});

describe('metadata checks', () => {
  test('normalises ORCID iDs and license ids; refuses bad ones naming the source', () => {
    const md = checkMetadata({ license: 'CC-BY-4.0', creators: [{ name: 'Doe, Jane', orcid: 'https://orcid.org/0000-0002-1825-0097' }] }, 'x.json');
    expect(md).toEqual({ license: 'cc-by-4.0', creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }] });
    expect(() => checkMetadata({ license: 'nope' }, 'x.json')).toThrow(/x\.json: "nope" is not a license id/);
    expect(() => checkMetadata({ creators: [{ name: 'A', orcid: '0000-0002-1825-0098' }] }, 'x.json')).toThrow(/check character/);
    expect(() => checkMetadata({ publication_date: '2024-02-30' }, 'x.json')).toThrow(/not a date/);
    expect(() => checkMetadata({ upload_type: 'movie' }, 'x.json')).toThrow(/upload_type "movie"/);
    const warned: string[] = [];
    checkMetadata({ colour: 'blue' }, 'x.json', (t) => warned.push(t));
    expect(warned[0]).toMatch(/Zenodo ignores the unknown field colour/);
  });

  test.each([['mit', 'mit'], ['CC0-1.0', 'cc0-1.0'], ['cc-by', 'cc-by-4.0'], ['cc-zero', 'cc0-1.0'], ['https://spdx.org/licenses/Apache-2.0.html', 'apache-2.0'], ['GPL-2.0', 'gpl-2.0-only']])('license %s -> %s', (input, id) => {
    expect(normalizeLicense(input)).toBe(id);
  });

  test("licences: Zenodo's own list (the recorded fixture), case-insensitive, not all of SPDX", () => {
    const fx = JSON.parse(readFileSync(join(ROOT, 'test/contract/zenodo/licenses.json'), 'utf8')) as {
      accepted: Record<string, string>;
      refused: string[];
      answeredAs: Record<string, string>;
    };
    for (const [id, stored] of Object.entries(fx.accepted)) {
      expect(normalizeLicense(id), id).toBe(stored);
      expect(normalizeLicense(id.toUpperCase()), id).toBe(stored);
    }
    for (const id of fx.refused) expect(normalizeLicense(id), id).toBeUndefined();
    // what Zenodo answers stands for the licence it was stored as (cc-zero is cc0-1.0; cc-by read back is cc-by-1.0)
    for (const [stored, answered] of Object.entries(fx.answeredAs)) expect(licenseFromZenodo(answered), answered).toBe(stored);
    expect(() => checkMetadata({ license: 'cc-by-nc' }, 'the flags')).toThrow(/not a license id Zenodo knows/);
    try {
      checkMetadata({ license: 'cc-by-nc' }, 'the flags');
    } catch (err) {
      expect((err as InputError).hint).toMatch(/Did you mean cc-by-nc-4\.0\?/);
    }
  });

  test('merge: remote, then file, then flags; lists grow without duplicates; Zenodo-managed DOIs dropped', () => {
    const base = { title: 'Old', creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }], keywords: ['a'], prereserve_doi: { doi: '10.5281/zenodo.5' }, doi: '10.5281/zenodo.5', publication_date: '2020-01-01' };
    const md = mergeMetadata(base, {
      file: { kind: 'cff', path: 'CITATION.cff', metadata: { version: '2' } },
      set: { title: 'New' },
      creators: [{ name: 'Doe, J.', orcid: '0000-0002-1825-0097' }, { name: 'Roe, R' }],
      keywords: ['A', 'b'],
      related: [],
    });
    expect(md).toEqual({
      title: 'New',
      version: '2',
      creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }, { name: 'Roe, R' }],
      keywords: ['a', 'b'],
      publication_date: '2020-01-01',
      upload_type: 'dataset',
    });
    expect(mergeMetadata(base, none, { newVersion: true }).publication_date).toBe(new Date().toISOString().slice(0, 10));
  });

  test('publication_date: what Zenodo takes (EDTF level 0: year, month, day, interval), checked before anything is sent', () => {
    for (const v of ['2024', '2024-05', '2024-05-02', '2020/2021-06', '2024-02/2024-02-29']) expect(checkMetadata({ publication_date: v }, 'f').publication_date, v).toBe(v);
    for (const v of ['May 2024', '2024-13', '2024-02-30', '2021/2020', '2024-5', '2020/2021/2022']) expect(() => checkMetadata({ publication_date: v }, 'f'), v).toThrow(/not a date Zenodo takes/);
    expect(() => checkMetadata({ embargo_date: '2030' }, 'f')).toThrow(/embargo_date "2030" is not a date/);
  });

  test('relations Zenodo knows (any case) pass; another one is refused with suggestions; language is a code', () => {
    const rel = (relation: string) => ({ related_identifiers: [{ identifier: '10.1234/x', relation }] });
    for (const r of ['isSupplementTo', 'ISSUPPLEMENTTO', 'isAlternateIdentifier', 'isDocumentedBy', 'other']) expect(() => checkMetadata(rel(r), 'f'), r).not.toThrow();
    expect(() => checkMetadata(rel('isSupplementOf'), 'f')).toThrow(/"isSupplementOf" .* is not a relation Zenodo knows/);
    expect(() => checkMetadata({ language: 'eng' }, 'f')).not.toThrow();
    expect(() => checkMetadata({ language: 'English' }, 'f')).toThrow(/not a language code/);
  });

  test('fields zenodo-rdm reads are not called unknown: custom, alternate_identifiers, software_type', () => {
    const warnings: string[] = [];
    checkMetadata({ custom: { 'code:programmingLanguage': [{ id: 'python' }] }, alternate_identifiers: [{ identifier: 'arXiv:2101.00001' }], upload_type: 'software', software_type: 'computationalnotebook' }, 'f', (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    checkMetadata({ colour: 'blue' }, 'f', (w) => warnings.push(w));
    expect(warnings).toHaveLength(1);
  });

  test('required for publishing', () => {
    // zenodo-rdm: resource type, title, creators (test/contract/zenodo/metadata.json)
    expect(missingForPublish({ upload_type: 'dataset' })).toEqual(['title', 'creators']);
    expect(missingForPublish({ title: 'Tide', creators: [{ name: 'x' }] })).toEqual(['upload_type']);
    expect(missingForPublish({ upload_type: 'image', title: 'Tide', creators: [{ name: 'x' }] })).toEqual([]);
    expect(missingForPublish({ upload_type: 'publication', title: 'Tide', creators: [{ name: 'x' }], access_right: 'restricted' })).toEqual([]);
  });

  test('.zenodo.json: {"metadata": {...}} or the bare object', () => {
    expect(parseZenodoJson('{"metadata": {"title": "x"}}', 'f')).toEqual({ title: 'x' });
    expect(parseZenodoJson('{"title": "x"}', 'f')).toEqual({ title: 'x' });
    expect(() => parseZenodoJson('[1]', 'f')).toThrow(/JSON object/);
  });

  test('key order, unknown fields (Zenodo drops them) and licence spellings do not make metadata different', () => {
    expect(sameMetadata({ title: 't', creators: [{ name: 'a', affiliation: 'b' }] }, { creators: [{ affiliation: 'b', name: 'a' }], title: 't' })).toBe(true);
    expect(sameMetadata({ title: 't' }, { title: 'u' })).toBe(false);
    expect(sameMetadata({ title: 't', colour: 'blue' }, { title: 't' })).toBe(true);
    expect(sameMetadata({ license: 'cc0-1.0' }, { license: 'cc-zero' })).toBe(true);
    expect(sameMetadata({ license: 'cc-by-4.0' }, { license: 'cc-by' })).toBe(false); // cc-by read back is CC BY 1.0
  });
});

describe('flags', () => {
  test('--creator', () => {
    expect(parseCreatorFlag('Doe, Jane')).toEqual({ name: 'Doe, Jane' });
    expect(parseCreatorFlag('Doe, Jane;Example U;0000-0002-1825-0097')).toEqual({ name: 'Doe, Jane', affiliation: 'Example U', orcid: '0000-0002-1825-0097' });
    expect(parseCreatorFlag('Doe, Jane;https://orcid.org/0000-0002-1825-0097')).toEqual({ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' });
    expect(() => parseCreatorFlag(';x')).toThrow(UsageError);
    expect(() => parseCreatorFlag('Doe;0000-0002-1825-0098')).toThrow(/not a valid ORCID/);
  });

  test('deposition ids and URLs', () => {
    expect(parseDepositionId('542201', '--deposition')).toBe(542201);
    expect(parseDepositionId('https://zenodo.org/deposit/542201', '--deposition')).toBe(542201);
    expect(parseDepositionId('https://sandbox.zenodo.org/records/77/', '--deposition')).toBe(77);
    expect(() => parseDepositionId('10.5281/zenodo.1', '--deposition')).toThrow(UsageError);
  });

  test('names Zenodo cannot hold', () => {
    expect(badName('ok.csv')).toBeUndefined();
    expect(badName('bad\nname')).toMatch(/control/);
    expect(badName('x'.repeat(256))).toMatch(/255/);
  });
});

describe('response shapes', () => {
  test('deposition files: current (filename, filesize, bare checksum) and documented (name, string size)', () => {
    expect(toRemoteFile({ id: 'u', filename: 'a.csv', filesize: 27, checksum: '2942BFABB3D05332B66EB128E0842CFF' })).toEqual({ id: 'u', name: 'a.csv', size: 27, md5: '2942bfabb3d05332b66eb128e0842cff' });
    expect(toRemoteFile({ name: 'a.csv', filesize: '27', checksum: 'md5:2942bfabb3d05332b66eb128e0842cff' })).toMatchObject({ name: 'a.csv', size: 27, md5: '2942bfabb3d05332b66eb128e0842cff' });
    expect(toRemoteFiles({ contents: [{ key: 'b', size: 1, checksum: 'md5:2942bfabb3d05332b66eb128e0842cff' }] })).toEqual([{ name: 'b', size: 1, md5: '2942bfabb3d05332b66eb128e0842cff', id: undefined }]);
    expect(toRemoteFile({ filename: 'x' })).toBeUndefined();
  });

  test('a deposition: reserved DOI, links, state', () => {
    const d = toDeposition({ id: 5, state: 'unsubmitted', submitted: false, metadata: { prereserve_doi: { doi: '10.5281/zenodo.5', recid: 5 } }, links: { self: 's', latest_draft: 'l', bucket: 'b' } });
    expect(d).toMatchObject({ id: 5, reservedDoi: '10.5281/zenodo.5', doi: undefined, files: undefined, links: { self: 's', latestDraft: 'l', bucket: 'b' } });
    expect(toDeposition({ id: 'x', links: {} })).toBeUndefined();
  });
});

describe('zotero item', () => {
  test('creators split into last and first names; keywords become tags', () => {
    expect(zoteroCreator('Doe, Jane')).toEqual({ creatorType: 'author', lastName: 'Doe', firstName: 'Jane' });
    expect(zoteroCreator('Research Group')).toEqual({ creatorType: 'author', name: 'Research Group' });
    const record = publishedRecord({ title: 'T', creators: [{ name: 'Doe, Jane' }], publication_date: '2024-01-02', keywords: ['k'], description: '<p>Some <b>data</b></p>', version: '1' }, '10.5281/zenodo.9', 'https://doi.org/10.5281/zenodo.9');
    const item = zoteroItem(record);
    expect(item).toMatchObject({ itemType: 'dataset', DOI: '10.5281/zenodo.9', date: '2024-01-02', tags: [{ tag: 'k' }], abstractNote: 'Some data', versionNumber: '1', repository: 'Zenodo' });
  });
});
