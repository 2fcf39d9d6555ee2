// Records and drafts (invenio-drafts-resources RecordResource and RecordService, invenio-rdm-records'
// components), under {base}/api:
//   GET  /records                         published records (anyone), latest versions unless allversions
//   POST /records                         a new draft (201; saved with what is valid, problems in `errors`)
//   GET  /records/{id}                    a published record
//   GET  /records/{id}/versions           its published versions; .../versions/latest: 301 to the latest
//   POST /records/{id}/versions           the next version's draft (201): the open one if there is one,
//                                         else a new one with the latest version's metadata (without
//                                         `version`, publication_date today), no pids and no files
//   GET/PUT/DELETE /records/{id}/draft    read / replace / discard a draft
//   POST /records/{id}/draft/actions/publish        strict validation, then 202 with the record
//   POST /records/{id}/draft/actions/files-import   the latest version's files into an empty draft (201)
//   POST /records/{id}/draft/pids/doi     reserve the DOI (201)
//   GET  /user/records                    the caller's drafts and records (403 anonymous)
import { isObj } from '../../guards.js';
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { permissionDenied, requireUser, siteError, siteUser } from './common.js';
import { type FieldError, loadAccess, loadMetadata, unknownVocabularyId } from './metadata.js';
import { api, fileList, jsonBody, searchAnswer, serializeRecord } from './serialize.js';
import { DOI_PREFIX, invenioStore, type SiteRecord, type SiteStore, timestamp } from './store.js';

type Md = Record<string, unknown>;

const NOT_EXIST = 'The persistent identifier does not exist.';
const NOT_REGISTERED = 'The persistent identifier is not registered.';

function validation(errors: FieldError[]): EmuHttpError {
  return siteError(400, 'A validation error occurred.', errors);
}

/**
 * The DataCite provider's check of a draft holding a DOI it manages (a reserved one): DataCite needs a
 * publisher, so without metadata.publisher the draft saves with this error and publishing is refused 400.
 * It is run for the DOIs the draft holds, not for the one publishing mints (invenio-rdm-records
 * services/pids/providers/datacite.py validate, services/components/pids.py).
 */
function doiProblems(d: SiteRecord): FieldError[] {
  const doi = d.pids.doi;
  if (!isObj(doi) || doi.provider !== 'datacite') return [];
  const publisher = d.metadata.publisher;
  if (typeof publisher === 'string' && publisher.trim()) return [];
  return [{ field: 'metadata.publisher', messages: ['Missing publisher field required for DOI registration.'] }];
}

/** THEME_SITENAME of a site that does not set its own (invenio-app-rdm config.py). */
const SITENAME = 'InvenioRDM';

/**
 * A site whose DOIs are optional but registered with DataCite (RDM_PERSISTENT_IDENTIFIERS doi not
 * required; the `doiOptional` knob): a user who cannot manage DOIs must keep the kind of DOI the latest
 * published version has (components/pids.py validate_optional_doi, OPTIONAL_DOI_TRANSITIONS): after a
 * version with a DOI of the site's own, the next needs one too; after one without or with an external
 * DOI, it must not have one of the site's. A draft save notes it; publishing refuses it (400).
 */
function optionalDoiProblems(store: SiteStore, d: SiteRecord): FieldError[] {
  if (!store.settings.doi || !store.settings.doiOptional) return [];
  const previous = store.latest(store.parentOf(d));
  if (!previous || previous.id === d.id) return [];
  const before = isObj(previous.pids.doi) ? String(previous.pids.doi.provider) : 'not_needed';
  const now = isObj(d.pids.doi) ? String(d.pids.doi.provider) : 'not_needed';
  if (before === 'datacite' && now !== 'datacite') {
    return [{ field: 'pids.doi', messages: [`A previous version used a DOI registered from ${SITENAME}. This version must also use a DOI from ${SITENAME}.`] }];
  }
  if (before !== 'datacite' && now === 'datacite') {
    return [{ field: 'pids.doi', messages: [`A previous version was published with a DOI from an external provider or without one. You cannot use a DOI registered from ${SITENAME} for this version.`] }];
  }
  return [];
}

