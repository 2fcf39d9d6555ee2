// OAuth 1.0a signatures: the emulator's own verifier (RFC 5849 section 3.4) against the RFC's example
// and against what the client's library (oauth-1.0a) produces.
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { describe, expect, test } from 'vitest';
import { hmacSha1, parseOAuthHeader, pct, signatureBase } from '../../../src/emulator/services/zotero/oauth.js';

describe('OAuth 1.0a signature base string and HMAC-SHA1', () => {
  test('the example of RFC 5849 section 3.4.1.1', () => {
    const params: [string, string][] = [
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['c2', ''],
      ['a3', '2 q'],
    ];
    expect(signatureBase('POST', 'http://example.com/request', params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
    expect(pct("a b!*'()~")).toBe('a%20b%21%2A%27%28%29~');
  });

  test("the client library's signed header verifies with the emulator's independent code", () => {
    const consumer = { key: '0123456789abcdef0123', secret: 'fedcba9876543210fedc' };
    const oauth = new OAuth({ consumer, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
    const url = 'http://127.0.0.1:5000/zotero/oauth/access';
    const token = { key: 'requesttoken', secret: 'requestsecret' };
    const extra = { oauth_verifier: 'v3r1f13r' };
    const signed = oauth.authorize({ url, method: 'POST', data: extra }, token);
    const header = oauth.toHeader({ ...signed, ...extra } as OAuth.Authorization).Authorization;
    const parsed = parseOAuthHeader(header);
    expect(parsed?.get('oauth_verifier')).toBe('v3r1f13r');
    const params = [...(parsed ?? new Map<string, string>())].filter(([k]) => k !== 'oauth_signature');
    expect(hmacSha1(signatureBase('POST', url, params), consumer.secret, token.secret)).toBe(parsed?.get('oauth_signature'));
    expect(hmacSha1(signatureBase('POST', url, params), 'wrong', token.secret)).not.toBe(parsed?.get('oauth_signature'));
  });
});
