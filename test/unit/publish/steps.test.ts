// The publish step machinery with an injected clock and scripted steps: each step runs at most once per
// record, a re-run after a failure or Ctrl-C performs only what is missing, the journal is consistent
// (whole, atomic) after every step, and nothing depends on the wall clock.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ApiError, AuthDeniedError, CancelledError } from '../../../src/errors/errors.js';
import { type Clock, journalPath, readJournalFile, recordedSteps, runSteps, type Step, type StepContext, type StepResult } from '../../../src/publish/steps.js';

/** A clock that moves only when told. */
function fakeClock(start = Date.UTC(2026, 11, 1, 9, 0, 0)): Clock & { tick(ms: number): void } {
  let t = start;
  return { now: () => t, tick: (ms) => (t += ms) };
}

interface Script {
  calls: number;
  contexts: StepContext[];
  step: Step;
}

/** A step whose behaviour per call is scripted: a result, an error to throw, or a function. */
function scripted(id: string, plan: (StepResult | Error | ((ctx: StepContext) => Promise<StepResult>))[], needs?: string[]): Script {
  const s: Script = {
    calls: 0,
    contexts: [],
    step: {
      id,
      needs,
      run: async (ctx) => {
        s.contexts.push(ctx);
        const next = plan[Math.min(s.calls, plan.length - 1)];
        s.calls += 1;
        if (next instanceof Error) throw next;
        if (typeof next === 'function') return next(ctx);
        return next as StepResult;
      },
    },
  };
  return s;
}

const done = (detail?: Record<string, string | number>): StepResult => ({ status: 'done', detail });

