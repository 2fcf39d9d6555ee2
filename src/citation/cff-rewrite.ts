// The text edit behind `--write-doi` (src/citation/write-doi.ts says what is written and why): the
// DOIs put into a CITATION.cff on the yaml package's lossless CST, so that comments, quoting, folded
// text, blank lines and key order stay the source's own; shapes the CST edit does not cover go through
// the Document API's writer. A module of its own so that yaml is loaded only when a file is edited.
import { Composer, CST, type Document, isMap, isScalar, isSeq, Parser, type Scalar, stringify as yamlStringify, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../errors/errors.js';
import { bareDoi, CFF_FILE, type RecordDois, VERSION_DOI_DESCRIPTION } from './write-doi.js';

const sameDoi = (a: unknown, b: string) => typeof a === 'string' && bareDoi(a) === bareDoi(b);

interface Plan {
  setDoi: boolean;
  replacedDoi?: string | undefined;
  /** identifiers: nothing to do, update our earlier item's value, or add an item. */
  identifiers: { kind: 'keep' } | { kind: 'update'; node: Scalar } | { kind: 'add' };
}

/** The new text of a CITATION.cff (pure; `shown` names the file in errors). */
export function rewriteCitation(
  raw: string,
  dois: RecordDois,
  shown = CFF_FILE,
): { text: string; changed: ('doi' | 'identifiers')[]; replacedDoi?: string | undefined; reformatted: boolean } {
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const crlf = /\r\n/.test(raw);
  let src = raw.slice(bom.length);
  if (crlf) src = src.replace(/\r\n/g, '\n');
  // A line may be added after the last one: that line has to end first.
  if (src !== '' && !src.endsWith('\n')) src += '\n';

  const { doc, cst } = parse(src, shown);
  const root = doc.contents;
  if (!isMap(root)) {
    throw new InputError('BAD_METADATA', `${shown} is not a CITATION.cff mapping (expected keys such as title and authors); rdp did not write the DOI into it.`, {
      hint: 'Fix the file, or leave out --write-doi.',
    });
  }
  const plan = decide(root, dois, shown);
  const changed: ('doi' | 'identifiers')[] = [];
  if (plan.setDoi) changed.push('doi');
  if (plan.identifiers.kind !== 'keep') changed.push('identifiers');
  if (changed.length === 0) return { text: raw, changed, reformatted: false };

  let out: string;
  let reformatted = false;
  const lossless = editCst(cst, plan, dois);
  if (lossless !== undefined) out = lossless;
  else {
    out = editDocument(doc, root, plan, dois, src);
    reformatted = true;
  }
  // Whatever path was taken, the result must say what was asked and still be one mapping.
  const check = parse(out, shown).doc;
  if (!isMap(check.contents) || !sameDoi(check.get('doi'), dois.concept) || !hasVersionDoi(check.get('identifiers'), dois.version)) {
    throw new InputError('BAD_METADATA', `rdp could not write the DOI into ${shown} without changing its meaning; the file was left as it was.`, {
      hint: `Add these lines yourself: doi: ${dois.concept}, and under identifiers: {type: doi, value: ${dois.version}}.`,
    });
  }
  if (crlf) out = out.replace(/\n/g, '\r\n');
  return { text: bom + out, changed, replacedDoi: plan.replacedDoi, reformatted };
}

function parse(src: string, shown: string): { doc: Document.Parsed; cst: CST.Token[] } {
  const cst = [...new Parser().parse(src)];
  const docs = [...new Composer({ keepSourceTokens: true }).compose(cst)];
  const doc = docs[0];
  if (docs.length !== 1 || !doc) {
    throw new InputError('BAD_METADATA', `${shown} must hold one YAML document${docs.length ? `, not ${docs.length}` : ''}; rdp did not write the DOI into it.`, {
      hint: 'Fix the file, or leave out --write-doi.',
    });
  }
  const err = doc.errors[0];
  if (err) {
    throw new InputError('BAD_METADATA', `${shown} is not valid YAML: ${err.message.split('\n')[0]}; rdp did not write the DOI into it.`, {
      hint: 'Fix the file (https://citation-file-format.github.io), or leave out --write-doi.',
    });
  }
  return { doc, cst };
}

function hasVersionDoi(ids: unknown, version: string): boolean {
  if (!isSeq(ids)) return false;
  return ids.items.some((i) => isMap(i) && i.get('type') === 'doi' && sameDoi(i.get('value'), version));
}

function decide(root: YAMLMap, dois: RecordDois, shown: string): Plan {
  const current = root.get('doi', true);
  const plan: Plan = { setDoi: false, identifiers: { kind: 'add' } };
  if (current === undefined || current === null) plan.setDoi = true;
  else if (!isScalar(current)) {
    throw new InputError('BAD_METADATA', `${shown}: doi must be a single DOI, not a list or mapping; rdp did not write the DOI into it.`, { hint: 'Fix the file, or leave out --write-doi.' });
  } else if (!sameDoi(current.value, dois.concept)) {
    plan.setDoi = true;
    if (current.value !== null && String(current.value).trim() !== '') plan.replacedDoi = String(current.value);
  }

  const ids = root.get('identifiers', true);
  if (ids === undefined || ids === null || (isScalar(ids) && (ids.value === null || ids.value === ''))) return plan;
  if (!isSeq(ids)) {
    throw new InputError('BAD_METADATA', `${shown}: identifiers must be a list; rdp did not write the DOI into it.`, { hint: 'Fix the file, or leave out --write-doi.' });
  }
  for (const item of ids.items) {
    if (isMap(item) && item.get('type') === 'doi' && sameDoi(item.get('value'), dois.version)) {
      plan.identifiers = { kind: 'keep' };
      return plan;
    }
  }
  for (const item of ids.items) {
    if (isMap(item) && item.get('type') === 'doi' && item.get('description') === VERSION_DOI_DESCRIPTION) {
      const value = item.get('value', true);
      if (isScalar(value)) {
        plan.identifiers = { kind: 'update', node: value };
        return plan;
      }
    }
  }
  return plan;
}

// --------------------------------------------------------------------------------------------------
// The lossless path: edits on the CST

/** A plain or quoted scalar as YAML text (quoted only where YAML needs it). */
const scalarText = (v: string) => yamlStringify(v).replace(/\n$/, '');

/** The items of a snippet's root block mapping, parsed on their own (their tokens are spliced in). */
function snippetMapItems(text: string): CST.BlockMap['items'] {
  const [first] = new Parser().parse(text);
  if (first?.type !== 'document' || first.value?.type !== 'block-map') throw new Error('internal: snippet is not a block mapping');
  return first.value.items;
}

function snippetSeqItems(text: string): CST.BlockSequence['items'] {
  const [first] = new Parser().parse(text);
  if (first?.type !== 'document' || first.value?.type !== 'block-seq') throw new Error('internal: snippet is not a block sequence');
  return first.value.items;
}

/** The column of the `-` of block sequences under the root (the file's own habit; 2 if it has none). */
function seqColumn(map: CST.BlockMap): number {
  for (const it of map.items) if (it.value?.type === 'block-seq') return it.value.indent;
  return 2;
}

function keyOf(item: CST.BlockMap['items'][number]): string | undefined {
  return item.key && (item.key.type === 'scalar' || item.key.type === 'single-quoted-scalar' || item.key.type === 'double-quoted-scalar')
    ? String(CST.resolveAsScalar(item.key)?.value)
    : undefined;
}

function identifierItem(col: number, version: string): string {
  const pad = ' '.repeat(col);
  return `${pad}- type: doi\n${pad}  value: ${scalarText(version)}\n${pad}  description: ${scalarText(VERSION_DOI_DESCRIPTION)}\n`;
}

/** The new text, or undefined when the file's shape needs the Document API's writer. */
function editCst(cst: CST.Token[], plan: Plan, dois: RecordDois): string | undefined {
  const docToken = cst.find((t): t is CST.Document => t.type === 'document');
  const map = docToken?.value;
  if (!docToken || map?.type !== 'block-map') return undefined;
  const idsItem = map.items.find((i) => keyOf(i) === 'identifiers');
  if (plan.identifiers.kind === 'add' && idsItem && idsItem.value?.type !== 'block-seq' && idsItem.value !== undefined && idsItem.value !== null) {
    // identifiers in flow style, or `identifiers:` with an empty value: not spliced here
    const v = idsItem.value;
    const empty = v.type === 'scalar' && v.source.trim() === '';
    if (!empty) return undefined;
  }

  // 1. doi
  if (plan.setDoi) {
    const doiItem = map.items.find((i) => keyOf(i) === 'doi');
    if (doiItem?.value && CST.isScalar(doiItem.value) && doiItem.value.type !== 'block-scalar') {
      CST.setScalarValue(doiItem.value, dois.concept);
    } else if (doiItem) {
      return undefined; // `doi:` without a value, or a block scalar: rare; use the writer
    } else {
      const at = ['version', 'title'].map((k) => map.items.findIndex((i) => keyOf(i) === k)).find((i) => i >= 0);
      const [item] = snippetMapItems(`x: 1\ndoi: ${scalarText(dois.concept)}\n`).slice(1);
      if (!item) return undefined;
      map.items.splice(at === undefined ? map.items.length : at + 1, 0, item);
    }
  }

  // 2. identifiers
  const col = seqColumn(map);
  if (plan.identifiers.kind === 'update') {
    const token = plan.identifiers.node.srcToken;
    if (!token || !CST.isScalar(token) || token.type === 'block-scalar') return undefined;
    CST.setScalarValue(token, dois.version);
  } else if (plan.identifiers.kind === 'add') {
    const ids = map.items.find((i) => keyOf(i) === 'identifiers');
    if (ids?.value?.type === 'block-seq') {
      const seq = ids.value;
      const [item] = snippetSeqItems(`${' '.repeat(seq.indent)}- x\n${identifierItem(seq.indent, dois.version)}`).slice(1);
      if (!item) return undefined;
      seq.items.push(item);
    } else if (ids) {
      // `identifiers:` with nothing after it: replace the pair
      const [item] = snippetMapItems(`x: 1\nidentifiers:\n${identifierItem(col, dois.version)}`).slice(1);
      if (!item) return undefined;
      map.items.splice(map.items.indexOf(ids), 1, item);
    } else {
      const doiAt = map.items.findIndex((i) => keyOf(i) === 'doi');
      const [item] = snippetMapItems(`x: 1\nidentifiers:\n${identifierItem(col, dois.version)}`).slice(1);
      if (!item) return undefined;
      map.items.splice(doiAt >= 0 ? doiAt + 1 : map.items.length, 0, item);
    }
  }
  return cst.map((t) => CST.stringify(t)).join('');
}

// --------------------------------------------------------------------------------------------------
// The fallback: the Document API's writer

function editDocument(doc: Document.Parsed, root: YAMLMap, plan: Plan, dois: RecordDois, src: string): string {
  if (plan.setDoi) root.set('doi', dois.concept);
  if (plan.identifiers.kind === 'update') plan.identifiers.node.value = dois.version;
  else if (plan.identifiers.kind === 'add') {
    const entry = doc.createNode({ type: 'doi', value: dois.version, description: VERSION_DOI_DESCRIPTION }) as YAMLMap;
    const ids = root.get('identifiers', true);
    if (isSeq(ids)) {
      if ((ids as YAMLSeq).flow) entry.flow = true;
      ids.add(entry);
    } else root.set('identifiers', doc.createNode([entry]));
  }
  const indentSeq = !/^[A-Za-z0-9_-]+:\s*\n-\s/m.test(src);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq });
}
