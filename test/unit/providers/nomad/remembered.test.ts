// Finding the upload a POST /uploads with a lost answer made (src/providers/nomad/deposit/remembered.ts):
// the user's unpublished uploads of that name, created no earlier than the attempt by NOMAD's clock
// (its Date header), whatever the local clock says; several candidates are not guessed between.
import { describe, expect, test } from 'vitest';
import type { NomadClient, NomadUpload } from '../../../../src/providers/nomad/client.js';
import { findFreshUpload } from '../../../../src/providers/nomad/deposit/remembered.js';
import { nomadTimeMs } from '../../../../src/providers/nomad/types.js';

const up = (id: string, name: string, createTime: string, published = false): NomadUpload => ({
  uploadId: id,
  name,
  createTime,
  published,
  embargoLength: 0,
  entries: 0,
  processRunning: false,
  processStatus: 'SUCCESS',
  errors: [],
  warnings: [],
});
/** A client whose listing is fixed, answering at server time `serverNow`. */
const client = (uploads: NomadUpload[], serverNow: number | undefined) =>
  ({ recentUnpublished: async (name: string) => ({ uploads: uploads.filter((u) => u.name === name), serverNow }) }) as unknown as NomadClient;

describe('nomadTimeMs', () => {
  test("NOMAD's times have no zone and are UTC; zoned times are read as they are", () => {
    expect(nomadTimeMs('2026-12-02T07:00:00.123000')).toBe(Date.parse('2026-12-02T07:00:00.123Z'));
    expect(nomadTimeMs('2026-12-02T07:00:00+01:00')).toBe(Date.parse('2026-12-02T06:00:00Z'));
    expect(nomadTimeMs('2026-12-02T07:00:00Z')).toBe(Date.parse('2026-12-02T07:00:00Z'));
    expect(nomadTimeMs(undefined)).toBeNaN();
  });
});

describe('findFreshUpload', () => {
  const server = Date.parse('2026-12-02T07:00:10Z');

  test('the upload made since the attempt (by the server clock) is found, even with a local clock an hour off', async () => {
    const local = server + 3_600_000; // the local clock is an hour ahead
    const sentAt = local - 5000; // the attempt went out 5 s ago
    const ups = [up('OLD', 'run1', '2026-12-02T06:59:00.000000'), up('NEW', 'run1', '2026-12-02T07:00:06.000000'), up('OTHER', 'run2', '2026-12-02T07:00:07.000000')];
    expect(await findFreshUpload(client(ups, server), 'run1', sentAt, () => local)).toEqual({ upload: ups[1] });
  });

  test('nothing made since then: nothing found', async () => {
    const ups = [up('OLD', 'run1', '2026-12-02T06:59:00.000000')];
    expect(await findFreshUpload(client(ups, server), 'run1', server - 5000, () => server)).toEqual({});
  });

  test('two fresh uploads of that name: ambiguous, none taken', async () => {
    const ups = [up('A', 'run1', '2026-12-02T07:00:08.000000'), up('B', 'run1', '2026-12-02T07:00:09.000000')];
    const r = await findFreshUpload(client(ups, server), 'run1', server - 5000, () => server);
    expect(r.upload).toBeUndefined();
    expect(r.ambiguous?.map((u) => u.uploadId)).toEqual(['A', 'B']);
  });

  test('no Date header: the local clock is used', async () => {
    const ups = [up('NEW', 'run1', '2026-12-02T07:00:08.000000')];
    expect((await findFreshUpload(client(ups, undefined), 'run1', server - 5000, () => server)).upload?.uploadId).toBe('NEW');
  });
});
