/**
 * NETCONF framing (RFC 6242 §4): the decoders against streams the test builds itself from the
 * RFC's grammar, cut at random points; malformed streams are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkedDecoder, EomDecoder, FramingError, encodeChunked, encodeEom } from '../../src/southbound/netconf/framing.js';

/** RFC 6242 §4.2 by hand: `\n#<size>\n<data>` per chunk, then `\n##\n`. */
function chunkedByHand(message: string, sizes: number[]): Buffer {
  const body = Buffer.from(message, 'utf8');
  const parts: Buffer[] = [];
  let off = 0;
  let k = 0;
  while (off < body.length) {
    const n = Math.min(sizes[k++ % sizes.length], body.length - off);
    parts.push(Buffer.from(`\n#${n}\n`), body.subarray(off, off + n));
    off += n;
  }
  parts.push(Buffer.from('\n##\n'));
  return Buffer.concat(parts);
}

/** Cuts a buffer at the given fractions. */
function cut(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const a of at) {
    out.push(buf.subarray(prev, a));
    prev = a;
  }
  out.push(buf.subarray(prev));
  return out;
}

const messages = fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 5 });
const sizes = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 6 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

test('chunked decoder returns every message, whatever the chunk sizes and however the bytes arrive', () => {
  fc.assert(
    fc.property(messages, sizes, cuts, (msgs, sz, cs) => {
      const stream = Buffer.concat(msgs.map((m) => chunkedByHand(m, sz)));
      const dec = new ChunkedDecoder();
      const got = cut(stream, cs).flatMap((piece) => dec.push(piece));
      assert.deepEqual(got, msgs);
    }),
    { numRuns: 300 },
  );
});

test('the chunked encoder produces what the grammar says, for odd chunk sizes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (m, n) => {
      assert.deepEqual(encodeChunked(m, n), chunkedByHand(m, [n]));
    }),
  );
});

test('end-of-message decoder splits at ]]>]]> across arbitrary pieces', () => {
  const noDelim = fc.string({ unit: 'binary', minLength: 0, maxLength: 200 }).filter((s) => !s.includes(']]>]]>') && !s.endsWith(']') && !s.endsWith(']]>') && !s.endsWith(']]>]') && !s.endsWith(']]>]]'));
  fc.assert(
    fc.property(fc.array(noDelim, { minLength: 1, maxLength: 5 }), cuts, (msgs, cs) => {
      const stream = Buffer.concat(msgs.map((m) => encodeEom(m)));
      const dec = new EomDecoder();
      assert.deepEqual(cut(stream, cs).flatMap((p) => dec.push(p)), msgs);
    }),
  );
});

test('malformed chunked streams are framing errors (RFC 6242 §4.2: the session must end)', () => {
  const bad = ['\n#0\n', '\n#01\na', '#4\nabcd\n##\n', '\n#4 \nabcd', '\n#4\nabcdX##\n', '\n##\n', '\n#4294967296\n', '\n#12345678901\n', '\n#4\nabcd\n#x'];
  for (const b of bad) assert.throws(() => new ChunkedDecoder().push(Buffer.from(b)), FramingError, JSON.stringify(b));
  assert.deepEqual(new ChunkedDecoder(Infinity).push(Buffer.from('\n#4294967295\n')), [], 'the largest chunk-size is allowed');
  assert.throws(() => new ChunkedDecoder(1000).push(Buffer.from('\n#1001\n')), FramingError, 'a message over the limit');
  assert.throws(() => encodeChunked(''), RangeError);
});
