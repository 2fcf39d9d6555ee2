import { readFileSync } from 'node:fs';
import { rewriteCitation } from './src/citation/write-doi.ts';
const dois = { concept: '10.5281/zenodo.100', version: '10.5281/zenodo.101' };
const cases: Record<string, string> = {
  a: readFileSync('/tmp/cfftest/a.cff', 'utf8'),
  noids: 'cff-version: 1.2.0\ntitle: T\nauthors:\n- name: A\nlicense: MIT',
  flow: '{cff-version: 1.2.0, title: T, authors: [{name: A}]}\n',
  flowids: 'cff-version: 1.2.0\ntitle: T # keep\nidentifiers: [{type: url, value: "https://x.org"}]\ndoi: 10.1234/old\n',
  emptyids: 'cff-version: 1.2.0\ntitle: T\nidentifiers:\nversion: 2\n',
};
for (const [k, v] of Object.entries(cases)) {
  const r = rewriteCitation(v, dois);
  console.log(`== ${k} changed=${r.changed} reformatted=${r.reformatted} replaced=${r.replacedDoi}`);
  console.log(r.text);
  const r2 = rewriteCitation(r.text, dois);
  console.log('idempotent:', r2.text === r.text, r2.changed);
  const r3 = rewriteCitation(r.text, { concept: '10.5281/zenodo.100', version: '10.5281/zenodo.102' });
  console.log('next version:\n' + r3.text);
}
