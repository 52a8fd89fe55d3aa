/** Bounding box of network features, for fitting the map to whatever network is loaded. */
import type { NetworkCollection } from '../api/types.js';

/** [[west, south], [east, north]] */
export type Bounds = [[number, number], [number, number]];

/** Box around every site and span vertex; null for an empty network. */
export function networkBounds(net: NetworkCollection): Bounds | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const add = (lon: number, lat: number): void => {
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  };
  for (const f of net.features) {
    if (f.geometry.type === 'Point') add(f.geometry.coordinates[0], f.geometry.coordinates[1]);
    else for (const [lon, lat] of f.geometry.coordinates) add(lon, lat);
  }
  if (w === Infinity) return null;
  // A single site (or all at one spot) gets a box of about 1° so fitBounds does not zoom to max.
  if (e - w < 0.5 && n - s < 0.5) return [[w - 0.5, s - 0.5], [e + 0.5, n + 0.5]];
  return [[w, s], [e, n]];
}

/** Box around the given line strings (e.g. the spans of computed paths); null when empty. */
export function linesBounds(lines: readonly { coordinates: readonly (readonly [number, number] | [number, number])[] }[]): Bounds | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const l of lines) {
    for (const [lon, lat] of l.coordinates) {
      w = Math.min(w, lon);
      e = Math.max(e, lon);
      s = Math.min(s, lat);
      n = Math.max(n, lat);
    }
  }
  return w === Infinity ? null : [[w, s], [e, n]];
}
