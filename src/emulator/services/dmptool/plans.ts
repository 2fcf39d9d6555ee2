// The DMPTool stand-in's plans API (providers.md 3.4-3.6):
//   GET /api/v2/plans                  `public` or `read_dmps`; minimal items, newest first, paginated;
//                                      no plans -> 404 "No Plans found"
//   GET /api/v2/plans/{id}[.json|.pdf] `read_dmps`; one full item, or the plan's PDF;
//                                      missing or not visible -> 404 "Plan not found"
// and the control endpoints that seed plans into a running emulator:
//   GET|POST|DELETE /_emulator/dmptool/plans   body {"count":250} | {"plans":[{...}]} [+ "replace":true]
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import type { TokenRecord } from '../../state.js';
import { dmpItem, type EmuPlan, iso, type PlanInput, type PlanStore, plansOf } from './data.js';
import { callerName, dmptoolAuth, sendEnvelope } from './index.js';
import { paginate } from './paging.js';
import { buildPdf, type PdfBlock } from './pdf.js';

const LIST_SCOPES = ['mine', 'public', 'both'];

export function mountPlans(ctx: ServiceContext): PlanStore {
  const store = plansOf(ctx.state);
  const mayDownload = (rec: TokenRecord) => rec.scopes.includes('read_dmps');

  ctx.router.get('/api/v2/plans', (req, res) => {
    const rec = dmptoolAuth(ctx, req, ['public', 'read_dmps']);
    const asked = (req.query.get('scope') ?? '').toLowerCase();
    const all = store.listFor(rec, LIST_SCOPES.includes(asked) ? asked : 'mine');
    if (all.length === 0) {
      sendEnvelope(res, req, 404, { caller: callerName(rec), errors: ['No Plans found'] });
      return;
    }
    const page = paginate(req, '/api/v2/plans', all);
    sendEnvelope(res, req, 200, {
      caller: callerName(rec),
      ...page,
      items: page.items.map((p) => dmpItem(p, ctx.base, { full: false, mayDownload: mayDownload(rec) })),
    });
  });

  ctx.router.get('/api/v2/plans/:id', (req, res) => {
    const rec = dmptoolAuth(ctx, req, ['read_dmps']);
    const m = /^(\d+)(?:\.(json|pdf))?$/i.exec(req.params.id ?? '');
    const format = m?.[2]?.toLowerCase() ?? (wantsPdf(req) ? 'pdf' : 'json');
    const plan = m ? store.visibleTo(rec, Number(m[1])) : undefined;
    if (!plan) {
      sendEnvelope(res, req, 404, { caller: callerName(rec), errors: ['Plan not found'] });
      return;
    }
    if (format === 'pdf') {
      res.send(200, planPdf(plan), 'application/pdf', { 'content-disposition': `inline; filename="${pdfFileName(plan.title)}.pdf"` });
      return;
    }
    sendEnvelope(res, req, 200, {
      caller: callerName(rec),
      page: 1,
      per_page: 100,
      total_items: 1,
      items: [dmpItem(plan, ctx.base, { full: true, mayDownload: true })],
    });
  });

  ctx.control.get('/plans', (_req, res) => {
    res.json(200, store.all().map((p) => ({ id: p.id, owner: p.ownerId, title: p.title, doi: p.doi ?? null, privacy: p.visibility, modified: iso(p.updatedAt) })));
  });
  ctx.control.post('/plans', async (req, res) => {
    const body = await req.json<{ count?: number; plans?: PlanInput[]; replace?: boolean; ownerId?: string }>();
    if (body.count !== undefined && !(Number.isInteger(body.count) && body.count >= 0 && body.count <= 100_000)) {
      throw new EmuHttpError(400, { message: 'count must be a whole number from 0 to 100000' });
    }
    if (body.replace) store.clear();
    const added: EmuPlan[] = [...store.seed(body.count ?? 0, { ownerId: body.ownerId }), ...(body.plans ?? []).map((p) => store.add(p))];
    res.json(201, { ids: added.map((p) => p.id), total: store.all().length });
  });
  ctx.control.delete('/plans', (_req, res) => {
    store.clear();
    res.empty(204);
  });
  return store;
}

