// A site's browser login as its descriptor declares it (src/providers/invenio/auth.ts): Zenodo's
// Invenio-OAuth2Server login with a fixed, registered port; what to register; the hint when the browser
// never came back; and that a site without a client logs in with a token (`withoutClient`).
import { describe, expect, test } from 'vitest';
import { SITE_DEFAULT_PORT, SITE_SCOPES } from '../../../../src/providers/invenio/auth.js';
import { siteProvider } from '../../../../src/providers/invenio/index.js';
import type { Endpoints } from '../../../../src/providers/types.js';

const site = siteProvider({ name: 'tuwien', url: 'https://researchdata.tuwien.ac.at', added: '2026-12-01T00:00:00Z' } as Parameters<typeof siteProvider>[0]);
const oauth = site.auth.oauth;
const ep = { provider: 'tuwien', name: 'tuwien', web: 'https://researchdata.tuwien.ac.at', api: 'https://researchdata.tuwien.ac.at/api' } as Endpoints;

describe('a site descriptor declares its OAuth login', () => {
  test('OAuth 2 on a fixed default loopback port, config keys, renewable, a token while no client is configured', () => {
    expect(oauth).toBeDefined();
    expect(oauth).toMatchObject({
      protocol: 'oauth2',
      defaultRedirect: { kind: 'loopback', port: SITE_DEFAULT_PORT, path: '/callback' },
      config: { redirectUri: true, port: true },
      codeLifetime: 'about 100 seconds',
      clientSecret: 'optional',
      notFoundIsInvalidClient: true,
      renewable: true,
      withoutClient: 'token',
    });
    expect(SITE_DEFAULT_PORT).toBe(21930);
    expect(SITE_SCOPES).toEqual(['user:email']);
  });

  test('registration: the site page and the exact redirect URI (a random port registers the default one)', () => {
    const g = oauth?.registration(ep, { kind: 'loopback', port: 0, path: '/callback' }, {});
    expect(g?.page).toBe('https://researchdata.tuwien.ac.at/account/settings/applications/clients/new/');
    expect(g?.redirectUri).toBe('http://127.0.0.1:21930/callback');
    expect(g?.fields.find(([k]) => k === 'Redirect URIs')?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:21930\/callback +\(exactly this: InvenioRDM matches redirect URIs exactly, port included\)$/);
    expect(oauth?.registration(ep, { kind: 'loopback', port: 8765, path: '/callback' }, {}).redirectUri).toBe('http://127.0.0.1:8765/callback');
    expect(oauth?.registration(ep, { kind: 'https', uri: 'https://example.org/cb' }, {}).redirectUri).toBe('https://example.org/cb');
  });

  test('the mismatch hint names the exact URI and --port; a random port is said never to match', () => {
    const fixed = oauth?.mismatchHint?.({ kind: 'loopback', port: 8765, path: '/callback' }, 'http://127.0.0.1:8765/callback') ?? '';
    expect(fixed).toContain('not registered with exactly http://127.0.0.1:8765/callback');
    expect(fixed).toContain('rdp config set tuwien.port N');
    const random = oauth?.mismatchHint?.({ kind: 'loopback', port: 0, path: '/callback' }, 'http://127.0.0.1:21930/callback') ?? '';
    expect(random).toContain('exactly http://127.0.0.1:21930/callback');
    expect(random).toContain('a random port from --port 0 never matches');
    expect(oauth?.mismatchHint?.({ kind: 'oob', uri: 'urn:ietf:wg:oauth:2.0:oob' }, 'urn:ietf:wg:oauth:2.0:oob')).toBeUndefined();
  });
});
