// A site upload's metadata (mergeRdm): the draft's RDM metadata first, then the metadata file's fields
// (mapped from Zenodo's schema), then the flags (single values replace, creators and subjects add, no
// duplicates); a resource type and a publication date when missing; a new version dated today.
import { describe, expect, test } from 'vitest';
import { mergeRdm } from '../../../../../src/providers/invenio/deposit/run.js';
import type { LocalMetadata } from '../../../../../src/providers/zenodo/deposit/metadata.js';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const none: LocalMetadata = { set: {}, creators: [], keywords: [], related: [] };
const doe = { person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane', identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }] } };

describe('mergeRdm', () => {
  test('defaults for a new draft: dataset, today', () => {
    expect(mergeRdm({}, none, false, NOW).metadata).toEqual({ resource_type: { id: 'dataset' }, publication_date: '2026-12-02' });
  });

  test('the base is kept; the file replaces fields; flags add creators and subjects without duplicates', () => {
    const base = { title: 'Old', creators: [doe], subjects: [{ subject: 'soil' }], publication_date: '2020-01-01', resource_type: { id: 'image-photo', title: { en: 'Photo' } } };
    const local: LocalMetadata = {
      file: { kind: 'zenodo-json', path: '.zenodo.json', metadata: { title: 'New', upload_type: 'dataset' } },
      set: { description: 'From a flag' },
      creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }, { name: 'Roe, Rick' }],
      keywords: ['Soil', 'water'],
      related: [],
    };
    const { metadata, access } = mergeRdm(base, local, false, NOW);
    expect(metadata).toMatchObject({ title: 'New', description: 'From a flag', resource_type: { id: 'dataset' }, publication_date: '2020-01-01' });
    expect((metadata.creators as unknown[]).length).toBe(2);
    expect(metadata.subjects).toEqual([{ subject: 'soil' }, { subject: 'water' }]);
    expect(access).toBeUndefined(); // the draft's access stays unless the file sets access_right
  });

  test('a publisher when none is named (a site that mints DataCite DOIs needs one): the one given; a named one stays', () => {
    expect(mergeRdm({}, none, false, NOW, 'data.example.org').metadata.publisher).toBe('data.example.org');
    expect(mergeRdm({ publisher: 'TU Wien' }, none, false, NOW, 'data.example.org').metadata.publisher).toBe('TU Wien');
    const named: LocalMetadata = { ...none, file: { kind: 'zenodo-json', path: '.zenodo.json', metadata: { imprint_publisher: 'Example Press' } } };
    expect(mergeRdm({}, named, false, NOW, 'data.example.org').metadata.publisher).toBe('Example Press');
  });

  test('a new version is published today unless the file says otherwise; unmapped Zenodo fields are named', () => {
    const base = { title: 'T', publication_date: '2020-01-01' };
    expect(mergeRdm(base, none, true, NOW).metadata.publication_date).toBe('2026-12-02');
    const dated: LocalMetadata = { ...none, file: { kind: 'metadata', path: 'm.json', metadata: { publication_date: '2025-05-05', communities: [{ identifier: 'x' }], access_right: 'embargoed', embargo_date: '2027-01-01' } } };
    const r = mergeRdm(base, dated, true, NOW);
    expect(r.metadata.publication_date).toBe('2025-05-05');
    expect(r.unmapped).toEqual(['communities']);
    expect(r.access).toMatchObject({ files: 'restricted', embargo: { active: true, until: '2027-01-01' } });
  });
});