let dir: string;
let journal: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-steps-'));
  journal = join(dir, 'state', 'rdp', 'publish.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (steps: Script[], opts: { clock?: Clock; signal?: AbortSignal; record?: string } = {}) =>
  runSteps({ record: opts.record ?? 'zenodo:zenodo.org:1234567', steps: steps.map((s) => s.step), journal, clock: opts.clock ?? fakeClock(), signal: opts.signal ?? new AbortController().signal });

describe('runSteps', () => {
  test('runs every step once, in order, records each with the injected clock; later steps see earlier results', async () => {
    const clock = fakeClock();
    const order: string[] = [];
    const a = scripted('zenodo.publish', [async () => (order.push('a'), clock.tick(1000), done({ doi: '10.5281/zenodo.1234567' }))]);
    const b = scripted('orcid.work', [async (ctx) => (order.push('b'), clock.tick(500), done({ putCode: 42, doi: String(ctx.results.get('zenodo.publish')?.detail?.doi) }))]);
    const r = await run([a, b], { clock });
    expect(order).toEqual(['a', 'b']);
    expect(r.warnings).toEqual([]);
    expect(r.steps.map((s) => [s.id, s.status, s.from, s.at])).toEqual([
      ['zenodo.publish', 'done', 'run', '2026-12-01T09:00:01.000Z'],
      ['orcid.work', 'done', 'run', '2026-12-01T09:00:01.500Z'],
    ]);
    expect(r.steps[1]?.detail).toEqual({ putCode: 42, doi: '10.5281/zenodo.1234567' });
    const j = await readJournalFile(journal);
    expect(j.records['zenodo:zenodo.org:1234567']?.steps).toEqual({
      'zenodo.publish': { status: 'done', at: '2026-12-01T09:00:01.000Z', attempts: 1, detail: { doi: '10.5281/zenodo.1234567' } },
      'orcid.work': { status: 'done', at: '2026-12-01T09:00:01.500Z', attempts: 1, detail: { putCode: 42, doi: '10.5281/zenodo.1234567' } },
    });
  });

  test('a re-run does nothing again: completed steps come from the journal as `already`, with their details', async () => {
    const a = scripted('zenodo.publish', [done({ doi: '10.5281/zenodo.1' })]);
    const b = scripted('dmptool.link', [{ status: 'already' }]);
    await run([a, b]);
    const again = await run([a, b], { clock: fakeClock(Date.UTC(2027, 0, 1)) });
    expect([a.calls, b.calls]).toEqual([1, 1]);
    expect(again.steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['zenodo.publish', 'already', 'journal'],
      ['dmptool.link', 'already', 'journal'],
    ]);
    expect(again.steps[0]?.detail).toEqual({ doi: '10.5281/zenodo.1' });
    expect(again.steps[0]?.at).toBe('2026-12-01T09:00:00.000Z'); // when it was done, not now
  });

  test('a failure in the middle: recorded, the chain goes on, and the next run performs only the failed step', async () => {
    const a = scripted('zenodo.publish', [done()]);
    const b = scripted('orcid.work', [new ApiError('orcid', 500, 'ORCID answered 500.', { hint: 'Try again later.' }), done({ putCode: 7 })]);
    const c = scripted('zotero.item', [done({ key: 'ABCD2345' })]);
    const first = await run([a, b, c]);
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'failed', 'done']);
    expect(first.steps[1]?.error).toEqual({ code: 'API_ERROR', message: 'ORCID answered 500.', hint: 'Try again later.', exitCode: 1 });
    expect(first.steps[1]?.cause).toBeInstanceOf(ApiError);
    const j1 = await recordedSteps(journal, 'zenodo:zenodo.org:1234567');
    expect(j1['orcid.work']).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'API_ERROR' } });
    const second = await run([a, b, c]);
    expect([a.calls, b.calls, c.calls]).toEqual([1, 2, 1]);
    expect(second.steps.map((s) => [s.status, s.from])).toEqual([
      ['already', 'journal'],
      ['done', 'run'],
      ['already', 'journal'],
    ]);
    // the retried step saw its earlier failure
    expect(b.contexts[1]?.previous).toMatchObject({ status: 'failed', error: { code: 'API_ERROR' } });
    expect((await recordedSteps(journal, 'zenodo:zenodo.org:1234567'))['orcid.work']).toMatchObject({ status: 'done', attempts: 2 });
  });

  test('skipped is not final: a step that lacked a permission runs again next time', async () => {
    const link = scripted('dmptool.link', [{ status: 'skipped', reason: 'the DMPTool login lacks edit_dmps', code: 'NEEDS_EDIT_DMPS' }, done()]);
    const first = await run([link]);
    expect(first.steps[0]).toMatchObject({ status: 'skipped', reason: 'the DMPTool login lacks edit_dmps', code: 'NEEDS_EDIT_DMPS' });
    const second = await run([link]);
    expect(link.calls).toBe(2);
    expect(second.steps[0]).toMatchObject({ status: 'done', from: 'run' });
  });

  test('a step that needs a failed or skipped one is skipped, and runs once that one completes', async () => {
    const ds = scripted('nomad.dataset', [new ApiError('nomad', 400, 'busy'), done({ datasetId: 'abc' })]);
    const doi = scripted('nomad.doi', [async (ctx) => done({ doi: `10.17172/NOMAD/${ctx.results.get('nomad.dataset')?.detail?.datasetId}` })], ['nomad.dataset']);
    const first = await run([ds, doi]);
    expect(first.steps[1]).toMatchObject({ status: 'skipped', code: 'NEEDS_PREVIOUS_STEP', reason: 'nomad.dataset did not complete' });
    expect(doi.calls).toBe(0);
    const second = await run([ds, doi]);
    expect(second.steps.map((s) => s.status)).toEqual(['done', 'done']);
    expect(second.steps[1]?.detail).toEqual({ doi: '10.17172/NOMAD/abc' });
    // and a step whose need was done in an earlier run gets that result
    const third = await run([ds, doi]);
    expect(third.steps.map((s) => s.from)).toEqual(['journal', 'journal']);
  });

  test('Ctrl-C during a step: the journal keeps what completed, the step is not recorded, CancelledError carries the reports', async () => {
    const ctl = new AbortController();
    const a = scripted('zenodo.publish', [done()]);
    const b = scripted('orcid.work', [
      (ctx) =>
        new Promise<StepResult>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true });
          ctl.abort();
        }),
      done(),
    ]);
    const c = scripted('zotero.item', [done()]);
    const err = await run([a, b, c], { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).exitCode).toBe(130);
    expect((err as CancelledError).details?.steps).toEqual([expect.objectContaining({ id: 'zenodo.publish', status: 'done' })]);
    expect(c.calls).toBe(0);
    const j = await recordedSteps(journal, 'zenodo:zenodo.org:1234567');
    expect(Object.keys(j)).toEqual(['zenodo.publish']);
    expect(await readdir(join(dir, 'state', 'rdp'))).toEqual(['publish.json']); // no temporary file left
    const again = await run([a, b, c]);
    expect([a.calls, b.calls, c.calls]).toEqual([1, 2, 1]);
    expect(again.steps.map((s) => s.status)).toEqual(['already', 'done', 'done']);
  });

  test('Ctrl-C as a step completes: that step is recorded, the next does not start', async () => {
    const ctl = new AbortController();
    const a = scripted('zenodo.publish', [async () => (ctl.abort(), done({ doi: 'x' }))]);
    const b = scripted('orcid.work', [done()]);
    await expect(run([a, b], { signal: ctl.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(b.calls).toBe(0);
    expect((await recordedSteps(journal, 'zenodo:zenodo.org:1234567'))['zenodo.publish']).toMatchObject({ status: 'done', detail: { doi: 'x' } });
  });

  test('records are independent; an auth error keeps its exit code for the caller', async () => {
    const a = scripted('orcid.work', [new AuthDeniedError('AUTH_SCOPE', 'ORCID refused the token.'), done()]);
    const r1 = await run([a], { record: 'zenodo:zenodo.org:1' });
    expect(r1.steps[0]?.error?.exitCode).toBe(4);
    await run([a], { record: 'zenodo:zenodo.org:2' });
    expect(a.calls).toBe(2);
    const j = await readJournalFile(journal);
    expect(Object.keys(j.records).sort()).toEqual(['zenodo:zenodo.org:1', 'zenodo:zenodo.org:2']);
  });

  test('a corrupt journal: a warning, every step runs, and the file is whole again afterwards', async () => {
    await mkdir(join(dir, 'state', 'rdp'), { recursive: true });
    await writeFile(journal, '{"version": 1, "records": {');
    const a = scripted('zenodo.publish', [done()]);
    const r = await run([a]);
    expect(a.calls).toBe(1);
    expect(r.warnings.join('\n')).toMatch(/not valid JSON/);
    expect(JSON.parse(await readFile(journal, 'utf8')).records['zenodo:zenodo.org:1234567'].steps['zenodo.publish'].status).toBe('done');
  });

  test('a journal that cannot be written: the steps still run, with a warning per step', async () => {
    await writeFile(join(dir, 'state'), 'a file where the folder should be');
    const a = scripted('zenodo.publish', [done()]);
    const r = await run([a]);
    expect(r.steps[0]?.status).toBe('done');
    expect(r.warnings.filter((w) => /Could not record step zenodo\.publish/.test(w))).toHaveLength(1);
    expect(r.warnings.filter((w) => /Cannot read/.test(w))).toHaveLength(1);
  });

  test('two steps with one id are a programming error', async () => {
    const a = scripted('x', [done()]);
    await expect(run([a, a])).rejects.toThrow(/two steps are called x/);
  });

  test('runs at the same time (a CI matrix publishing several records) lose no entry: every write holds the journal lock', async () => {
    const records = Array.from({ length: 12 }, (_, i) => `zenodo:zenodo.org:${1000 + i}`);
    const steps = () => ['publish', 'dmp.link', 'orcid.work', 'zotero.item'].map((id) => scripted(id, [done({ id })]));
    await Promise.all(records.map((record) => run(steps(), { record })));
    const j = await readJournalFile(journal);
    expect(Object.keys(j.records).sort()).toEqual(records);
    for (const r of records) expect(Object.keys(j.records[r]?.steps ?? {}).sort()).toEqual(['dmp.link', 'orcid.work', 'publish', 'zotero.item']);
    expect((await readdir(join(dir, 'state', 'rdp'))).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  test('the journal lives in $XDG_STATE_HOME/rdp/publish.json', () => {
    expect(journalPath({ XDG_STATE_HOME: '/s' })).toBe(join('/s', 'rdp', 'publish.json'));
  });
});
