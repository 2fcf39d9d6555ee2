// What `rdp dmps get` accepts as a plan, and how DMPTool's items are narrowed.
import { describe, expect, test } from 'vitest';
import { parsePlanRef } from '../../../../src/providers/dmptool/ref.js';
import { UsageError } from '../../../../src/errors/errors.js';
import { bareDoi, isPrivate, planIdInUrl, planSummary, templateSummary } from '../../../../src/providers/dmptool/types.js';

describe('parsePlanRef', () => {
  test.each([
    ['89799', { kind: 'id', id: 89799 }],
    [' 89799 ', { kind: 'id', id: 89799 }],
    ['https://dmptool.org/api/v2/plans/89799', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['https://dmptool.org/api/v2/plans/89799.json', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['https://dmptool.org/api/v2/plans/89799.pdf', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['https://dmptool.org/plans/89799', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['https://dmptool.org/plans/89799/edit?tab=write#q3', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['<https://dmptool.org/plans/89799>', { kind: 'id', id: 89799, host: 'dmptool.org' }],
    ['http://127.0.0.1:5000/dmptool/plans/12', { kind: 'id', id: 12, host: '127.0.0.1:5000' }],
    ['https://doi.org/10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['http://dx.doi.org/10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['https://doi.org/10.48321%2FD1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['doi:10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['DOI: 10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['https://dmptool.org/dmps/10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
    ['https://dmptool.org/dmps/doi.org/10.48321/D1ABCD', { kind: 'doi', doi: '10.48321/D1ABCD' }],
  ])('%s', (input, expected) => {
    expect(parsePlanRef(input)).toEqual(expected);
  });

  test.each(['', 'abc', '0', '-3', '12.5', '99999999999999999999', 'https://dmptool.org/plans/', 'https://dmptool.org/orgs/12', '10.48/x', 'doi:', 'ftp://dmptool.org/plans/1'])(
    'refuses %j with a usage error listing the accepted forms',
    (input) => {
      expect(() => parsePlanRef(input)).toThrow(UsageError);
      try {
        parsePlanRef(input);
      } catch (err) {
        expect((err as UsageError).hint).toMatch(/89799, https:\/\/dmptool\.org\/plans\/89799, .*10\.48321\/D1ABCD/);
      }
    },
  );
});

describe('identifiers', () => {
  test('bareDoi and planIdInUrl', () => {
    expect(bareDoi('https://doi.org/10.48321/D1ABCD')).toBe('10.48321/D1ABCD');
    expect(bareDoi('https://dmptool.org/api/v2/plans/1')).toBeUndefined();
    expect(planIdInUrl('https://dmptool.org/api/v2/plans/42')).toBe(42);
    expect(planIdInUrl('https://dmptool.org/api/v2/plans/42.pdf')).toBe(42);
    expect(planIdInUrl('https://doi.org/10.48321/D1ABCD')).toBeUndefined();
  });
});

describe('planSummary', () => {
  test('the id comes from dmproadmap_links.get, else from a URL-type dmp_id, else from the download link', () => {
    expect(planSummary({ dmp: { title: 'a', dmproadmap_links: { get: 'https://dmptool.org/api/v2/plans/5' } } })?.id).toBe(5);
    expect(planSummary({ dmp: { title: 'b', dmp_id: { type: 'url', identifier: 'https://dmptool.org/api/v2/plans/6' } } })).toMatchObject({ id: 6, doi: null });
    expect(planSummary({ dmp: { title: 'c', dmproadmap_links: { download: 'https://dmptool.org/api/v2/plans/7.pdf' } } })?.id).toBe(7);
    expect(planSummary({ dmp: { title: 'd' } })?.id).toBeNull();
  });

  test('a DOI is recognised whatever dmp_id.type says; privacy only when sent; non-DMPs are refused', () => {
    const s = planSummary({ dmp: { title: ' T ', dmp_id: { type: 'other', identifier: 'https://doi.org/10.48321/D1X' }, dmproadmap_privacy: 'private', contact: { name: 'Jane' } } });
    expect(s).toMatchObject({ title: 'T', doi: '10.48321/D1X', privacy: 'private', contact: 'Jane', created: null });
    expect(planSummary({ dmp: {} })).toMatchObject({ title: '(untitled)', privacy: null, dmpId: null });
    expect(planSummary({ title: 'no wrapper' })).toBeUndefined();
    expect(planSummary(null)).toBeUndefined();
  });

  test('isPrivate: anything but "public" is private; unknown is not marked', () => {
    expect(isPrivate('private')).toBe(true);
    expect(isPrivate('organisationally_visible')).toBe(true);
    expect(isPrivate('Public')).toBe(false);
    expect(isPrivate(null)).toBe(false);
  });

  test('templateSummary', () => {
    expect(
      templateSummary({ dmp_template: { title: 'NSF', version: 3, affiliation: { name: 'NSF' }, template_id: { type: 'other', identifier: '12' }, modified: '2024-01-01T00:00:00Z' } }),
    ).toMatchObject({ id: '12', title: 'NSF', version: '3', organisation: 'NSF', modified: '2024-01-01T00:00:00Z' });
    expect(templateSummary({ dmp: {} })).toBeUndefined();
  });
});
