// DMPTool's `POST /api/v2/related_identifiers` (providers.md 0.2), as CDLUC3/dmptool's
// Api::V2::RelatedIdentifiersController does it, check by check:
//   1. no or unknown token: 401 envelope (BaseApiController#authorize_request);
//   2. a body that is not JSON: 400 "Invalid JSON format" (parse_request runs before the scope check);
//   3. a token without `edit_dmps`: 403, empty body (doorkeeper_authorize!);
//   4. `dmp` missing or empty: 400 "Invalid JSON!";
//   5. `dmp.dmp_id` without type and identifier, or naming no plan: 404 "Plan not found". A `doi`/`ark`
//      dmp_id is looked up by its exact value; any other type by the last path segment of the
//      identifier (the plan's number, read like Ruby's to_i). Then the plan has to be found among the
//      caller's plans (PlansPolicy::Scope) -- but the server's `find { |p| p.id = plan.id }` assigns
//      instead of comparing, so in fact only an empty scope (a caller with no plans) gets the 404;
//   6. an item without descriptor, type or identifier: 400 with the errors nested one level deeper
//      (render_error wraps the list: `"errors": [["..."]]`);
//   7. a descriptor or type outside DMPTool's enums: the enum assignment raises, the transaction rolls
//      back, and the catch-all answers 500 "Unable to process the request at this time";
//   8. an identifier whose exact value the plan already has: skipped (find_or_initialize_by on plan +
//      value), so sending the same one again changes nothing;
//   9. a new one is saved with the relation overwritten to `documents` (a workaround for RSpace left
//      in the controller) and its type detected again from the value (ark, doi, url, other); the
//      plan is touched (`modified` changes);
//  10. 201 with the standard envelope and the whole plan in `items`.
// Knob: POST /_emulator/dmptool/related-identifiers {"keepDescriptor": true} stores the descriptor as
// sent (the documented behaviour) instead of `documents`.
import { isObj } from '../../guards.js';
import { EmuHttpError } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator } from '../../state.js';
import { dmpItem, type EmuPlan, type EmuRelated, type PlanStore } from './data.js';
import { callerName, dmptoolAuth, envelope, sendEnvelope } from './index.js';

/** RelatedIdentifier.relation_type (the model's enum); `references` arrives as `does_reference`. */
export const RELATION_TYPES = [
  'is_cited_by', 'cites', 'is_supplement_to', 'is_supplemented_by', 'is_continued_by', 'continues', 'is_described_by',
  'describes', 'has_metadata', 'is_metadata_for', 'has_version', 'is_version_of', 'is_new_version_of',
  'is_previous_version_of', 'is_part_of', 'has_part', 'is_referenced_by', 'does_reference', 'is_documented_by',
  'documents', 'is_compiled_by', 'compiles', 'is_variant_form_of', 'is_original_form_of', 'is_identical_to',
  'is_reviewed_by', 'reviews', 'is_derived_from', 'is_source_of', 'is_required_by', 'requires', 'is_obsoleted_by',
  'obsoletes',
] as const;

/** RelatedIdentifier.identifier_type. */
export const IDENTIFIER_TYPES = [
  'ark', 'arxiv', 'bibcode', 'doi', 'ean13', 'eissn', 'handle', 'igsn', 'isbn', 'issn', 'istc', 'lissn', 'lsid', 'pmid',
  'purl', 'upc', 'url', 'urn', 'w3id', 'other',
] as const;

/** RelatedIdentifier.work_type; anything else becomes `dataset`. */
export const WORK_TYPES = [
  'article', 'dataset', 'preprint', 'software', 'supplemental_information', 'paper', 'book', 'protocol',
  'preregistration', 'traditional_knowledge_labels_and_notices', 'metadata',
] as const;

export const BAD_RELATED_IDENTIFIER_MSG = ':descriptor, :type and :identifier are required for all dmproadmap_related_identifiers';
const UNABLE = 'Unable to process the request at this time';

const knobs = perEmulator(() => ({ keepDescriptor: false }));

