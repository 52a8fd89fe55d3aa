/**
 * Some topology files give planar drawing coordinates instead of longitude/latitude (SNDlib's
 * atlanta, Net2Plan's AT&T WorldNet). Sites still need a position, so such layouts are placed
 * schematically near lat 0, lon 0 with an equirectangular mapping, which never overstates a distance:
 * the great-circle distance between mapped points is at most their planar distance in km.
 */

/** Same mean earth radius as greatCircleKm, so the no-overstatement bound holds exactly. */
const KM_PER_DEGREE = (2 * Math.PI * 6371.0088) / 360;

/** True when every point is a valid [lon, lat]; otherwise the layout is planar. */
export function looksGeographic(points: readonly { x: number; y: number }[]): boolean {
  return points.every((p) => p.x >= -180 && p.x <= 180 && p.y >= -90 && p.y <= 90);
}

/**
 * Maps planar points to [lon, lat] at kmPerUnit km per unit, centred on (0, 0). The scale is
 * shrunk if needed so every latitude stays within ±80° and longitude within ±180°.
 */
export function placePlanar(points: readonly { x: number; y: number }[], kmPerUnit: number): { lon: number; lat: number }[] {
  if (points.length === 0) return [];
  // A loop, not Math.min(...xs): spreading ~125,000 arguments overflows the stack (a RangeError).
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const halfW = (maxX - minX) / 2;
  const halfH = (maxY - minY) / 2;
  let degPerUnit = kmPerUnit / KM_PER_DEGREE;
  if (halfH * degPerUnit > 80) degPerUnit = 80 / halfH;
  if (halfW * degPerUnit > 180) degPerUnit = 180 / halfW;
  return points.map((p) => ({ lon: (p.x - cx) * degPerUnit, lat: (p.y - cy) * degPerUnit }));
}
