// The DMPTool stand-in's templates (providers.md 3.4): `GET /api/v2/templates`, scope `public`,
// items `{"dmp_template": {...}}`, paginated like every list; `show_phases=true` adds the phases.
import type { ServiceContext } from '../../server.js';
import { iso } from './data.js';
import { callerName, dmptoolAuth, sendEnvelope } from './index.js';
import { paginate } from './paging.js';

interface EmuTemplate {
  id: number;
  title: string;
  description: string;
  version: number;
  created: string;
  modified: string;
  org: { name: string; abbreviation?: string; ror?: string };
}

const NSF = { name: 'National Science Foundation (nsf.gov)', abbreviation: 'NSF', ror: 'https://ror.org/021nxhr62' };
const NIH = { name: 'National Institutes of Health (nih.gov)', abbreviation: 'NIH', ror: 'https://ror.org/01cwqze88' };
const DOE = { name: 'U.S. Department of Energy (energy.gov)', abbreviation: 'DOE', ror: 'https://ror.org/01bj3aw27' };

export const TEMPLATES: EmuTemplate[] = [
  { id: 1234, title: 'NSF-GEN: Generic', description: 'Use for NSF proposals when no directorate-specific template applies.', version: 7, created: '2019-05-01T00:00:00Z', modified: '2023-10-02T17:12:00Z', org: NSF },
  { id: 2087, title: 'NIH-GEN: Data Management and Sharing Plan', description: 'The NIH Data Management and Sharing Policy (2023) plan format.', version: 3, created: '2022-11-10T00:00:00Z', modified: '2024-01-15T09:00:00Z', org: NIH },
  { id: 1907, title: 'DOE: Generic', description: 'Office of Science Digital Data Management plan requirements.', version: 2, created: '2018-03-20T00:00:00Z', modified: '2022-06-30T12:00:00Z', org: DOE },
  { id: 2240, title: 'NSF-BIO: Biological Sciences', description: 'Directorate for Biological Sciences requirements.', version: 4, created: '2019-05-01T00:00:00Z', modified: '2023-08-21T08:45:00Z', org: NSF },
  { id: 3011, title: 'Example University: Institutional DMP', description: 'For projects without funder requirements.', version: 1, created: '2023-09-01T00:00:00Z', modified: '2023-09-01T00:00:00Z', org: { name: 'Example University', abbreviation: 'EU', ror: 'https://ror.org/00xxxxx00' } },
];

function templateItem(t: EmuTemplate, phases: boolean): Record<string, unknown> {
  const affiliation: Record<string, unknown> = { name: t.org.name };
  if (t.org.abbreviation) affiliation.abbreviation = t.org.abbreviation;
  if (t.org.ror) affiliation.affiliation_id = { type: 'ror', identifier: t.org.ror };
  const tpl: Record<string, unknown> = {
    title: t.title,
    description: t.description,
    version: t.version,
    created: iso(Date.parse(t.created)),
    modified: iso(Date.parse(t.modified)),
    affiliation,
    template_id: { type: 'other', identifier: String(t.id) },
  };
  if (phases) {
    tpl.phases = [
      {
        title: 'Data Management Plan',
        number: 1,
        sections: ['Data collection', 'Documentation and metadata', 'Storage and backup', 'Data sharing'].map((title, i) => ({
          title,
          number: i + 1,
          questions: [{ number: 1, text: `Describe the ${title.toLowerCase()} of your project.` }],
        })),
      },
    ];
  }
  return { dmp_template: tpl };
}

export function mountTemplates(ctx: ServiceContext): void {
  ctx.router.get('/api/v2/templates', (req, res) => {
    const rec = dmptoolAuth(ctx, req, ['public']);
    const page = paginate(req, '/api/v2/templates', TEMPLATES);
    const phases = req.query.get('show_phases') === 'true';
    sendEnvelope(res, req, 200, { caller: callerName(rec), ...page, items: page.items.map((t) => templateItem(t, phases)) });
  });
}