/** Read a draft body as the service does: valid parts kept, problems collected; unknown vocabulary ids refused. */
function loadBody(body: unknown, current?: SiteRecord): { metadata: Md; customFields: Md; access: Md; filesEnabled: boolean; pids: Md; errors: FieldError[] } {
  if (!isObj(body)) throw validation([{ field: '_schema', messages: ['Invalid input type.'] }]);
  const { metadata, errors } = loadMetadata(body.metadata);
  const access = loadAccess(body.access, errors);
  let filesEnabled = current?.filesEnabled ?? true;
  if (isObj(body.files) && typeof body.files.enabled === 'boolean') filesEnabled = body.files.enabled;
  const pids: Md = {};
  if (isObj(body.pids) && isObj(body.pids.doi) && typeof body.pids.doi.identifier === 'string' && body.pids.doi.provider === 'external') {
    pids.doi = { identifier: body.pids.doi.identifier, provider: 'external' };
  }
  const bad = unknownVocabularyId(metadata);
  if (bad !== undefined) throw siteError(400, `Invalid value ${bad}.`);
  // CustomFieldsComponent (a MetadataComponent on custom_fields): a save sets what the body holds, {} when
  // it holds none, so a save without them erases the draft's. (Which custom fields a site has is its own
  // configuration: the emulator keeps any object as sent.)
  let customFields: Md = {};
  if (body.custom_fields !== undefined) {
    if (isObj(body.custom_fields)) customFields = structuredClone(body.custom_fields);
    else errors.push({ field: 'custom_fields', messages: ['Invalid input type.'] });
  }
  return { metadata, customFields, access, filesEnabled, pids, errors };
}

/** The draft with this id, checked for the caller: 404 when there is none, 403 when it is not theirs. */
export function ownDraft(ctx: ServiceContext, store: SiteStore, req: EmuRequest, id: string | undefined): { r: SiteRecord; who: string } {
  const r = id ? store.records.get(id) : undefined;
  if (!r || r.published) throw siteError(404, NOT_EXIST);
  const who = siteUser(ctx, req);
  if (!who || who !== r.owner) throw permissionDenied();
  return { r, who };
}

/** A published record: 404 when the id is unknown, "not registered" when it is an unpublished draft's. */
function publishedRecord(store: SiteStore, id: string | undefined): SiteRecord {
  const r = id ? store.records.get(id) : undefined;
  if (!r) throw siteError(404, NOT_EXIST);
  if (!r.published) throw siteError(404, NOT_REGISTERED);
  return r;
}

function canRead(r: SiteRecord, who: string | undefined): boolean {
  return r.access.record !== 'restricted' || who === r.owner;
}

