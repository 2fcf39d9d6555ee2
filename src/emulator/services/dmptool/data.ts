// The DMPTool stand-in's plans: a store per emulator, who may see which plan (providers.md 3.4),
// realistic seed data, and the RDA DMP Common Standard JSON of a plan, minimal (lists) or full
// (providers.md 3.6). Tests reach the store in-process with `plansOf(emu.server.state)`; a separate
// `rdp emulator` process is seeded through `/_emulator/dmptool/plans` (see plans.ts).
import { perEmulator, SEED, type TokenRecord } from '../../state.js';

export type YesNoUnknown = 'yes' | 'no' | 'unknown';

export interface EmuPerson {
  name: string;
  mbox?: string | undefined;
  affiliation?: { name: string; abbreviation?: string | undefined; ror?: string | undefined } | undefined;
  orcid?: string | undefined;
  /** CRediT role names (`investigation`, `data_curation`, …) for contributors. */
  roles?: string[] | undefined;
}

export interface EmuFunding {
  name: string;
  fundref?: string | undefined;
  status: 'planned' | 'applied' | 'granted' | 'rejected';
  grantUrl?: string | undefined;
}

export interface EmuDataset {
  title: string;
  description?: string | undefined;
  type?: string | undefined;
  personalData: YesNoUnknown;
  sensitiveData: YesNoUnknown;
  issued?: string | undefined;
  byteSize?: number | undefined;
  access: 'open' | 'shared' | 'closed';
  host?: { title: string; url: string; re3data?: string | undefined } | undefined;
  license?: string | undefined;
  keywords?: string[] | undefined;
}

export interface EmuPlan {
  id: number;
  /** The user who owns the plan (`SEED.dmptool.id` is the ready token's user). */
  ownerId: string;
  title: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  /** A registered DMP ID (bare DOI, `10.48321/D1…`); without one, `dmp_id` is the plan's API URL. */
  doi?: string | undefined;
  visibility: 'public' | 'private';
  /** Only complete, non-test plans are listed for an authorizing user (providers.md 3.4). */
  complete: boolean;
  test: boolean;
  ethicalIssues: YesNoUnknown;
  contact: EmuPerson;
  contributors: EmuPerson[];
  project: { title: string; start?: string | undefined; end?: string | undefined; funding: EmuFunding[] };
  /** Empty: the plan has no research outputs and gets DMPTool's one generic dataset. */
  datasets: EmuDataset[];
  template: { id: number; title: string };
  /**
   * `dmproadmap_related_identifiers` (POST /api/v2/related_identifiers, related.ts), in the order
   * they were added, as DMPTool stores them: `descriptor` is the relation it saved (see related.ts).
   */
  related: EmuRelated[];
}

export interface EmuRelated {
  descriptor: string;
  type: string;
  identifier: string;
  workType: string;
}

export type PlanInput = Partial<EmuPlan>;

const JANE: EmuPerson = {
  name: SEED.dmptool.name,
  mbox: SEED.dmptool.mbox,
  affiliation: { name: 'Example University', abbreviation: 'EU', ror: 'https://ror.org/00xxxxx00' },
  orcid: '0000-0002-1825-0097',
};
export const OTHER_USER = { id: '5150', person: { name: 'Alex Roe', mbox: 'alex.roe@example.org', affiliation: { name: 'Example Institute of Technology', ror: 'https://ror.org/00yyyyy00' } } satisfies EmuPerson };

