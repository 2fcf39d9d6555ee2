// Terminal control characters in server text are removed from human output (issue 17), in the one
// output layer; JSON output keeps the text as sent.
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { IO } from '../../../src/output/io.js';
import { sanitizeForTerminal, stripControls } from '../../../src/output/sanitize.js';

const ESC = '\u001b';
const BEL = '\u0007';

describe('stripControls', () => {
  test.each([
    ['a window title (OSC 0 … BEL)', `${ESC}]0;pwned${BEL}Soil data`, 'Soil data'],
    ['a hyperlink (OSC 8 … ST)', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['clear screen and cursor home (CSI)', `${ESC}[2J${ESC}[HTitle`, 'Title'],
    ['colours (SGR)', `${ESC}[31;1mred${ESC}[0m`, 'red'],
    ['a DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\x`, 'x'],
    ['two-byte escapes (reset, charset)', `${ESC}c${ESC}(Bx`, 'x'],
    ['carriage return, backspace, bell, NUL', `safe\rEVIL\b\u0007\u0000!`, 'safeEVIL!'],
    ['C1 controls (one-byte CSI/OSC, NEL) and DEL', 'a\u009b2Jb\u009dc\u0085d\u007fe', 'a2Jbcde'],
  ])('%s', (_what, input, out) => {
    expect(stripControls(input)).toBe(out);
  });

  test('tab, newline and printable Unicode are kept', () => {
    const text = 'Données\tséries — 水 🌍\nzweite Zeile';
    expect(stripControls(text)).toBe(text);
  });
});

describe('sanitizeForTerminal', () => {
  test("with styles on, rdp's own colour sequences stay and everything else goes", () => {
    const styled = `${ESC}[32m✓${ESC}[39m Created ${ESC}]0;x${BEL}${ESC}[2Jdraft ${ESC}[1m42${ESC}[22m`;
    expect(sanitizeForTerminal(styled, true)).toBe(`${ESC}[32m✓${ESC}[39m Created draft ${ESC}[1m42${ESC}[22m`);
    expect(sanitizeForTerminal(styled, false)).toBe('✓ Created draft 42');
    expect(sanitizeForTerminal(`a\u00000\u0000b${ESC}[31m`, true)).toBe(`a0b${ESC}[31m`); // a NUL in server text is no marker
  });
});

describe('IO', () => {
  function io(json = false) {
    const out = new PassThrough();
    const err = new PassThrough();
    let o = '';
    let e = '';
    out.on('data', (d) => (o += String(d)));
    err.on('data', (d) => (e += String(d)));
    const x = new IO({ stdin: new PassThrough(), stdout: out, stderr: err }, {}, { json });
    return { x, out: () => o, err: () => e };
  }
  const title = `${ESC}]0;owned${BEL}${ESC}[2JSoil\rdata`;

  test('human output (stdout data, notices, warnings, errors) is cleaned', () => {
    const { x, out, err } = io();
    x.result({ title }, (v) => `1\t${v.title}`);
    x.info(`Created "${title}"`);
    x.warn(title);
    x.error({ code: 'API_ERROR', message: `Zenodo answered 400: ${title}`, hint: title });
    expect(out()).toBe('1\tSoildata\n');
    expect(err()).toBe('Created "Soildata"\n! Soildata\nError: Zenodo answered 400: Soildata\nSoildata\n');
  });

  test('JSON output keeps the text (escaped by JSON), on stdout and in the error document', () => {
    const { x, out, err } = io(true);
    x.result({ title }, () => 'unused');
    x.error({ code: 'API_ERROR', message: title });
    expect(JSON.parse(out())).toEqual({ title });
    expect(JSON.parse(err())).toEqual({ error: { code: 'API_ERROR', message: title } });
  });

  test('a document written as data (dmps get -o -) is not touched', () => {
    const { x, out } = io();
    const doc = `${JSON.stringify({ title: 'a\u0085b' })}\n`;
    x.document(doc);
    expect(out()).toBe(doc);
  });
});
