import { describe, expect, test } from 'vitest';
import { readErrorBody } from '../../../src/http/errors.js';
import { getProvider } from '../../../src/providers/index.js';

/** One line from an error response, read by the provider's own reader (its descriptor's errorBody). */
const parseErrorBody = (id: string, status: number, text: string, headers: Record<string, string | string[] | undefined>) => readErrorBody(getProvider(id).errorBody, status, text, headers);

describe('provider error bodies (providers.md)', () => {
  test('Zenodo: message, and validation errors in both the documented and the current shape', () => {
    expect(parseErrorBody('zenodo', 404, '{"status":404,"message":"Deposition not found"}', {}).message).toBe('Deposition not found');
    const v = parseErrorBody(
      'zenodo',
      400,
      JSON.stringify({
        status: 400,
        message: 'A validation error occurred.',
        errors: [
          { field: 'metadata.title', messages: ['Missing data for required field.'] },
          { field: 'metadata.creators.0.name', message: 'Name is required.' },
        ],
      }),
      {},
    );
    expect(v.message).toBe('A validation error occurred. — metadata.title: Missing data for required field.; metadata.creators.0.name: Name is required.');
    expect(v.fieldErrors).toHaveLength(2);
    expect(parseErrorBody('zenodo', 400, '{"error":"invalid_grant","error_description":"bad code"}', {}).oauthError).toBe('invalid_grant');
  });

  test('NOMAD: detail as text, as a validation list, and as an unhandled-exception object', () => {
    expect(parseErrorBody('nomad', 401, '{"detail":"Expired token."}', {}).message).toBe('Expired token.');
    expect(parseErrorBody('nomad', 422, '{"detail":[{"loc":["query","page_size"],"msg":"bad","type":"x"}]}', {}).message).toBe('query.page_size: bad');
    expect(parseErrorBody('nomad', 500, '{"detail":{"reason":"Unexpected exception while handling your request","exception":"boom"}}', {}).message).toMatch(/boom/);
  });

  test('DMPTool: the envelope errors (also nested), and the empty 403 with WWW-Authenticate', () => {
    expect(parseErrorBody('dmptool', 404, '{"code":404,"errors":["Plan not found"]}', {}).message).toBe('Plan not found');
    expect(parseErrorBody('dmptool', 400, '{"errors":[["Title is missing","Bad date"]]}', {}).message).toBe('Title is missing; Bad date');
    const scope = parseErrorBody('dmptool', 403, '', { 'www-authenticate': 'Bearer realm="Doorkeeper", error="insufficient_scope", error_description="needs read_dmps"' });
    expect(scope).toMatchObject({ oauthError: 'insufficient_scope', message: 'insufficient_scope: needs read_dmps' });
  });

  test('ORCID: OAuth errors and v3 API errors', () => {
    expect(parseErrorBody('orcid', 401, '{"error":"invalid_token","error_description":"Invalid access token"}', {}).message).toBe('invalid_token: Invalid access token');
    expect(parseErrorBody('orcid', 404, '{"response-code":404,"developer-message":"dev","user-message":"Not found"}', {}).message).toBe('Not found');
  });

  test('Zotero: plain text, HTML-escaped', () => {
    expect(parseErrorBody('zotero', 403, 'Invalid key', {}).message).toBe('Invalid key');
    expect(parseErrorBody('zotero', 400, "Invalid field &#39;foo&#39; &amp; more", {}).message).toBe("Invalid field 'foo' & more");
  });

  test('HTML and garbage are described, never dumped', () => {
    expect(parseErrorBody('zenodo', 502, '<!DOCTYPE html><html>…</html>', {}).message).toBe('HTTP 502 (the server answered with an HTML page)');
    expect(parseErrorBody('nomad', 500, '', {}).message).toBe('HTTP 500');
  });
});