function wantsPdf(req: EmuRequest): boolean {
  const accept = req.header('accept') ?? '';
  return /application\/pdf/i.test(accept) && !/application\/json/i.test(accept);
}

/** The file name DMPTool gives a plan's PDF: the title, sanitised, spaces as underscores, 100 chars. */
function pdfFileName(title: string): string {
  return title.replace(/[^\w .-]+/g, '').trim().replace(/\s+/g, '_').slice(0, 100) || 'plan';
}

const day = (iso8601: string | undefined) => (iso8601 ? iso8601.slice(0, 10) : 'not set');
const stripHtml = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim();

/** The plan's PDF: a cover block, then the sections DMPTool's export has. */
export function planPdf(plan: EmuPlan): Buffer {
  const b = (style: PdfBlock['style'], text: string, indent?: number): PdfBlock => ({ style, text, indent });
  const blocks: PdfBlock[] = [
    b('title', plan.title),
    b('small', `A Data Management Plan created using DMPTool${plan.doi ? ` — DMP ID https://doi.org/${plan.doi}` : ''}`),
    b('heading', 'Creator'),
    b('body', `${plan.contact.name}${plan.contact.mbox ? ` <${plan.contact.mbox}>` : ''}${plan.contact.affiliation ? `, ${plan.contact.affiliation.name}` : ''}`),
    b('heading', 'Project'),
    b('body', `${plan.project.title} (${day(plan.project.start)} – ${day(plan.project.end)})`),
    ...plan.project.funding.map((f) => b('body', `Funder: ${f.name} (${f.status})${f.grantUrl ? `, grant ${f.grantUrl}` : ''}`)),
    b('body', `Template: ${plan.template.title}`),
    b('body', `Last modified: ${iso(plan.updatedAt).slice(0, 10)}. Visibility: ${plan.visibility}.`),
    b('heading', 'Abstract'),
    b('body', stripHtml(plan.description)),
    b('heading', 'Research outputs'),
  ];
  if (plan.datasets.length === 0) blocks.push(b('body', 'Generic dataset: no individual datasets have been defined for this DMP.'));
  for (const d of plan.datasets) {
    blocks.push(b('body', `• ${d.title}`));
    const facts = [
      d.description?.replace(/\.$/, ''),
      `Access: ${d.access}`,
      d.host ? `repository: ${d.host.title}` : undefined,
      d.license ? `license: ${d.license}` : undefined,
      `personal data: ${d.personalData}; sensitive data: ${d.sensitiveData}`,
    ];
    blocks.push(b('body', facts.filter(Boolean).join('. '), 12));
  }
  const sections: [string, string][] = [
    ['Data collection', `Data for ${plan.project.title.toLowerCase()} are collected following documented protocols; instruments and software versions are recorded with every batch.`],
    ['Documentation and metadata', 'Each dataset carries a README, a data dictionary and machine-readable metadata in a community standard.'],
    ['Ethics and legal compliance', plan.ethicalIssues === 'yes' ? 'Personal data are collected with informed consent and pseudonymised before analysis; the key is kept apart.' : 'No ethical or legal issues are expected.'],
    ['Storage and backup', 'Working data are kept on institutional storage with nightly backups in two locations.'],
    ['Selection and preservation', 'Data that underpin publications are deposited in a trusted repository with a DOI and kept for at least ten years.'],
    ['Data sharing', plan.visibility === 'public' ? 'Data are shared openly under CC BY 4.0 after publication.' : 'Data are shared on request under a data use agreement.'],
    ['Responsibilities and resources', `${plan.contact.name} is responsible for data management; costs are covered by the project budget.`],
  ];
  for (const [title, text] of sections) blocks.push(b('heading', title), b('body', text));
  return buildPdf({
    blocks,
    footer: `Created using DMPTool. Last modified ${iso(plan.updatedAt).slice(0, 10)}`,
    info: { title: plan.title, author: plan.contact.name, subject: 'Data Management Plan', created: new Date(plan.createdAt), modified: new Date(plan.updatedAt) },
  });
}
