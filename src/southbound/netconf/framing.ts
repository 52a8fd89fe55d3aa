/**
 * NETCONF message framing over SSH (RFC 6242 §4): the end-of-message delimiter `]]>]]>` of
 * NETCONF 1.0 (used for the hello exchange and when either side lacks base:1.1), and chunked
 * framing of NETCONF 1.1 (`\n#<size>\n<data>` chunks, `\n##\n` at the end of a message).
 * Pure byte handling, no I/O: feed bytes in, take whole messages out.
 */

/** RFC 6242 §4.3: the end-of-message delimiter. */
export const EOM = ']]>]]>';
const EOM_BYTES = Buffer.from(EOM, 'utf8');

/** RFC 6242 §4.2: largest chunk-size allowed (2^32 - 1 octets). */
export const MAX_CHUNK_SIZE = 4294967295;

/** A framing violation; RFC 6242 §4.2 says the session must then be terminated. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

/** Frame one message with the end-of-message delimiter. */
export function encodeEom(message: string): Buffer {
  return Buffer.concat([Buffer.from(message, 'utf8'), EOM_BYTES]);
}

/** Frame one message as chunks of at most maxChunk octets (default: one chunk). */
export function encodeChunked(message: string, maxChunk = MAX_CHUNK_SIZE): Buffer {
  const body = Buffer.from(message, 'utf8');
  if (!(Number.isInteger(maxChunk) && maxChunk >= 1 && maxChunk <= MAX_CHUNK_SIZE)) throw new RangeError(`chunk size must be 1..${MAX_CHUNK_SIZE}`);
  const parts: Buffer[] = [];
  for (let off = 0; off < body.length; off += maxChunk) {
    const piece = body.subarray(off, Math.min(body.length, off + maxChunk));
    parts.push(Buffer.from(`\n#${piece.length}\n`, 'ascii'), piece);
  }
  // RFC 6242 §4.2: a message has at least one chunk, and a chunk is at least one octet, so an
  // empty message cannot be framed.
  if (parts.length === 0) throw new RangeError('cannot frame an empty message in chunked framing');
  parts.push(Buffer.from('\n##\n', 'ascii'));
  return Buffer.concat(parts);
}

/**
 * The first end-of-message-framed message in buf and the bytes after it (which may already be in
 * chunked framing: the hello is always EOM-framed, RFC 6242 §4.1), or null when buf holds no
 * delimiter yet.
 */
export function splitFirstEom(buf: Buffer): { message: string; rest: Buffer } | null {
  const at = buf.indexOf(EOM_BYTES);
  if (at < 0) return null;
  return { message: buf.subarray(0, at).toString('utf8'), rest: buf.subarray(at + EOM_BYTES.length) };
}

/** Decoder for end-of-message framing: push bytes, get complete messages. */
export class EomDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends bytes and returns the messages completed by them. */
  push(data: Buffer): string[] {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const out: string[] = [];
    for (;;) {
      const at = this.buf.indexOf(EOM_BYTES);
      if (at < 0) break;
      out.push(this.buf.subarray(0, at).toString('utf8'));
      this.buf = this.buf.subarray(at + EOM_BYTES.length);
    }
    return out;
  }

  /** Bytes received after the last complete message (e.g. the first chunked message after hello). */
  takeRest(): Buffer {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

const LF = 0x0a;
const HASH = 0x23;

/**
 * Decoder for chunked framing (RFC 6242 §4.2 ABNF): a state machine over octets, so chunk headers
 * and data may be split anywhere across pushes. Throws FramingError on a malformed stream.
 */
export class ChunkedDecoder {
  // expect-lf: want the LF that opens a chunk header or end-of-chunks;
  // expect-hash: want '#'; size-or-end: first char after '#': a digit 1-9 or '#';
  // size: more digits until LF; data: `remaining` octets of chunk data; end-lf: LF after '##'.
  private state: 'expect-lf' | 'expect-hash' | 'size-or-end' | 'size' | 'data' | 'end-lf' = 'expect-lf';
  private size = 0;
  private sizeDigits = 0;
  private remaining = 0;
  private parts: Buffer[] = [];
  private messageBytes = 0;

  /** Limit on one message's size in octets (protects against a peer that never ends a message). */
  constructor(private readonly maxMessageBytes = 256 * 1024 * 1024) {}

  push(data: Buffer): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < data.length) {
      switch (this.state) {
        case 'expect-lf':
          if (data[i] !== LF) throw new FramingError(`expected LF before chunk header, got 0x${data[i].toString(16)}`);
          this.state = 'expect-hash';
          i++;
          break;
        case 'expect-hash':
          if (data[i] !== HASH) throw new FramingError(`expected '#' in chunk header, got 0x${data[i].toString(16)}`);
          this.state = 'size-or-end';
          i++;
          break;
        case 'size-or-end': {
          const c = data[i];
          if (c === HASH) {
            if (this.parts.length === 0) throw new FramingError('end-of-chunks before any chunk');
            this.state = 'end-lf';
          } else if (c >= 0x31 && c <= 0x39) {
            this.size = c - 0x30;
            this.sizeDigits = 1;
            this.state = 'size';
          } else throw new FramingError(`chunk-size must start with 1-9, got 0x${c.toString(16)}`);
          i++;
          break;
        }
        case 'size': {
          const c = data[i];
          if (c === LF) {
            if (this.size > MAX_CHUNK_SIZE) throw new FramingError(`chunk-size ${this.size} exceeds ${MAX_CHUNK_SIZE}`);
            this.remaining = this.size;
            this.messageBytes += this.size;
            if (this.messageBytes > this.maxMessageBytes) throw new FramingError(`message exceeds ${this.maxMessageBytes} octets`);
            this.state = 'data';
          } else if (c >= 0x30 && c <= 0x39) {
            this.size = this.size * 10 + (c - 0x30);
            if (++this.sizeDigits > 10) throw new FramingError('chunk-size has more than 10 digits');
          } else throw new FramingError(`invalid character 0x${c.toString(16)} in chunk-size`);
          i++;
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, data.length - i);
          this.parts.push(Buffer.from(data.subarray(i, i + take)));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = 'expect-lf';
          break;
        }
        case 'end-lf':
          if (data[i] !== LF) throw new FramingError(`expected LF after end-of-chunks, got 0x${data[i].toString(16)}`);
          out.push(Buffer.concat(this.parts).toString('utf8'));
          this.parts = [];
          this.messageBytes = 0;
          this.state = 'expect-lf';
          i++;
          break;
      }
    }
    return out;
  }
}