const FUNDERS: EmuFunding[] = [
  { name: 'National Science Foundation', fundref: 'https://doi.org/10.13039/100000001', status: 'granted', grantUrl: 'https://example.org/award/1234567' },
  { name: 'National Institutes of Health', fundref: 'https://doi.org/10.13039/100000002', status: 'applied' },
  { name: 'U.S. Department of Energy', fundref: 'https://doi.org/10.13039/100000015', status: 'granted', grantUrl: 'https://example.org/award/DE-SC0012345' },
  { name: 'National Oceanic and Atmospheric Administration', fundref: 'https://doi.org/10.13039/100000192', status: 'planned' },
  { name: 'Gordon and Betty Moore Foundation', fundref: 'https://doi.org/10.13039/100000936', status: 'granted' },
];
const TEMPLATES = [
  { id: 1234, title: 'NSF-GEN: Generic' },
  { id: 2087, title: 'NIH-GEN: Data Management and Sharing Plan' },
  { id: 1907, title: 'DOE: Generic' },
  { id: 3011, title: 'Example University: Institutional DMP' },
];
const TOPICS = [
  ['Soil carbon survey', 'Soil science'],
  ['Coastal microplastics sampling', 'Oceanography'],
  ['Arctic permafrost thaw sensor network', 'Geophysics'],
  ['Interviews on open science practices', 'Sociology'],
  ['Urban heat island drone imaging', 'Remote sensing'],
  ['Pollinator decline field census', 'Ecology'],
  ['Protein folding molecular dynamics', 'Biophysics'],
  ['Medieval manuscript digitisation', 'Digital humanities'],
  ['Groundwater nitrate monitoring', 'Hydrology'],
  ['Exoplanet transit photometry', 'Astronomy'],
  ['Battery electrolyte screening', 'Materials science'],
  ['Language acquisition corpus', 'Linguistics'],
] as const;

const ZENODO = { title: 'Zenodo', url: 'https://zenodo.org', re3data: 'https://www.re3data.org/api/v1/repository/r3d100010468' };
const DRYAD = { title: 'Dryad', url: 'https://datadryad.org', re3data: 'https://www.re3data.org/api/v1/repository/r3d100000044' };

const HOUR = 3_600_000;
/** Seeded plans are dated back from here (newest first). */
const SEED_CLOCK = Date.UTC(2024, 3, 30, 16, 0, 0);

export class PlanStore {
  private readonly plans = new Map<number, EmuPlan>();
  private nextId = 89795;
  private seeded = 0;

  /** Add one plan; anything not given gets a realistic default. */
  add(input: PlanInput = {}): EmuPlan {
    const id = input.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const n = this.seeded++;
    const [seedTopic, keyword] = TOPICS[n % TOPICS.length] as readonly [string, string];
    const topic = input.title ? input.title.replace(/\s+DMP$/i, '').replace(/\s+\d{4}$/, '') : seedTopic;
    const funder = FUNDERS[n % FUNDERS.length] as EmuFunding;
    const updatedAt = input.updatedAt ?? SEED_CLOCK - n * 5 * HOUR;
    const owner = input.ownerId ?? SEED.dmptool.id;
    const plan: EmuPlan = {
      id,
      ownerId: owner,
      title: input.title ?? `${topic} DMP`,
      description:
        input.description ??
        `<p>This plan describes how the data of the <em>${topic.toLowerCase()}</em> project are collected, documented, stored, shared and preserved.</p>`,
      createdAt: input.createdAt ?? updatedAt - 90 * 24 * HOUR,
      updatedAt,
      doi: 'doi' in input ? input.doi : `10.48321/D1${id.toString(36).toUpperCase()}`,
      visibility: input.visibility ?? 'public',
      complete: input.complete ?? true,
      test: input.test ?? false,
      ethicalIssues: input.ethicalIssues ?? 'unknown',
      contact: input.contact ?? (owner === OTHER_USER.id ? OTHER_USER.person : JANE),
      contributors: input.contributors ?? [
        { name: 'John Roe', mbox: 'john@example.edu', orcid: '0000-0001-5109-3700', roles: ['investigation', 'data_curation'] },
      ],
      project: input.project ?? {
        title: topic,
        start: new Date(updatedAt - 60 * 24 * HOUR).toISOString().slice(0, 10) + 'T00:00:00Z',
        end: new Date(updatedAt + 700 * 24 * HOUR).toISOString().slice(0, 10) + 'T00:00:00Z',
        funding: [funder],
      },
      datasets: input.datasets ?? [
        {
          title: `${topic}: raw observations`,
          description: 'Measurements as recorded, with calibration files.',
          personalData: 'no',
          sensitiveData: 'no',
          byteSize: 1_000_000 * (1 + (n % 50)),
          access: 'open',
          host: n % 2 ? DRYAD : ZENODO,
          license: 'CC-BY-4.0',
          keywords: [keyword],
          issued: new Date(updatedAt + 30 * 24 * HOUR).toISOString().slice(0, 10) + 'T00:00:00Z',
        },
      ],
      template: input.template ?? (TEMPLATES[n % TEMPLATES.length] as { id: number; title: string }),
      related: input.related ?? [],
    };
    this.plans.set(id, plan);
    return plan;
  }

