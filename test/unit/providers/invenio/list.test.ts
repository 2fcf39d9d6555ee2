// A site's row in `rdp uploads list`: its state from the record's is_draft, is_published and status
// (invenio-rdm-records records/systemfields/draft_status.py: a new version's draft is new_version_draft,
// or new_version_draft_with_review once it is submitted to a community).
import { describe, expect, test } from 'vitest';
import { siteRow } from '../../../../src/providers/invenio/list.js';
import { toRdmRecord } from '../../../../src/providers/invenio/types.js';

const rec = (v: Record<string, unknown>) => {
  const r = toRdmRecord({ id: 'abc12-3def4', links: { self: 'https://x/api/records/abc12-3def4' }, metadata: { title: 'T' }, ...v });
  if (!r) throw new Error('not a record');
  return r;
};

describe('siteRow state', () => {
  test('draft, published, editing, new version draft (with or without a review)', () => {
    expect(siteRow('demo', rec({ is_draft: true, is_published: false, status: 'draft' })).state).toBe('draft');
    expect(siteRow('demo', rec({ is_draft: false, is_published: true, status: 'published' })).state).toBe('published');
    expect(siteRow('demo', rec({ is_draft: true, is_published: true, status: 'published' })).state).toBe('editing');
    expect(siteRow('demo', rec({ is_draft: true, is_published: false, status: 'new_version_draft' })).state).toBe('new version draft');
    expect(siteRow('demo', rec({ is_draft: true, is_published: false, status: 'new_version_draft_with_review' })).state).toBe('new version draft');
    expect(siteRow('demo', rec({ is_draft: true, is_published: false, status: 'draft_with_review' })).state).toBe('draft');
  });
});
