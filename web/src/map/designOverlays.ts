/** Map overlays for a circuit design (a quote option or a service): working and protect paths. */
import type { DesignPath } from '../api/ordering-types.js';
import type { PathOverlay } from './layers.js';
import { DIVERSE_COLOURS } from './palette.js';

/** Working path in the first diverse colour, protect in the second; working drawn on top. */
export function designOverlays(key: string, paths: readonly DesignPath[]): PathOverlay[] {
  return paths.map((p, i) => ({ key: `${key}-${i}`, spanIds: p.spanIds, colour: DIVERSE_COLOURS[p.role === 'protect' ? 1 : 0], emphasised: p.role !== 'protect' }));
}
