/**
 * XML safety of the Net2Plan importer: no DOCTYPE or entity declaration is accepted, so nothing is
 * fetched or expanded, and only the five predefined entities and legal character references are
 * decoded, by a decoder checked against an independent encoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNetwork } from '../../src/import/index.js';
import { decodeXmlText } from '../../src/import/xml-scan.js';
import { FC_SEED } from './arbitraries.js';
import { assertIssue, importErrorLines } from './oracle.js';

const body = `<network name="T" version="6">
<node id="1" name="Vienna" xCoord="16.37" yCoord="48.21"/>
<node id="2" name="Prague" xCoord="14.42" yCoord="50.09"/>
<layer id="0">
<link id="1" originNodeId="1" destinationNodeId="2" lengthInKm="330"/>
</layer>
</network>
`;
const withProlog = (prolog: string, name = 'Vienna'): string => `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}\n${body.replace('name="Vienna"', `name="${name}"`)}`;

test('the base file imports', () => {
  assert.deepEqual(parseNetwork('t.n2p', withProlog('')).network.sites.map((s) => s.name), ['Vienna', 'Prague']);
});

const doctypes: [string, string][] = [
  ['external entity (XXE)', '<!DOCTYPE network [<!ENTITY x SYSTEM "file:///etc/passwd">]>'],
  ['external entity over http', '<!DOCTYPE network [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'],
  ['public external entity', '<!DOCTYPE network [<!ENTITY x PUBLIC "-//X//EN" "http://127.0.0.1:9/x">]>'],
  ['external DTD', '<!DOCTYPE network SYSTEM "http://127.0.0.1:9/net.dtd">'],
  ['parameter entity', '<!DOCTYPE network [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'],
  ['internal entity', '<!DOCTYPE network [<!ENTITY x "Wien">]>'],
  [
    'billion laughs',
    `<!DOCTYPE network [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, k) => `<!ENTITY ${String.fromCharCode(98 + k)} "${`&${String.fromCharCode(97 + k)};`.repeat(10)}">`).join('')}]>`,
  ],
  ['plain DOCTYPE', '<!DOCTYPE network>'],
];

for (const [what, prolog] of doctypes) {
  test(`a DOCTYPE with ${what} is refused at its line; nothing is fetched or expanded`, () => {
    const uses = what === 'plain DOCTYPE' || what === 'external DTD' ? 'Vienna' : '&x;';
    const text = withProlog(prolog, what === 'billion laughs' ? '&j;' : uses);
    const lines = importErrorLines(() => parseNetwork('t.n2p', text));
    assert.deepEqual(lines, ['t.n2p:2: xml: DOCTYPE / entity declarations are not accepted (nothing in a Net2Plan file needs one)']);
  });
}

test('an entity reference without a declaration is refused, not kept as text', () => {
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', withProlog('', 'V&x;'))), 't.n2p:4: xml:', 'unknown entity &x;');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', withProlog('', 'V&nbsp;'))), 't.n2p:4: xml:', 'unknown entity &nbsp;');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', withProlog('', 'A & B'))), 't.n2p:4: xml:', "'&' that starts no reference");
});

test('character references XML forbids are refused: NUL, surrogates, beyond U+10FFFF', () => {
  for (const ref of ['&#0;', '&#x0;', '&#xD800;', '&#xDFFF;', '&#x110000;', '&#xFFFE;', '&#1;', '&#99999999999999;']) {
    assertIssue(importErrorLines(() => parseNetwork('t.n2p', withProlog('', `V${ref}`))), 't.n2p:4: xml:', `character reference ${ref} is not a legal XML character`);
  }
});

test('predefined entities and character references are decoded into names', () => {
  const text = withProlog('', 'M&#252;nchen &amp; &#x57;ien &lt;&quot;&apos;&gt;');
  assert.equal(parseNetwork('t.n2p', text).network.sites[0].name, 'München & Wien <"\'>');
});

test('processing instructions other than the XML declaration, and reserved names, are refused', () => {
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', withProlog('<?php x ?>'))), 't.n2p:2: xml:', 'processing instructions are not accepted');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', `<?xml version=<a>"1.0"?>\n${body}`)), 't.n2p:1: xml:', 'processing instructions are not accepted');
  const proto = withProlog('').replace('<node id="1"', '<node __proto__="x" id="1"');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', proto)), 't.n2p:4: xml:', 'attribute name "__proto__" is not accepted');
  const ctor = withProlog('').replace('</layer>', '<constructor/></layer>');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', ctor)), 't.n2p:8: xml:', 'element name "constructor" is not accepted');
});

test('comments and CDATA may hold anything, and are not read', () => {
  const text = withProlog('<!-- <!DOCTYPE x> &bogus; <a> -->').replace('</layer>', '<![CDATA[ <!ENTITY & ]]></layer>');
  assert.equal(parseNetwork('t.n2p', text).network.spans.length, 1);
});

/** Independent encoder: each character literally, or as a decimal / hex reference, or a predefined entity. */
const PREDEFINED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xmlChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0xd7ff }),
  fc.constantFrom(0x9, 0xa, 0xd),
  fc.integer({ min: 0xe000, max: 0xfffd }),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
);

test('decodeXmlText inverts any mix of literal characters, character references and predefined entities', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(xmlChar, fc.integer({ min: 0, max: 3 })), { maxLength: 30 }), (chars) => {
      let plain = '';
      let encoded = '';
      for (const [code, how] of chars) {
        const ch = String.fromCodePoint(code);
        plain += ch;
        if (how === 1) encoded += `&#${code};`;
        else if (how === 2) encoded += `&#x${code.toString(16)};`;
        else if (PREDEFINED[ch] !== undefined) encoded += PREDEFINED[ch];
        else encoded += ch;
      }
      assert.equal(decodeXmlText(encoded), plain);
    }),
    { seed: FC_SEED, numRuns: 300 },
  );
});
