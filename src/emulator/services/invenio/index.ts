// One generic InvenioRDM repository ("a site" to rdp: CaltechDATA, TU Wien Research Data, ...), with the
// RDM records API only (providers.md 1.10 and 0.1; the server code is invenio-rdm-records,
// invenio-drafts-resources and invenio-records-resources): drafts, files init -> content -> commit,
// multipart uploads (transfer type `M`, InvenioRDM >= v13, on by default), publish, new versions with
// files-import, and the user's records. No legacy /api/deposit API (that is Zenodo's alone).
//
// Authentication: personal tokens as `Authorization: Bearer` (or `?access_token=`). Invenio-OAuth2Server
// ignores a token it does not know (bad, expired, revoked) and the request runs anonymously; the records
// service then answers 403 "Permission denied." wherever a user is needed, never 401. Public reads
// (GET /api/records) answer anonymously either way. OAuth tokens (oauth.ts: Invenio-OAuth2Server, with a
// ready-made client registered for http://127.0.0.1:21930/callback) act for their user the same way.
//
// Knobs: `multipart` (default on; off refuses it as Zenodo does: init accepted, parts 403),
// `multipartChecksum`, `checksumDelayMs` and `doi` (default on; off publishes without minting a DOI and refuses
// to reserve one (400), as a site whose DOIs are optional and not set up), `doiOptional` (DataCite DOIs that
// are optional: minted only when reserved; a new version keeps the kind of DOI), `allowEmptyFiles`, `publishGate`
// (none; curation: invenio-curations' refusal until a curator accepts; community: a community required)
// (EmulatorOptions.invenio, or POST /_emulator/invenio/settings).
import { EmuHttpError } from '../../http.js';
import type { EmulatorService } from '../../server.js';
import { SEED } from '../../state.js';
import { mountFiles } from './files.js';
import { mountSiteOAuth } from './oauth.js';
import { mountRecords } from './records.js';
import { invenioStore } from './store.js';

export const invenio: EmulatorService = {
  id: 'invenio',
  basePath: '/invenio',
  // invenio-app-rdm: 1000 requests a minute (and 25000 an hour) when authenticated, flask-limiter's
  // moving window with its headers on every response.
  rateLimit: { limit: 1000, windowMs: 60_000, status: 429, headers: true },
  errorBody(status, message) {
    const text =
      status === 404 && message === 'Not found'
        ? 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'
        : status === 405
          ? 'The method is not allowed for the requested URL.'
          : message;
    return { body: JSON.stringify({ status, message: text }), contentType: 'application/json' };
  },
  mount(ctx) {
    const store = invenioStore(ctx.state);
    store.keepContent = !ctx.options.discardUploads;
    const o = ctx.options.invenio ?? {};
    store.settings = {
      multipart: o.multipart ?? true,
      multipartChecksum: o.multipartChecksum ?? 'task',
      checksumDelayMs: o.checksumDelayMs ?? 0,
      doi: o.doi ?? true,
      doiOptional: o.doiOptional ?? false,
      allowEmptyFiles: o.allowEmptyFiles ?? true,
      publishGate: o.publishGate ?? 'none',
    };
    const pat = ctx.state.issue({ service: 'invenio', userId: SEED.invenio.id, scopes: [], kind: 'personal' });
    mountRecords(ctx);
    mountFiles(ctx);
    mountSiteOAuth(ctx);

    // Control: GET/POST /_emulator/invenio/settings
    ctx.control.get('/settings', (_req, res) => res.json(200, store.settings));
    ctx.control.post('/settings', async (req, res) => {
      const body = await req.json<Record<string, unknown>>();
      if (body.multipart !== undefined) {
        if (typeof body.multipart !== 'boolean') throw new EmuHttpError(400, { message: 'multipart must be true or false' });
        store.settings.multipart = body.multipart;
      }
      if (body.multipartChecksum !== undefined) {
        if (body.multipartChecksum !== 'task' && body.multipartChecksum !== 'etag') throw new EmuHttpError(400, { message: 'multipartChecksum must be "task" or "etag"' });
        store.settings.multipartChecksum = body.multipartChecksum;
      }
      if (body.checksumDelayMs !== undefined) {
        if (typeof body.checksumDelayMs !== 'number' || !(body.checksumDelayMs >= 0)) throw new EmuHttpError(400, { message: 'checksumDelayMs must be a number of milliseconds' });
        store.settings.checksumDelayMs = body.checksumDelayMs;
      }
      if (body.doi !== undefined) {
        if (typeof body.doi !== 'boolean') throw new EmuHttpError(400, { message: 'doi must be true or false' });
        store.settings.doi = body.doi;
      }
      if (body.doiOptional !== undefined) {
        if (typeof body.doiOptional !== 'boolean') throw new EmuHttpError(400, { message: 'doiOptional must be true or false' });
        store.settings.doiOptional = body.doiOptional;
      }
      if (body.allowEmptyFiles !== undefined) {
        if (typeof body.allowEmptyFiles !== 'boolean') throw new EmuHttpError(400, { message: 'allowEmptyFiles must be true or false' });
        store.settings.allowEmptyFiles = body.allowEmptyFiles;
      }
      if (body.publishGate !== undefined) {
        if (body.publishGate !== 'none' && body.publishGate !== 'curation' && body.publishGate !== 'community') throw new EmuHttpError(400, { message: 'publishGate must be "none", "curation" or "community"' });
        store.settings.publishGate = body.publishGate;
      }
      res.json(200, store.settings);
    });

    return { token: pat.token, extra: { user: SEED.invenio, site: 'demo' }, close: () => store.close() };
  },
};
