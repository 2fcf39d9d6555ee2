// Parsing `rdp upload`: the flags made into the workflow's plain input (the target, its own options
// keyed as data, the printed resume command), and the flags of the other targets refused. In-process
// through main() for what the parser itself decides.
import { describe, expect, test } from 'vitest';
import { mergedOptions, uploadInput } from '../../src/commands/upload.js';
import { UsageError } from '../../src/errors/errors.js';
import { siteProvider, withCapability } from '../../src/providers/index.js';
import { runMain } from '../helpers/run-main.js';

const targets = withCapability('deposit');

describe('rdp upload: targets that share flags (an InvenioRDM site takes Zenodo\'s)', () => {
  const site = siteProvider({ name: 'tuwien', url: 'https://researchdata.tuwien.ac.at', added: '' }) as (typeof targets)[number];
  const both = [...targets, site];

  test('one option per flag, its description naming every target that takes it', () => {
    const merged = mergedOptions(both);
    expect(merged.filter((s) => s.flags.startsWith('--title ')).map((s) => s.description)).toEqual(['Zenodo, sites: title']);
    expect(merged.find((s) => s.flags === '--zotero')?.description).toBe('Zenodo, sites: after --publish, add the record to your Zotero library');
    expect(merged.find((s) => s.flags === '--write-doi')?.description).toBe("Zenodo, sites: write the reserved DOI into the folder's CITATION.cff before its files are sent");
    expect(new Set(merged.map((s) => s.flags)).size).toBe(merged.length);
  });

  test('a shared flag reaches the site as its own option; a flag the site does not take is refused, naming who takes it', () => {
    const { target, input } = uploadInput(both, ['d'], { to: 'tuwien', title: 'T', newVersion: 'https://researchdata.tuwien.ac.at/records/4d0ns-ntd89', publish: true });
    expect(target.id).toBe('tuwien');
    expect(input.read).toMatchObject({ title: 'T', newVersion: '4d0ns-ntd89' });
    expect(input.resume('ab12c-de345')).toBe('rdp upload d --to tuwien --deposition ab12c-de345 --publish --title T');
    expect(uploadInput(both, ['d'], { to: 'tuwien', writeDoi: true }).input.read).toMatchObject({ writeDoi: true });
    expect(() => uploadInput(both, ['d'], { to: 'tuwien', embargo: 3 })).toThrow(/--embargo works only with --to nomad, not with --to tuwien\./);
    expect(() => uploadInput(both, ['d'], { to: 'tuwien', zotero: true })).toThrow(/--zotero adds the published record to your Zotero library, so it needs --publish\./);
    expect(uploadInput(both, ['d'], { to: 'tuwien', zotero: true, orcidWork: true, publish: true }).input.read).toMatchObject({ zotero: true, orcidWork: true });
    expect(() => uploadInput(both, ['d'], { to: 'nomad', title: 'T' })).toThrow(/--title works only with --to zenodo or --to tuwien, not with --to nomad\./);
    expect(() => uploadInput(both, ['d'], { to: 'tuwien', deposition: 'not an id!' })).toThrow(UsageError);
  });
});

describe('rdp upload: flags to plain input', () => {
  test('the resume command is built from the options as data: every option given, quoted for a shell, the draft named', () => {
    const { target, input } = uploadInput(targets, ['my data', 'x.csv'], { to: 'zenodo', newVersion: '5', title: "It's", creator: ['Doe, Jane'], concurrency: 8, publish: true, sandbox: true });
    expect(target.id).toBe('zenodo');
    expect(input.options).toEqual({ newVersion: '5', title: "It's", creator: ['Doe, Jane'], concurrency: 8 });
    expect(input.resume(77)).toBe("rdp upload 'my data' x.csv --to zenodo --deposition 77 --publish --sandbox --title 'It'\\''s' --creator 'Doe, Jane' --concurrency 8");
  });

  test('--dry-run and the options that chose the draft are not resumed; a repeated option is given again each time', () => {
    const { input } = uploadInput(targets, ['d'], { to: 'zenodo', dryRun: true, deposition: '9', exclude: ['*.tmp', 'x/'], keyword: ['a', 'b'] });
    expect(input.dryRun).toBe(true);
    expect(input.exclude).toEqual(['*.tmp', 'x/']);
    expect(input.resume(9)).toBe("rdp upload d --to zenodo --deposition 9 --exclude '*.tmp' --exclude x/ --keyword a --keyword b");
  });

  test("another target's flags are refused, named, with what to do", () => {
    expect(() => uploadInput(targets, ['d'], { to: 'nomad', title: 'T', license: 'mit', wait: true })).toThrow(/--title and --license work only with --to zenodo, not with --to nomad\./);
    expect(() => uploadInput(targets, ['d'], { to: 'zenodo', wait: false })).toThrow(/--no-wait works only with --to nomad/);
    expect(() => uploadInput(targets, ['d'], { to: 'zenodo', wait: true })).not.toThrow();
  });

  test("the target's own rules run before the workflow", () => {
    expect(() => uploadInput(targets, ['d'], { to: 'zenodo', zotero: true })).toThrow(UsageError);
    expect(() => uploadInput(targets, ['d'], { to: 'nomad', upload: 'abc', name: 'x', wait: true })).toThrow(/--name names a new upload/);
  });

  test('the parser: --to is required and takes only deposit targets', async () => {
    const none = await runMain(['upload', 'x', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stderr).error.message).toBe('--to <service> is required.');
    const wrong = await runMain(['upload', 'x', '--to', 'orcid', '--json']);
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stderr).error).toMatchObject({ message: '--to cannot be "orcid".', hint: `Choose one of: ${targets.map((p) => p.id).join(', ')}.` });
  });

  test('--to (and --on) given twice with different services is refused, not taken as the last one', async () => {
    const twice = await runMain(['upload', 'x', '--to', 'zenodo', '--to', 'nomad', '--json']);
    expect(twice.code).toBe(2);
    expect(JSON.parse(twice.stderr).error).toMatchObject({ code: 'USAGE', message: '--to is given twice ("zenodo", then "nomad"): one upload goes to one service.' });
    const on = await runMain(['uploads', 'list', '--on', 'zenodo', '--on', 'nomad', '--json']);
    expect(on.code).toBe(2);
    expect(JSON.parse(on.stderr).error.message).toMatch(/^--on is given twice \("zenodo", then "nomad"\)/);
    const publish = await runMain(['publish', '123', '--on', 'zenodo', '--on', 'nomad', '--json']);
    expect(publish.code).toBe(2);
    expect(JSON.parse(publish.stderr).error.message).toMatch(/^--on is given twice/);
    const bad = await runMain(['upload', 'x', '--to', 'zenodo', '--to', 'orcid', '--json']);
    expect(JSON.parse(bad.stderr).error.message).toMatch(/^--to is given twice \("zenodo", then "orcid"\)/);
  });
});
