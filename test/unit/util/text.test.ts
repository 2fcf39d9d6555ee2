// src/util/text.ts: the "did you mean" guess.
import { describe, expect, test } from 'vitest';
import { nearest } from '../../../src/util/text.js';

const PROVIDERS = ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero'];

describe('nearest', () => {
  test('typos: a letter extra, missing, wrong or two swapped', () => {
    expect(nearest('zenodoo', PROVIDERS)).toBe('zenodo');
    expect(nearest('zendo', PROVIDERS)).toBe('zenodo');
    expect(nearest('nomda', PROVIDERS)).toBe('nomad');
    expect(nearest('orcud', PROVIDERS)).toBe('orcid');
    expect(nearest('DMPtool', PROVIDERS)).toBe('dmptool');
  });
  test('a prefix of exactly one candidate', () => {
    expect(nearest('dmp', PROVIDERS)).toBe('dmptool');
    expect(nearest('z', PROVIDERS)).toBeUndefined(); // zenodo or zotero
  });
  test('nothing close, or a tie: no guess', () => {
    expect(nearest('figshare', PROVIDERS)).toBeUndefined();
    expect(nearest('', PROVIDERS)).toBeUndefined();
    expect(nearest('ab', ['ac', 'ad'])).toBeUndefined();
  });
});
