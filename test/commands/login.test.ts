// Parsing `rdp login <provider>`: the flags made into the workflow's plain request (which way to log
// in, and its settings), and the flag rules, which name the providers that take a flag from their
// descriptors (gh's TestNewCmdX, table-driven).
import { describe, expect, test } from 'vitest';
import { DEFAULT_LOGIN_TIMEOUT_MS, type LoginFlags, loginMethod } from '../../src/commands/login.js';
import { getProvider, siteProvider } from '../../src/providers/index.js';

const method = (id: string, flags: Partial<LoginFlags>) => loginMethod(getProvider(id), { lifetime: '30d', ...flags } as LoginFlags);

describe('rdp login: flags to a plain request', () => {
  test.each([
    ['zenodo', { withToken: true }, { kind: 'token' }],
    ['orcid', { withToken: true, orcid: 'https://orcid.org/0000-0002-1825-0097' }, { kind: 'token', owner: '0000-0002-1825-0097' }],
    ['nomad', { username: 'jdoe', passwordStdin: true, lifetime: '12h' }, { kind: 'password', username: 'jdoe', passwordStdin: true, lifetimeSeconds: 43200 }],
    ['nomad', {}, { kind: 'password', passwordStdin: false, lifetimeSeconds: 2592000 }],
    ['zenodo', {}, { kind: 'browser', timeoutMs: DEFAULT_LOGIN_TIMEOUT_MS, noBrowser: false, scopes: [], clientCredentials: false }],
    ['zenodo', { browser: false, port: '0', timeout: '90s', scope: ['user:email'] }, { kind: 'browser', port: 0, timeoutMs: 90_000, noBrowser: true, scopes: ['user:email'] }],
    ['dmptool', { redirectUri: 'oob' }, { kind: 'browser', redirect: { kind: 'oob', uri: 'urn:ietf:wg:oauth:2.0:oob' } }],
    ['orcid', { redirectUri: 'http://127.0.0.1:8765/cb', port: '8765' }, { kind: 'browser', redirect: { kind: 'loopback', port: 8765, path: '/cb' } }],
    ['dmptool', { clientCredentials: true, clientId: 'ID', clientSecret: true }, { kind: 'browser', clientCredentials: true, client: { clientId: 'ID', clientSecret: true } }],
    ['zotero', { keyName: 'laptop', readOnly: true, scope: ['notes groups:read'] }, { kind: 'browser', keyName: 'laptop', readOnly: true, scopes: ['notes', 'groups:read'] }],
  ])('rdp login %s %j', async (id, flags, want) => {
    expect(await method(id, flags)).toMatchObject(want);
  });
});

describe('rdp login <site>: a browser login, or a token while no OAuth client is configured', () => {
  const site = siteProvider({ name: 'tuwien', url: 'https://researchdata.tuwien.ac.at', added: '2026-12-01T00:00:00Z' });
  const siteMethod = (flags: Partial<LoginFlags>) => loginMethod(site, { lifetime: '30d', ...flags } as LoginFlags);
  test('no flags: the browser login, or the token when no client turns up (orToken)', async () => {
    expect(await siteMethod({})).toMatchObject({ kind: 'browser', orToken: true, scopes: [] });
  });
  test('a browser flag asks for the browser login only (no token way)', async () => {
    for (const flags of [{ port: '8765' }, { browser: false }, { clientId: 'ID' }, { scope: ['user:email'] }]) {
      const m = await siteMethod(flags);
      expect(m.kind).toBe('browser');
      expect((m as { orToken?: boolean }).orToken).toBeUndefined();
    }
  });
  test('--with-token is a token login; --client-credentials is refused', async () => {
    expect(await siteMethod({ withToken: true })).toMatchObject({ kind: 'token' });
    await expect(siteMethod({ clientCredentials: true })).rejects.toMatchObject({ code: 'USAGE', message: '--client-credentials is for DMPTool and ORCID only.' });
  });
});

describe('rdp login: the flag rules (the providers named come from their descriptors)', () => {
  test.each([
    ['zenodo', { username: 'x' }, '--username and --password-stdin are for NOMAD only.'],
    ['zenodo', { orcid: '0000-0002-1825-0097' }, '--orcid is for ORCID only.'],
    ['orcid', { withToken: true, orcid: '0000-0002-1825-0098' }, /is not a valid ORCID iD: its check character should be 7/],
    ['zenodo', { clientCredentials: true }, '--client-credentials is for DMPTool and ORCID only.'],
    ['orcid', { keyName: 'k' }, '--key-name and --read-only are for Zotero only.'],
    ['nomad', { port: '1' }, 'NOMAD has no browser login, so --port does not apply.'],
    ['nomad', { username: 'u', lifetime: '31d' }, `--lifetime must be more than 0 and at most 30 days (NOMAD's limit), not "31d".`],
    ['zenodo', { withToken: true, scope: ['a'] }, '--scope is for browser logins; --with-token reads a token from stdin instead.'],
    ['nomad', { passwordStdin: true }, '--password-stdin needs --username.'],
    ['dmptool', { port: '5' }, 'DMPTool logs in out-of-band (it shows a code to paste), so --port does not apply.'],
    ['zotero', { redirectUri: 'oob' }, /Zotero's login \(OAuth 1\.0a\) always comes back to rdp's 127\.0\.0\.1 listener/],
    ['orcid', { redirectUri: 'https://example.org/cb', port: '5' }, /--port is for the 127\.0\.0\.1 listener/],
    ['orcid', { clientCredentials: true, browser: false }, /--no-browser is for browser logins; --client-credentials opens no browser/],
    ['zenodo', { timeout: '0s' }, '--timeout must be longer than 0, not "0s".'],
  ])('rdp login %s %j', async (id, flags, message) => {
    await expect(method(id, flags)).rejects.toMatchObject({ code: 'USAGE', message: typeof message === 'string' ? message : expect.stringMatching(message) });
  });
});