  /**
   * `count` plans for a user (default: the ready token's): every 4th private, every 3rd without a DMP
   * ID, dated back five hours apart from the newest.
   */
  seed(count: number, opts: { ownerId?: string } = {}): EmuPlan[] {
    const out: EmuPlan[] = [];
    for (let i = 0; i < count; i++) {
      const input: PlanInput = { ownerId: opts.ownerId, visibility: i % 4 === 1 ? 'private' : 'public' };
      if (i % 3 === 2) input.doi = undefined;
      out.push(this.add(input));
    }
    return out;
  }

  /** The plans someone starting `rdp emulator` sees: four of the ready user's, one of another user's. */
  seedDefaults(): void {
    this.add({
      title: 'Soil carbon survey DMP',
      doi: '10.48321/D1ABCD',
      visibility: 'public',
      createdAt: Date.parse('2023-01-10T12:00:00Z'),
      updatedAt: Date.parse('2024-04-01T08:30:00Z'),
      ethicalIssues: 'no',
    });
    this.add({
      title: 'Coastal microplastics sampling 2024',
      doi: '10.48321/D1K7QX',
      visibility: 'private',
      updatedAt: Date.parse('2024-03-18T14:05:00Z'),
    });
    this.add({
      title: 'Arctic permafrost thaw sensor network',
      doi: undefined,
      visibility: 'public',
      updatedAt: Date.parse('2024-02-27T10:00:00Z'),
    });
    this.add({
      title: 'Interviews on open science practices',
      doi: undefined,
      visibility: 'private',
      ethicalIssues: 'yes',
      updatedAt: Date.parse('2023-11-02T09:15:00Z'),
      datasets: [], // no research outputs: DMPTool reports one generic dataset
    });
    this.add({
      ownerId: OTHER_USER.id,
      title: 'Alpine lake sediment cores',
      doi: '10.48321/D1ALPS',
      visibility: 'public',
      updatedAt: Date.parse('2024-04-10T11:00:00Z'),
    });
  }

  clear(): void {
    this.plans.clear();
  }

  get(id: number): EmuPlan | undefined {
    return this.plans.get(id);
  }

  all(): EmuPlan[] {
    return [...this.plans.values()];
  }

  /**
   * What `GET /api/v2/plans` lists for a token (providers.md 3.4), newest first: an authorizing
   * user's complete, non-test plans; for client_credentials, `scope` = mine (the client's user's),
   * public, or both.
   */
  listFor(rec: TokenRecord, scope: string): EmuPlan[] {
    const user = rec.userId ?? SEED.dmptool.id;
    const mine = (p: EmuPlan) => p.ownerId === user && !p.test && (rec.kind === 'client' || p.complete);
    const pub = (p: EmuPlan) => p.visibility === 'public' && !p.test && p.complete;
    const keep = rec.kind !== 'client' || scope === 'mine' ? mine : scope === 'public' ? pub : (p: EmuPlan) => mine(p) || pub(p);
    return this.all()
      .filter(keep)
      .sort((a, b) => b.updatedAt - a.updatedAt || b.id - a.id);
  }

  /** A plan the token may read in full: its user's own, or a publicly visible one. */
  visibleTo(rec: TokenRecord, id: number): EmuPlan | undefined {
    const p = this.plans.get(id);
    if (!p) return undefined;
    return p.ownerId === (rec.userId ?? SEED.dmptool.id) || p.visibility === 'public' ? p : undefined;
  }
}

/** The plan store of one emulator (its state object). */
export const plansOf = perEmulator(() => new PlanStore());

