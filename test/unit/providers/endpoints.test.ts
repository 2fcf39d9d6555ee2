// Endpoints for a run from a provider's descriptor: production, sandbox, one override base.
import { describe, expect, test } from 'vitest';
import { joinUrl } from '../../../src/http/client.js';
import { resolveEndpoints } from '../../../src/providers/endpoints.js';
import { getProvider, providers } from '../../../src/providers/index.js';

const ep = (id: string, opts = {}) => resolveEndpoints(getProvider(id), opts);

describe('provider endpoints', () => {
  test('production and sandbox bases, with accounts per host', () => {
    expect(ep('zenodo')).toMatchObject({ web: 'https://zenodo.org', api: 'https://zenodo.org/api', account: 'zenodo@zenodo.org' });
    expect(ep('zenodo', { sandbox: true })).toMatchObject({ api: 'https://sandbox.zenodo.org/api', account: 'zenodo@sandbox.zenodo.org' });
    expect(ep('orcid', { sandbox: true })).toMatchObject({ web: 'https://sandbox.orcid.org', api: 'https://pub.sandbox.orcid.org' });
    expect(ep('nomad').api).toBe('https://nomad-lab.eu/prod/v1/api/v1');
    expect(ep('nomad', { sandbox: true }).api).toBe('https://nomad-lab.eu/prod/v1/test/api/v1');
    expect(ep('nomad').account).not.toBe(ep('nomad', { sandbox: true }).account);
    expect(() => ep('dmptool', { sandbox: true })).toThrow(/no sandbox/);
  });

  test('one override base serves authorization and API endpoints alike, with real paths', () => {
    const z = ep('zenodo', { envUrl: 'http://127.0.0.1:5000' });
    expect(z).toMatchObject({ web: 'http://127.0.0.1:5000', api: 'http://127.0.0.1:5000/api', account: 'zenodo@127.0.0.1:5000', origin: 'env' });
    // the REST base copied from Zenodo's docs is tolerated
    expect(ep('zenodo', { envUrl: 'https://sandbox.zenodo.org/api/' }).web).toBe('https://sandbox.zenodo.org');
    expect(ep('nomad', { envUrl: 'http://h:1/prefix/api/v1/' }).api).toBe('http://h:1/prefix/api/v1');
    for (const p of providers()) {
      const e = resolveEndpoints(p, { configUrl: 'https://example.org/x' });
      expect(e.origin).toBe('config');
      expect(e.api.startsWith('https://example.org/x')).toBe(true);
      expect(e.web.startsWith('https://example.org/x')).toBe(true);
    }
    expect(ep('orcid', { envUrl: 'http://a', configUrl: 'http://b' }).web).toBe('http://a');
  });

  test('joinUrl keeps a base path prefix', () => {
    expect(joinUrl('http://h:1/zenodo/api', '/deposit/depositions')).toBe('http://h:1/zenodo/api/deposit/depositions');
    expect(joinUrl('https://zenodo.org/api/', 'deposit')).toBe('https://zenodo.org/api/deposit');
  });
});
