import { describe, expect, test } from 'vitest';
import { joinUrl, PROVIDER_IDS, resolveEndpoints } from '../../src/providers/registry.js';

describe('provider endpoints', () => {
  test('production and sandbox bases, with accounts per host', () => {
    expect(resolveEndpoints('zenodo')).toMatchObject({ web: 'https://zenodo.org', api: 'https://zenodo.org/api', account: 'zenodo@zenodo.org' });
    expect(resolveEndpoints('zenodo', { sandbox: true })).toMatchObject({ api: 'https://sandbox.zenodo.org/api', account: 'zenodo@sandbox.zenodo.org' });
    expect(resolveEndpoints('orcid', { sandbox: true })).toMatchObject({ web: 'https://sandbox.orcid.org', api: 'https://pub.sandbox.orcid.org' });
    expect(resolveEndpoints('nomad').api).toBe('https://nomad-lab.eu/prod/v1/api/v1');
    expect(resolveEndpoints('nomad', { sandbox: true }).api).toBe('https://nomad-lab.eu/prod/v1/test/api/v1');
    expect(resolveEndpoints('nomad').account).not.toBe(resolveEndpoints('nomad', { sandbox: true }).account);
    expect(() => resolveEndpoints('dmptool', { sandbox: true })).toThrow(/no sandbox/);
  });

  test('one override base serves authorization and API endpoints alike, with real paths', () => {
    const z = resolveEndpoints('zenodo', { envUrl: 'http://127.0.0.1:5000' });
    expect(z).toMatchObject({ web: 'http://127.0.0.1:5000', api: 'http://127.0.0.1:5000/api', account: 'zenodo@127.0.0.1:5000', origin: 'env' });
    // the REST base copied from Zenodo's docs is tolerated
    expect(resolveEndpoints('zenodo', { envUrl: 'https://sandbox.zenodo.org/api/' }).web).toBe('https://sandbox.zenodo.org');
    expect(resolveEndpoints('nomad', { envUrl: 'http://h:1/prefix/api/v1/' }).api).toBe('http://h:1/prefix/api/v1');
    for (const id of PROVIDER_IDS) {
      const ep = resolveEndpoints(id, { configUrl: 'https://example.org/x' });
      expect(ep.origin).toBe('config');
      expect(ep.api.startsWith('https://example.org/x')).toBe(true);
      expect(ep.web.startsWith('https://example.org/x')).toBe(true);
    }
    expect(resolveEndpoints('orcid', { envUrl: 'http://a', configUrl: 'http://b' }).web).toBe('http://a');
  });

  test('joinUrl keeps a base path prefix', () => {
    expect(joinUrl('http://h:1/zenodo/api', '/deposit/depositions')).toBe('http://h:1/zenodo/api/deposit/depositions');
    expect(joinUrl('https://zenodo.org/api/', 'deposit')).toBe('https://zenodo.org/api/deposit');
  });
});
