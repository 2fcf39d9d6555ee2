// NOMAD's publish options (--dataset, --doi, --yes) as `rdp publish --on nomad` and `rdp upload --to nomad`
// read them: a DOI belongs to a dataset, a dataset to a published upload, and a DOI is confirmed.
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../../src/errors/errors.js';
import { confirmNomadDoi, readNomadOptions, readNomadPublishOptions } from '../../../../src/providers/nomad/deposit/options.js';

describe('NOMAD publish options', () => {
  test('--dataset, --doi, --yes read; --doi needs --dataset; a blank or control-character name is refused', () => {
    expect(readNomadPublishOptions({ dataset: ' Si phonons ', doi: true, yes: true })).toEqual({ dataset: 'Si phonons', doi: true, yes: true });
    expect(readNomadPublishOptions({})).toEqual({ dataset: undefined, doi: false, yes: false });
    expect(() => readNomadPublishOptions({ doi: true })).toThrow(/--doi .* needs --dataset/);
    expect(() => readNomadPublishOptions({ dataset: '  ' })).toThrow(UsageError);
    expect(() => readNomadPublishOptions({ dataset: 'a\u0007b' })).toThrow(UsageError);
  });

  test('a DOI is confirmed: the question names the dataset; --yes answers it', () => {
    expect(confirmNomadDoi({ dataset: 'D', doi: false, yes: false })).toBeUndefined();
    expect(confirmNomadDoi({ dataset: 'D', doi: true, yes: false })).toMatchObject({ yes: false, flag: '--yes', question: expect.stringMatching(/"D".*permanent/) });
    expect(confirmNomadDoi({ dataset: 'D', doi: true, yes: true })?.yes).toBe(true);
  });

  test('on rdp upload: --dataset needs --publish and the wait', () => {
    expect(() => readNomadOptions({ options: { dataset: 'D' }, publish: false })).toThrow(/needs --publish/);
    expect(() => readNomadOptions({ options: { dataset: 'D', wait: false }, publish: true })).toThrow(/wait/);
    expect(readNomadOptions({ options: { dataset: 'D', doi: true, yes: true }, publish: true })).toMatchObject({ wait: true });
  });

  test('--new-upload: read as newUpload; it does not go with --upload', () => {
    expect(readNomadOptions({ options: { newUpload: true }, publish: false })).toMatchObject({ newUpload: true, upload: undefined });
    expect(readNomadOptions({ options: {}, publish: false }).newUpload).toBe(false);
    expect(() => readNomadOptions({ options: { newUpload: true, upload: 'YXUIZpw5RJyV3LAsFI2MmQ' }, publish: false })).toThrow(/--new-upload makes a separate upload/);
  });
});
