// A published site record as the links take it (ORCID works, Zotero items): persons as "Family, Given",
// organisations by name, subjects as keywords, the first rights id as the licence, the DOI's address.
import { describe, expect, test } from 'vitest';
import { sitePublishedRecord } from '../../../../src/providers/invenio/publish.js';
import { toRdmRecord } from '../../../../src/providers/invenio/types.js';

const site = { id: 'demo', name: 'demo', tokenEnv: 'RDP_DEMO_TOKEN' };

describe('sitePublishedRecord', () => {
  test('maps the RDM metadata', () => {
    const r = toRdmRecord({
      id: 'abcde-12345',
      is_published: true,
      is_draft: false,
      created: '2026-03-04T10:00:00+00:00',
      links: { self: 'https://x.org/api/records/abcde-12345' },
      pids: { doi: { identifier: '10.1234/abcde-12345', provider: 'datacite' } },
      metadata: {
        title: 'Soil samples',
        publication_date: '2026-03-01',
        version: 'v2',
        description: '<p>Soil</p>',
        creators: [
          { person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane', name: 'Doe, Jane' } },
          { person_or_org: { type: 'personal', family_name: 'Plato' } },
          { person_or_org: { type: 'organizational', name: 'Soil Lab' } },
          { not_a_creator: true },
        ],
        subjects: [{ subject: 'soil' }, { id: 'euroscivoc:123' }],
        rights: [{ id: 'cc-by-4.0', title: { en: 'CC BY 4.0' } }],
      },
    });
    expect(r).toBeDefined();
    const out = sitePublishedRecord(site, r!, r!.doi!);
    expect(out).toEqual({
      title: 'Soil samples',
      creators: ['Doe, Jane', 'Plato', 'Soil Lab'],
      date: '2026-03-01',
      doi: '10.1234/abcde-12345',
      url: 'https://doi.org/10.1234/abcde-12345',
      repository: 'demo',
      keywords: ['soil', 'euroscivoc:123'],
      version: 'v2',
      description: '<p>Soil</p>',
      license: 'cc-by-4.0',
    });
  });

  test('without a publication date, the day it was created; without rights, no licence', () => {
    const r = toRdmRecord({ id: 'x', is_published: true, created: '2026-05-06T01:02:03Z', links: { self: 's' }, metadata: { title: 'T' } })!;
    expect(sitePublishedRecord(site, r, '10.1/x')).toMatchObject({ date: '2026-05-06', creators: [], keywords: [], license: undefined });
  });
});