export function mountRecords(ctx: ServiceContext): void {
  const store = invenioStore(ctx.state);
  const r = ctx.router;
  const send = (res: { json(s: number, b: unknown): void }, status: number, rec: SiteRecord, errors?: FieldError[]) => {
    const out = serializeRecord(ctx, store, rec);
    if (errors?.length) out.errors = errors;
    res.json(status, out);
  };

  r.get('/api/records', (req, res) => {
    const who = siteUser(ctx, req);
    const all = ['true', '1'].includes((req.query.get('allversions') ?? '').toLowerCase());
    const list = [...store.records.values()].filter((x) => x.published && canRead(x, who) && (all || store.latest(store.parentOf(x))?.id === x.id));
    res.json(200, searchAnswer(ctx, store, req, list, '/records'));
  });

  r.post('/api/records', async (req, res) => {
    const who = requireUser(ctx, req);
    const body = loadBody(await jsonBody(req));
    const d = store.createDraft(who);
    d.metadata = body.metadata;
    d.customFields = body.customFields;
    d.access = body.access;
    d.filesEnabled = body.filesEnabled;
    d.pids = body.pids;
    send(res, 201, d, body.errors);
  });

  r.get('/api/user/records', (req, res) => {
    const who = requireUser(ctx, req);
    const all = ['true', '1'].includes((req.query.get('allversions') ?? '').toLowerCase());
    const list = [...store.records.values()].filter((x) => {
      if (x.owner !== who) return false;
      if (all) return true;
      // the latest draft of each parent: its open draft, else its latest published version
      const p = store.parentOf(x);
      return p.draft ? p.draft === x.id : store.latest(p)?.id === x.id;
    });
    res.json(200, searchAnswer(ctx, store, req, list, '/user/records'));
  });

  r.get('/api/records/:id', (req, res) => {
    const rec = publishedRecord(store, req.params.id);
    if (!canRead(rec, siteUser(ctx, req))) throw permissionDenied();
    send(res, 200, rec);
  });

  r.get('/api/records/:id/versions/latest', (req, res) => {
    const id = req.params.id ?? '';
    const parent = store.parents.get(id) ?? (store.records.get(id)?.published ? store.parentOf(store.records.get(id) as SiteRecord) : undefined);
    const latest = parent ? store.latest(parent) : undefined;
    if (!latest) throw siteError(404, NOT_EXIST);
    if (!canRead(latest, siteUser(ctx, req))) throw permissionDenied();
    const location = `${api(ctx)}/records/${latest.id}`;
    res.json(301, { status: 301, message: 'Redirecting...', location }, { location });
  });

  r.get('/api/records/:id/versions', (req, res) => {
    const id = req.params.id ?? '';
    const rec = store.records.get(id);
    if (!rec) throw siteError(404, NOT_EXIST);
    const who = siteUser(ctx, req);
    if (!canRead(rec, who)) throw permissionDenied();
    const p = store.parentOf(rec);
    const list = p.versions.map((v) => store.records.get(v) as SiteRecord).filter((x) => canRead(x, who));
    res.json(200, searchAnswer(ctx, store, req, list, `/records/${id}/versions`));
  });

  r.post('/api/records/:id/versions', async (req, res) => {
    await req.text();
    const rec = publishedRecord(store, req.params.id);
    const who = siteUser(ctx, req);
    if (!who || who !== rec.owner) throw permissionDenied();
    const p = store.parentOf(rec);
    const open = p.draft ? store.records.get(p.draft) : undefined;
    if (open) {
      send(res, 201, open);
      return;
    }
    const latest = store.latest(p) as SiteRecord;
    const d = store.createDraft(rec.owner, p);
    const md = structuredClone(latest.metadata);
    delete md.version;
    md.publication_date = new Date().toISOString().slice(0, 10);
    d.metadata = md;
    d.customFields = structuredClone(latest.customFields);
    d.access = structuredClone(latest.access);
    d.filesEnabled = latest.filesEnabled;
    send(res, 201, d);
  });

  r.get('/api/records/:id/draft', (req, res) => {
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    send(res, 200, d);
  });

  r.put('/api/records/:id/draft', async (req, res) => {
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const body = loadBody(await jsonBody(req), d);
    const errors = body.errors;
    if (!body.filesEnabled && d.files.size > 0) {
      errors.push({ field: 'files.enabled', messages: ['You must first delete all files to set the record to be metadata-only.'] });
    } else {
      d.filesEnabled = body.filesEnabled;
    }
    if (d.filesEnabled && d.files.size === 0) {
      errors.push({ field: 'files.enabled', messages: ['Missing uploaded files. To disable files for this record please mark it as metadata-only.'] });
    }
    d.metadata = body.metadata;
    d.customFields = body.customFields;
    d.access = body.access;
    if (body.pids.doi || !isObj(d.pids.doi) || d.pids.doi.provider === 'external') d.pids = { ...d.pids, ...body.pids };
    errors.push(...doiProblems(d), ...optionalDoiProblems(store, d));
    store.touch(d);
    send(res, 200, d, errors);
  });

  r.delete('/api/records/:id/draft', async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    store.removeDraft(d);
    res.empty(204);
  });

  r.post('/api/records/:id/draft/pids/doi', async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    // A site whose DOIs are not set up (the `doi: false` knob) has no DOI provider to reserve with.
    if (!store.settings.doi && !isObj(d.pids.doi)) throw siteError(400, 'No PID provider is configured for the scheme doi.');
    if (!isObj(d.pids.doi)) {
      d.pids = { ...d.pids, doi: { identifier: `${DOI_PREFIX}/${d.id}`, provider: 'datacite', client: 'datacite' } };
      store.touch(d);
    }
    send(res, 201, d);
  });

  r.post('/api/records/:id/draft/actions/publish', async (req, res) => {
    await req.text();
    const id = req.params.id;
    const found = id ? store.records.get(id) : undefined;
    // A published record without an open draft: the draft cannot be resolved.
    if (found?.published) throw siteError(404, 'Not found.');
    const { r: d } = ownDraft(ctx, store, req, id);
    // RDM_COMMUNITY_REQUIRED_TO_PUBLISH: the publish permission is refused to the owner of a draft in no
    // community, answered as CommunityRequiredError (invenio-rdm-records services/services.py publish).
    if (store.settings.publishGate === 'community') throw siteError(400, 'Cannot publish without selecting a community.');
    const checked = loadMetadata(d.metadata);
    const errors = [...checked.errors];
    loadAccess(d.access, errors);
    errors.push(...doiProblems(d));
    if (errors.length) throw validation(errors);
    if (d.filesEnabled && d.files.size === 0) {
      throw validation([{ field: 'files.enabled', messages: ['Missing uploaded files. To disable files for this record please mark it as metadata-only.'] }]);
    }
    if (d.filesEnabled && [...d.files.values()].some((f) => !f.committed)) {
      throw validation([{ field: 'files', messages: ['One or more files have not completed their transfer, please wait.'] }]);
    }
    // invenio-curations (the curation package of TU Wien and TU Graz): CurationComponent.publish raises CurationRequestNotAcceptedError
    // until a curator has accepted the draft's review request; its handler answers 400 with str() of the
    // exception (empty) and a placeholder error on metadata.title.
    if (store.settings.publishGate === 'curation') throw siteError(400, '', [{ field: 'metadata.title', messages: ['.'] }]);
    const optional = optionalDoiProblems(store, d);
    if (optional.length) throw validation(optional);
    const p = store.parentOf(d);
    if (store.settings.doi && !store.settings.doiOptional) {
      if (!isObj(d.pids.doi)) d.pids = { ...d.pids, doi: { identifier: `${DOI_PREFIX}/${d.id}`, provider: 'datacite', client: 'datacite' } };
      p.doi ??= `${DOI_PREFIX}/${p.id}`;
    } else if (store.settings.doi && isObj(d.pids.doi) && d.pids.doi.provider === 'datacite') {
      // an optional DOI the draft reserved: the parent's DOI is minted with it
      p.doi ??= `${DOI_PREFIX}/${p.id}`;
    }
    d.published = true;
    p.versions.push(d.id);
    if (p.draft === d.id) p.draft = undefined;
    d.updated = timestamp();
    d.revision += 1;
    send(res, 202, d);
  });

  r.post('/api/records/:id/draft/actions/files-import', async (req, res) => {
    await req.text();
    const { r: d } = ownDraft(ctx, store, req, req.params.id);
    const latest = store.latest(store.parentOf(d));
    if (!latest) throw siteError(404, NOT_EXIST);
    if (!d.filesEnabled) throw validation([{ field: 'files.enabled', messages: ['Files support must be enabled.'] }]);
    if (d.files.size > 0) throw validation([{ field: 'files.enabled', messages: ['Please remove all files first.'] }]);
    if (!latest.filesEnabled) throw validation([{ field: 'files.enabled', messages: ['The record has no files.'] }]);
    for (const f of latest.files.values()) d.files.set(f.key, { ...f, partMd5: new Map(f.partMd5), metadata: structuredClone(f.metadata) });
    store.touch(d);
    res.json(201, fileList(ctx, d, true));
  });
}
