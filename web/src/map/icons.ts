/**
 * Site markers drawn once on a 2D canvas and registered as map images, so sites render in WebGL
 * (fast for thousands of sites) with distinct shapes and need no sprite sheet from a server.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import { SITE_STYLE } from './palette.js';
import type { SiteKind, SiteShape } from './palette.js';

const PIXEL_RATIO = 2;

function tracePath(ctx: CanvasRenderingContext2D, shape: SiteShape, c: number, r: number): void {
  ctx.beginPath();
  switch (shape) {
    case 'circle':
      ctx.arc(c, c, r, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(c - r * 0.85, c - r * 0.85, r * 1.7, r * 1.7);
      break;
    case 'diamond':
      ctx.moveTo(c, c - r);
      ctx.lineTo(c + r, c);
      ctx.lineTo(c, c + r);
      ctx.lineTo(c - r, c);
      ctx.closePath();
      break;
    case 'triangle':
      ctx.moveTo(c, c - r);
      ctx.lineTo(c + r * 0.9, c + r * 0.7);
      ctx.lineTo(c - r * 0.9, c + r * 0.7);
      ctx.closePath();
      break;
  }
}

/** Pixels of one marker: the kind's shape filled in its colour with a white halo. */
export function markerImage(shape: SiteShape, colour: string, sizePx: number, highlighted = false): ImageData {
  const side = Math.ceil((sizePx + 6) * PIXEL_RATIO);
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('2D canvas unavailable');
  const c = side / 2;
  const r = (sizePx / 2) * PIXEL_RATIO;
  tracePath(ctx, shape, c, r);
  ctx.lineWidth = (highlighted ? 3 : 2) * PIXEL_RATIO;
  ctx.strokeStyle = highlighted ? '#111827' : '#ffffff';
  ctx.lineJoin = 'round';
  ctx.stroke();
  ctx.fillStyle = colour;
  ctx.fill();
  return ctx.getImageData(0, 0, side, side);
}

/** Image name of a kind's marker. */
export function iconName(kind: SiteKind): string {
  return `site-${kind}`;
}

/** Register one marker image per site kind on the map. */
export function addSiteIcons(map: MapLibreMap): void {
  for (const [kind, st] of Object.entries(SITE_STYLE) as [SiteKind, (typeof SITE_STYLE)[SiteKind]][]) {
    if (!map.hasImage(iconName(kind))) map.addImage(iconName(kind), markerImage(st.shape, st.colour, st.sizePx), { pixelRatio: PIXEL_RATIO });
  }
}
