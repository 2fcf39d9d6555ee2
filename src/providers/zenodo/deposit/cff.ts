// CITATION.cff (Citation File Format 1.2) to Zenodo deposition metadata. The YAML is parsed with the
// `yaml` package. Mapping: title; authors (persons: "Family, Given" with name particles and suffixes,
// affiliation, ORCID; entities: their name); version; date-released -> publication_date; keywords;
// license (SPDX, the first one when several); abstract -> description; type (software | dataset) ->
// upload_type. Anything else in the file is left out.
import { InputError } from '../../../errors/errors.js';
import { isObj } from '../../../util/guards.js';

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return undefined;
}

export interface CffResult {
  metadata: Record<string, unknown>;
  warnings: string[];
}

export async function parseCff(source: string, shown: string): Promise<CffResult> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(source, { prettyErrors: true });
  } catch (err) {
    throw new InputError('BAD_METADATA', `${shown} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'Fix the file (https://citation-file-format.github.io has a validator), or pass --metadata FILE.',
    });
  }
  if (!isObj(doc)) {
    throw new InputError('BAD_METADATA', `${shown} is not a CITATION.cff mapping (expected keys such as title and authors).`, {
      hint: 'See https://citation-file-format.github.io for the format.',
    });
  }
  return cffToZenodo(doc, shown);
}

export function cffToZenodo(cff: Record<string, unknown>, shown: string): CffResult {
  const md: Record<string, unknown> = {};
  const warnings: string[] = [];
  const title = text(cff.title);
  if (title) md.title = title;
  const abstract = text(cff.abstract);
  if (abstract) md.description = abstract;
  const version = text(cff.version);
  if (version) md.version = version;
  const date = text(cff['date-released']);
  if (date) md.publication_date = date;
  if (cff.type === 'software' || cff.type === 'dataset') md.upload_type = cff.type;

  if (cff.keywords !== undefined) {
    if (!Array.isArray(cff.keywords)) throw new InputError('BAD_METADATA', `${shown}: keywords must be a list.`);
    const kw = cff.keywords.map(text).filter((k): k is string => Boolean(k));
    if (kw.length) md.keywords = kw;
  }

  const license = Array.isArray(cff.license) ? cff.license : cff.license === undefined ? [] : [cff.license];
  const first = text(license[0]);
  if (first) md.license = first;
  if (license.length > 1) warnings.push(`${shown} names ${license.length} licenses; Zenodo takes one, so ${first} is used.`);

  if (cff.authors !== undefined) {
    if (!Array.isArray(cff.authors)) throw new InputError('BAD_METADATA', `${shown}: authors must be a list.`);
    md.creators = cff.authors.map((a, i) => {
      if (!isObj(a)) throw new InputError('BAD_METADATA', `${shown}: authors[${i}] must be a mapping (family-names, given-names, …).`);
      const family = [text(a['name-particle']), text(a['family-names'])].filter(Boolean).join(' ');
      const given = text(a['given-names']);
      const suffix = text(a['name-suffix']);
      let name: string | undefined;
      if (family) name = `${family}${suffix ? ` ${suffix}` : ''}${given ? `, ${given}` : ''}`;
      else name = text(a.name) ?? given ?? text(a.alias);
      if (!name) throw new InputError('BAD_METADATA', `${shown}: authors[${i}] has no name (family-names, given-names or name).`);
      const creator: Record<string, unknown> = { name };
      const aff = text(a.affiliation);
      if (aff) creator.affiliation = aff;
      const orcid = text(a.orcid);
      if (orcid) creator.orcid = orcid;
      return creator;
    });
  }
  return { metadata: md, warnings };
}
