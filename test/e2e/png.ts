/**
 * Minimal PNG decoder for screenshots (8-bit RGB/RGBA, non-interlaced, as Chromium writes them),
 * so the end-to-end tests can inspect what the map actually drew without a DOM or an image library.
 */
import { inflateSync } from 'node:zlib';

/** Decoded image: row-major RGBA, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decode a PNG buffer; throws on formats screenshots never use (palette, 16-bit, interlaced). */
export function decodePng(buf: Buffer): RgbaImage {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colourType = data[9];
      const interlace = data[12];
      if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
      }
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = colourType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels] : 0;
      const b = y > 0 ? px[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? px[row - stride + x - channels] : 0;
      const v = raw[src + x];
      let out: number;
      switch (filter) {
        case 0: out = v; break;
        case 1: out = v + a; break;
        case 2: out = v + b; break;
        case 3: out = v + ((a + b) >> 1); break;
        case 4: out = v + paeth(a, b, c); break;
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      px[row + x] = out & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: px };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < px.length; i += 3, j += 4) {
    rgba[j] = px[i];
    rgba[j + 1] = px[i + 1];
    rgba[j + 2] = px[i + 2];
    rgba[j + 3] = 255;
  }
  return { width, height, rgba };
}

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function near(img: RgbaImage, i: number, rgb: [number, number, number], tolerance: number): boolean {
  return Math.abs(img.rgba[i] - rgb[0]) <= tolerance && Math.abs(img.rgba[i + 1] - rgb[1]) <= tolerance && Math.abs(img.rgba[i + 2] - rgb[2]) <= tolerance;
}

/** Number of pixels within `tolerance` per channel of the colour. */
export function countColour(img: RgbaImage, hex: string, tolerance = 12): number {
  const rgb = hexRgb(hex);
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (near(img, i, rgb, tolerance)) n++;
  return n;
}

/** A pixel whose whole 5×5 neighbourhood has the colour (the inside of a marker), or null. */
export function findSolidColour(img: RgbaImage, hex: string, tolerance = 12): { x: number; y: number } | null {
  const rgb = hexRgb(hex);
  for (let y = 2; y < img.height - 2; y++) {
    for (let x = 2; x < img.width - 2; x++) {
      let solid = true;
      for (let dy = -2; dy <= 2 && solid; dy++) for (let dx = -2; dx <= 2 && solid; dx++) solid = near(img, ((y + dy) * img.width + x + dx) * 4, rgb, tolerance);
      if (solid) return { x, y };
    }
  }
  return null;
}