/** Rails' `to_formatted_s(:iso8601)` for a UTC time: no fraction. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Json = Record<string, unknown>;

function person(p: EmuPerson, contact: boolean): Json {
  const out: Json = { name: p.name };
  if (p.mbox) out.mbox = p.mbox;
  if (p.affiliation) {
    const a: Json = { name: p.affiliation.name };
    if (p.affiliation.abbreviation) a.abbreviation = p.affiliation.abbreviation;
    if (p.affiliation.ror) a.affiliation_id = { type: 'ror', identifier: p.affiliation.ror };
    out.affiliation = a;
  }
  if (!contact && p.roles?.length) out.role = p.roles.map((r) => `http://credit.niso.org/contributor-roles/${r.replace(/_/g, '-')}`);
  if (p.orcid) out[contact ? 'contact_id' : 'contributor_id'] = { type: 'orcid', identifier: `https://orcid.org/${p.orcid}` };
  return out;
}

function dataset(d: EmuDataset, id: string): Json {
  const dist: Json = { title: `Anticipated distribution for ${d.title}` };
  if (d.byteSize !== undefined) dist.byte_size = d.byteSize;
  dist.data_access = d.access;
  if (d.host) dist.host = { title: d.host.title, url: d.host.url, ...(d.host.re3data ? { dmproadmap_host_id: { type: 'url', identifier: d.host.re3data } } : {}) };
  if (d.license) dist.license = [{ license_ref: `https://spdx.org/licenses/${d.license}.json`, start_date: d.issued ?? '2024-06-01T00:00:00Z' }];
  const out: Json = { type: d.type ?? 'dataset', title: d.title };
  if (d.description) out.description = d.description;
  out.personal_data = d.personalData;
  out.sensitive_data = d.sensitiveData;
  if (d.issued) out.issued = d.issued;
  out.dataset_id = { type: 'other', identifier: id };
  out.distribution = [dist];
  out.metadata = [];
  out.technical_resource = [];
  if (d.keywords?.length) out.keyword = d.keywords;
  return out;
}

/** The plan's API URL (`dmp_id` of a plan without a DMP ID, and `dmproadmap_links.get`). */
export function planUrl(base: string, id: number): string {
  return `${base}/api/v2/plans/${id}`;
}

/**
 * A plan as `{"dmp": {...}}` (providers.md 3.6): minimal for lists, full for one plan. Nil values are
 * left out; the `download` link only when the caller may see the PDF.
 */
export function dmpItem(plan: EmuPlan, base: string, opts: { full: boolean; mayDownload: boolean }): { dmp: Json } {
  const dmp: Json = {
    title: plan.title,
    description: plan.description,
    language: 'eng',
    created: iso(plan.createdAt),
    modified: iso(plan.updatedAt),
    ethical_issues_exist: plan.ethicalIssues,
  };
  if (plan.ethicalIssues === 'yes') dmp.ethical_issues_description = 'Interviews with people: consent forms and pseudonymisation before sharing.';
  dmp.dmp_id = plan.doi ? { type: 'doi', identifier: `https://doi.org/${plan.doi}` } : { type: 'url', identifier: planUrl(base, plan.id) };
  dmp.contact = person(plan.contact, true);
  if (opts.full) {
    if (plan.contributors.length) dmp.contributor = plan.contributors.map((c) => person(c, false));
    const project: Json = { title: plan.project.title };
    if (plan.project.start) project.start = plan.project.start;
    if (plan.project.end) project.end = plan.project.end;
    if (plan.project.funding.length) {
      project.funding = plan.project.funding.map((f) => ({
        name: f.name,
        funding_status: f.status,
        ...(f.fundref ? { funder_id: { type: 'fundref', identifier: f.fundref } } : {}),
        ...(f.grantUrl ? { grant_id: { type: 'url', identifier: f.grantUrl } } : {}),
      }));
    }
    dmp.project = [project];
    dmp.dataset = plan.datasets.length
      ? plan.datasets.map((d, i) => dataset(d, `${planUrl(base, plan.id)}/datasets/${i + 1}`))
      : [{ type: 'dataset', title: 'Generic dataset', description: 'No individual datasets have been defined for this DMP.', personal_data: 'unknown', sensitive_data: 'unknown', dataset_id: { type: 'other', identifier: `${planUrl(base, plan.id)}/datasets/0` } }];
    dmp.dmproadmap_template = { id: plan.template.id, title: plan.template.title };
    // Only when the plan has any (the jbuilder's `if plan.related_identifiers.any?`).
    if (plan.related.length) {
      dmp.dmproadmap_related_identifiers = plan.related.map((r) => ({ descriptor: r.descriptor, type: r.type, identifier: r.identifier, work_type: r.workType }));
    }
    dmp.dmproadmap_privacy = plan.visibility;
  }
  const links: Json = { get: planUrl(base, plan.id) };
  if (opts.mayDownload) links.download = `${planUrl(base, plan.id)}.pdf`;
  dmp.dmproadmap_links = links;
  return { dmp };
}
