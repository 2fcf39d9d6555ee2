// Zotero item writes against a scripted server answering with the recorded facts of the dataserver
// (test/contract/zotero/items-api.json, which the emulator is held to as well): a reused write token
// means an earlier attempt was written; failure messages come HTML-escaped.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createZoteroItems } from '../../../../src/providers/zotero/client.js';
import { zotero } from '../../../../src/providers/zotero/index.js';
import { fixture, json, type Scripted, scriptedServer } from '../../../helpers/scripted-server.js';

const ITEMS = fixture<{
  writeTokenReused: { status: number; body: string; contentType: string };
  failedMessageEscaping: { example: { sent: string; answered: string } };
}>('zotero/items-api.json');

let srv: Scripted;
beforeAll(async () => {
  srv = await scriptedServer();
});
afterAll(() => srv.close());

describe('Zotero item writes against the recorded facts', () => {
  test('412 "Write token already used" after a lost answer: the item was written (alreadyWritten), not an error', async () => {
    let n = 0;
    srv.on((_req, res) => {
      n += 1;
      if (n === 1) {
        res.socket?.destroy(); // the first answer is lost
        return;
      }
      res.writeHead(ITEMS.writeTokenReused.status, { 'content-type': ITEMS.writeTokenReused.contentType });
      res.end(ITEMS.writeTokenReused.body);
    });
    const http = srv.client(zotero, srv.origin, { RDP_HTTP_RETRIES: '2', RDP_RETRY_BASE_MS: '1' });
    expect(await createZoteroItems(http, '123', [{ itemType: 'dataset' }])).toBe('alreadyWritten');
    expect(srv.seen.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  test('failed[i].message comes HTML-escaped and is read back as sent', async () => {
    srv.on((_req, res) => json(res, 200, { successful: {}, failed: { 0: { code: 400, message: ITEMS.failedMessageEscaping.example.answered } } }));
    const r = await createZoteroItems(srv.client(zotero), '123', [{}]);
    expect(r).not.toBe('alreadyWritten');
    expect(r !== 'alreadyWritten' && r.failed['0']?.message).toBe(ITEMS.failedMessageEscaping.example.sent);
  });
});