/** Ruby's String#underscore for the simple cases (`DOI` -> `doi`, `ArXiv` -> `ar_xiv`). */
function underscore(s: string): string {
  return s
    .replace(/([A-Z\d]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

/** Rails' `present?` for what JSON can hold. */
function present(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return true;
}

/** RelatedIdentifier#detect_identifier_type: ark, then doi, then url, else other (unanchored, like the model). */
function detectType(value: string): string {
  if (/ark:[a-zA-Z0-9]+\/[a-zA-Z0-9]+/.test(value)) return 'ark';
  if (/(doi:)?10\.[0-9]+\/[a-zA-Z0-9.\-/]+/.test(value)) return 'doi';
  if (/^http/.test(value)) return 'url';
  return 'other';
}

/** Ruby's String#to_i on a path segment: leading digits, else 0. */
function toI(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number.parseInt(m[0], 10) : 0;
}

/** Api::V2::DeserializationService.plan_from_dmp_id. */
function planFromDmpId(store: PlanStore, dmpId: unknown): EmuPlan | undefined {
  if (!present(dmpId)) return undefined;
  if (!isObj(dmpId)) throw new EmuHttpError(500, 'not a hash'); // dmp_id[:type] on a non-hash raises
  const type = dmpId.type;
  const identifier = dmpId.identifier;
  if (!present(type) || !present(identifier)) return undefined;
  if (typeof type !== 'string' || typeof identifier !== 'string') throw new EmuHttpError(500, 'not a string');
  if (['ark', 'doi'].includes(type.toLowerCase())) {
    // ::Identifier.find_by(identifiable_type: 'Plan', value: identifier): the exact stored value, which
    // is what GET shows as dmp_id.identifier.
    return store.all().find((p) => p.doi !== undefined && `https://doi.org/${p.doi}` === identifier);
  }
  const parts = identifier.split('/');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // Ruby's split drops trailing empties
  return store.get(toI(parts[parts.length - 1] ?? ''));
}

export function mountRelatedIdentifiers(ctx: ServiceContext, store: PlanStore): void {
  ctx.router.post('/api/v2/related_identifiers', async (req, res) => {
    // 1. authorize_request: a token must be present (and known)
    const known = ctx.state.find('dmptool', req.bearer());
    if (!known) throw new EmuHttpError(401, envelope(req, 401, { errors: ['token is invalid, expired or has been revoked'] }));
    // 2. parse_request
    const text = await req.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EmuHttpError(400, envelope(req, 400, { caller: callerName(known), errors: ['Invalid JSON format'] }));
    }
    // 3. doorkeeper_authorize!(:edit_dmps)
    const rec = dmptoolAuth(ctx, req, ['edit_dmps']);
    const caller = callerName(rec);
    const fail = (status: number, errors: unknown[]) => new EmuHttpError(status, envelope(req, status, { caller, errors }));
    // Anything the controller does not expect raises, and its rescue answers 500.
    const unable = () => fail(500, [UNABLE]);
    if (!isObj(json)) throw unable();

    // 4. the dmp
    const dmp = json.dmp;
    if (!present(dmp)) throw fail(400, ['Invalid JSON!']);
    if (!isObj(dmp)) throw unable();

    // 5. the plan
    let plan: EmuPlan | undefined;
    try {
      plan = planFromDmpId(store, dmp.dmp_id);
    } catch {
      throw unable();
    }
    if (!plan) throw fail(404, ['Plan not found']);
    if (store.listFor(rec, 'mine').length === 0) throw fail(404, ['Plan not found']);

    // 6. validation
    const related = 'dmproadmap_related_identifiers' in dmp ? dmp.dmproadmap_related_identifiers : [];
    if (related === null || (related !== undefined && !Array.isArray(related))) throw unable();
    const items = (related ?? []) as unknown[];
    if (items.some((r) => !isObj(r))) throw unable();
    const invalid = (items as Record<string, unknown>[]).some((r) => !(present(r.descriptor) && present(r.type) && present(r.identifier)));
    if (invalid) throw fail(400, [[BAD_RELATED_IDENTIFIER_MSG]]);

    // 7-9. one transaction: any raise leaves the plan as it was
    const added: EmuRelated[] = [];
    for (const r of items as Record<string, unknown>[]) {
      if (typeof r.descriptor !== 'string' || typeof r.type !== 'string' || typeof r.identifier !== 'string') throw unable();
      const relation = r.descriptor === 'references' ? 'does_reference' : r.descriptor;
      if (!(RELATION_TYPES as readonly string[]).includes(relation)) throw unable();
      if (!(IDENTIFIER_TYPES as readonly string[]).includes(underscore(r.type))) throw unable();
      const value = r.identifier;
      if (plan.related.some((x) => x.identifier === value) || added.some((x) => x.identifier === value)) continue;
      const wt = typeof r.work_type === 'string' ? r.work_type.toLowerCase() : '';
      added.push({
        descriptor: knobs(ctx.state).keepDescriptor ? relation : 'documents',
        type: detectType(value),
        identifier: value,
        workType: (WORK_TYPES as readonly string[]).includes(wt) ? wt : 'dataset',
      });
    }
    if (added.length) {
      plan.related.push(...added);
      plan.updatedAt = Date.now();
    }

    // 10. the whole plan
    sendEnvelope(res, req, 201, {
      caller,
      page: 1,
      per_page: 100,
      total_items: 1,
      items: [dmpItem(plan, ctx.base, { full: true, mayDownload: true })],
    });
  });

  ctx.control.post('/related-identifiers', async (req, res) => {
    const body = await req.json<{ keepDescriptor?: unknown }>();
    const k = knobs(ctx.state);
    if (body.keepDescriptor !== undefined) k.keepDescriptor = Boolean(body.keepDescriptor);
    res.json(200, k);
  });
}
