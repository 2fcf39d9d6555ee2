import { describe, expect, test } from 'vitest';
import { REDACTED, Redactor, redactHeaders, redactUrl } from '../../../src/util/redact.js';

describe('redaction', () => {
  test('registered secrets are replaced wherever they appear, also URL-encoded', () => {
    const r = new Redactor();
    r.add('s3cr3t/token+value');
    r.add('abc'); // too short to be a secret: ignored, so ordinary words survive
    expect(r.redact('Invalid access token: s3cr3t/token+value.')).toBe(`Invalid access token: ${REDACTED}.`);
    expect(r.redact('?t=s3cr3t%2Ftoken%2Bvalue')).toBe(`?t=${REDACTED}`);
    expect(r.redact('abc')).toBe('abc');
  });

  test('a secret containing another is replaced whole', () => {
    const r = new Redactor();
    r.add('token123');
    r.add('token123-refresh');
    expect(r.redact('token123-refresh token123')).toBe(`${REDACTED} ${REDACTED}`);
  });

  test('URLs lose secret query parameters and userinfo', () => {
    expect(redactUrl('https://u:p@zenodo.org/api/x?access_token=abc&size=1')).toBe(`https://zenodo.org/api/x?access_token=${encodeURIComponent(REDACTED)}&size=1`);
    expect(redactUrl('http://127.0.0.1/callback?code=xyz&state=s1')).not.toMatch(/xyz|s1/);
  });

  test('credential headers are hidden', () => {
    expect(redactHeaders({ authorization: 'Bearer abc', 'zotero-api-key': 'k', accept: 'application/json' })).toEqual({
      authorization: `Bearer ${REDACTED}`,
      'zotero-api-key': REDACTED,
      accept: 'application/json',
    });
  });
});
