/**
 * Deterministic planar-ish geometric network for benchmarks: random sites in a 4000 x 2500 km box, the
 * Euclidean minimum spanning tree of the 6-nearest-neighbour graph plus the shortest remaining candidate
 * links until the average degree reaches the target.
 */
import type { GraphSite, GraphSpan } from '../../src/engine/graph.js';
import { FIBER_LATENCY_US_PER_KM } from '../../src/domain/network.js';

/** Small fast deterministic PRNG (mulberry32); returns a function yielding floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generated network of n sites with average degree about avgDegree (lengths in km, 4.9 µs/km). */
export function geometricNetwork(n: number, avgDegree: number, seed: number): { sites: GraphSite[]; spans: GraphSpan[] } {
  const rand = rng(seed);
  const W = 4000;
  const H = 2500;
  const x = Array.from({ length: n }, () => rand() * W);
  const y = Array.from({ length: n }, () => rand() * H);
  const cell = Math.sqrt((W * H) / n) * 1.5;
  const cols = Math.ceil(W / cell);
  const buckets = new Map<number, number[]>();
  const key = (cx: number, cy: number): number => cy * cols + cx;
  for (let i = 0; i < n; i++) {
    const k = key(Math.floor(x[i] / cell), Math.floor(y[i] / cell));
    const b = buckets.get(k);
    if (b) b.push(i);
    else buckets.set(k, [i]);
  }
  const cand: [number, number, number][] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const cx = Math.floor(x[i] / cell);
    const cy = Math.floor(y[i] / cell);
    const near: [number, number][] = [];
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) for (const j of buckets.get(key(cx + dx, cy + dy)) ?? []) if (j !== i) near.push([Math.hypot(x[i] - x[j], y[i] - y[j]), j]);
    near.sort((a, b) => a[0] - b[0]);
    for (const [d, j] of near.slice(0, 6)) {
      const id = Math.min(i, j) * n + Math.max(i, j);
      if (seen.has(id)) continue;
      seen.add(id);
      cand.push([d, i, j]);
    }
  }
  cand.sort((a, b) => a[0] - b[0]);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]];
    return v;
  };
  const chosen: [number, number, number][] = [];
  const rest: [number, number, number][] = [];
  for (const c of cand) {
    const a = find(c[1]);
    const b = find(c[2]);
    if (a !== b) {
      parent[a] = b;
      chosen.push(c);
    } else rest.push(c);
  }
  const target = Math.round((n * avgDegree) / 2);
  for (const c of rest) {
    if (chosen.length >= target) break;
    if (rand() < 0.5) chosen.push(c);
  }
  const sites = Array.from({ length: n }, (_, i) => ({ id: `g${i}`, lat: (y[i] / H) * 20 + 30, lon: (x[i] / W) * 50 - 120 }));
  const spans = chosen.map(([d, i, j], k) => {
    // Real routes are longer than straight lines: 1.25 is the domain's default route factor.
    const lengthKm = Math.max(1, d * 1.25);
    return { id: `s${k}`, aSiteId: `g${i}`, zSiteId: `g${j}`, lengthKm, latencyUs: lengthKm * FIBER_LATENCY_US_PER_KM, srlgIds: [] };
  });
  return { sites, spans };
}
