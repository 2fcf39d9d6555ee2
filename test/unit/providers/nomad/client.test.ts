// The NOMAD client against a scripted server answering with the recorded facts of NOMAD's code
// (test/contract/nomad/api.json, which the emulator is held to as well).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { explainNomadError, NomadClient } from '../../../../src/providers/nomad/client.js';
import { nomad } from '../../../../src/providers/nomad/index.js';
import { fixture, json, type Scripted, scriptedServer } from '../../../helpers/scripted-server.js';

const API = fixture<{
  passwordLogin: { path: string; answerKeys: string[] };
  appToken: { path: string; param: string; maxSeconds: number };
  unpublishedUploadsPerUser: { limit: number; status: number; message: string };
}>('nomad/api.json');

let srv: Scripted;
beforeAll(async () => {
  srv = await scriptedServer();
});
afterAll(() => srv.close());

const client = () => new NomadClient(srv.client(nomad, `${srv.origin}/api/v1`));

describe('NomadClient against the recorded facts', () => {
  test('password -> access token (form) -> app token with expires_in', async () => {
    srv.on((_req, res, url) => {
      if (url.pathname === `/api/v1${API.passwordLogin.path}`) json(res, 200, Object.fromEntries(API.passwordLogin.answerKeys.map((k) => [k, k === 'access_token' ? 'acc' : 'bearer'])));
      else if (url.pathname === `/api/v1${API.appToken.path}`) json(res, 200, { app_token: `app-${url.searchParams.get(API.appToken.param)}` });
      else res.writeHead(404).end();
    });
    const c = client();
    expect(await c.passwordToken('jdoe', 'pw')).toBe('acc');
    expect(srv.seen[0]?.body).toBe('grant_type=password&username=jdoe&password=pw');
    expect(await c.appToken('acc', API.appToken.maxSeconds)).toBe(`app-${API.appToken.maxSeconds}`);
  });

  test("the limit of unpublished uploads (NOMAD's own message) becomes NOMAD_UPLOAD_LIMIT with the way on", async () => {
    srv.on((_req, res) => json(res, API.unpublishedUploadsPerUser.status, { detail: API.unpublishedUploadsPerUser.message }));
    const err = await client()
      .getUpload('abc')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOMAD_UPLOAD_LIMIT', hint: expect.stringMatching(/rdp uploads list --on nomad --status draft/) });
    expect(explainNomadError(new Error('other'))).toBeInstanceOf(Error);
  });

  test('uploads: a server that ignores page_after_value (the same uploads, a next value that always moves on) ends the walk, no endless loop', async () => {
    let n = 0;
    srv.on((_req, res) => {
      n += 1;
      json(res, 200, { data: [{ upload_id: 'u1', upload_name: 'a' }, { upload_id: 'u2', upload_name: 'b' }], pagination: { total: 1_000_000, page_size: 2, next_page_after_value: `v${n}` } });
    });
    const ids: string[] = [];
    for await (const u of client().uploads({ pageSize: 2 })) {
      ids.push(u.uploadId);
      if (ids.length > 10) break;
    }
    expect(ids).toEqual(['u1', 'u2']);
    expect(n).toBe(2);
  });
});
