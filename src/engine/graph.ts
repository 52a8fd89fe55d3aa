/**
 * Compact graph for path computation: sites and spans are numbered 0..n-1 and every per-span
 * attribute lives in a typed array, so the hot loops touch a few contiguous buffers instead of
 * chasing objects. Spans are undirected links; parallel spans between two sites are allowed.
 */
import type { Network } from '../domain/network.js';
import { allowsTransit, spanLatencyUs } from '../domain/network.js';

/** A site as the graph needs it. */
export interface GraphSite {
  id: string;
  lat: number;
  lon: number;
  /** False: paths may start or end here but never pass through (default true). */
  transit?: boolean;
}

/** A span as the graph needs it. costWeight defaults to latencyUs; slotCount to 0 (no line system). */
export interface GraphSpan {
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  latencyUs: number;
  srlgIds: readonly string[];
  slotCount?: number;
  costWeight?: number;
}

/** Immutable compact graph (CSR adjacency, each span listed once from each end). */
export interface Graph {
  readonly nodeCount: number;
  readonly spanCount: number;
  readonly nodeIds: readonly string[];
  readonly spanIds: readonly string[];
  readonly srlgIds: readonly string[];
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** Per node: 1 = paths may pass through, 0 = endpoint only (searches never expand it unless they start there). */
  readonly transit: Uint8Array;
  readonly spanA: Int32Array;
  readonly spanZ: Int32Array;
  readonly lengthKm: Float64Array;
  readonly latencyUs: Float64Array;
  readonly cost: Float64Array;
  /** Per span; 0 = no line system. */
  readonly slotCount: Int32Array;
  readonly adjStart: Int32Array;
  readonly adjNode: Int32Array;
  readonly adjSpan: Int32Array;
  readonly spanSrlgStart: Int32Array;
  readonly spanSrlg: Int32Array;
  /** Node index of a site id; -1 if unknown. */
  nodeIndex(id: string): number;
  /** Span index of a span id; -1 if unknown. */
  spanIndex(id: string): number;
}

/** A simple path: nodes[0..hops], spans[0..hops-1] with spans[i] joining nodes[i] and nodes[i+1]. */
export interface Path {
  nodes: number[];
  spans: number[];
  lengthKm: number;
  latencyUs: number;
  hops: number;
  cost: number;
}

function checkNonNegative(value: number, what: string, id: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`span ${id}: ${what} must be a finite number >= 0, got ${value}`);
}

/** Build the compact graph. Throws on duplicate ids, unknown endpoints, self-loops or negative weights. */
export function buildGraph(sites: readonly GraphSite[], spans: readonly GraphSpan[]): Graph {
  const n = sites.length;
  const m = spans.length;
  const nodeMap = new Map<string, number>();
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const transit = new Uint8Array(n);
  sites.forEach((s, i) => {
    if (nodeMap.has(s.id)) throw new Error(`duplicate site id ${s.id}`);
    nodeMap.set(s.id, i);
    lat[i] = s.lat;
    lon[i] = s.lon;
    transit[i] = s.transit === false ? 0 : 1;
  });

  const spanMap = new Map<string, number>();
  const srlgMap = new Map<string, number>();
  const srlgIds: string[] = [];
  const spanA = new Int32Array(m);
  const spanZ = new Int32Array(m);
  const lengthKm = new Float64Array(m);
  const latencyUs = new Float64Array(m);
  const cost = new Float64Array(m);
  const slotCount = new Int32Array(m);
  const spanSrlgStart = new Int32Array(m + 1);
  const srlgOfSpan: number[] = [];
  const degree = new Int32Array(n + 1);

  spans.forEach((s, i) => {
    if (spanMap.has(s.id)) throw new Error(`duplicate span id ${s.id}`);
    spanMap.set(s.id, i);
    const a = nodeMap.get(s.aSiteId);
    const z = nodeMap.get(s.zSiteId);
    if (a === undefined || z === undefined) throw new Error(`span ${s.id}: unknown site ${a === undefined ? s.aSiteId : s.zSiteId}`);
    // A self-loop can never be part of a simple path; rejecting it keeps "each span twice in CSR" exact.
    if (a === z) throw new Error(`span ${s.id}: self-loop at ${s.aSiteId}`);
    checkNonNegative(s.lengthKm, 'lengthKm', s.id);
    checkNonNegative(s.latencyUs, 'latencyUs', s.id);
    const c = s.costWeight ?? s.latencyUs;
    checkNonNegative(c, 'costWeight', s.id);
    spanA[i] = a;
    spanZ[i] = z;
    lengthKm[i] = s.lengthKm;
    latencyUs[i] = s.latencyUs;
    cost[i] = c;
    slotCount[i] = s.slotCount ?? 0;
    degree[a]++;
    degree[z]++;
    // A span listed twice in one SRLG counts once.
    const seen = new Set<number>();
    for (const g of s.srlgIds) {
      let gi = srlgMap.get(g);
      if (gi === undefined) {
        gi = srlgIds.length;
        srlgMap.set(g, gi);
        srlgIds.push(g);
      }
      if (!seen.has(gi)) {
        seen.add(gi);
        srlgOfSpan.push(gi);
      }
    }
    spanSrlgStart[i + 1] = srlgOfSpan.length;
  });

  const adjStart = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) adjStart[v + 1] = adjStart[v] + degree[v];
  const fill = adjStart.slice(0, n);
  const adjNode = new Int32Array(2 * m);
  const adjSpan = new Int32Array(2 * m);
  for (let e = 0; e < m; e++) {
    const a = spanA[e];
    const z = spanZ[e];
    adjNode[fill[a]] = z;
    adjSpan[fill[a]++] = e;
    adjNode[fill[z]] = a;
    adjSpan[fill[z]++] = e;
  }

  const nodeIds = sites.map((s) => s.id);
  const spanIds = spans.map((s) => s.id);
  return {
    nodeCount: n,
    spanCount: m,
    nodeIds,
    spanIds,
    srlgIds,
    lat,
    lon,
    transit,
    spanA,
    spanZ,
    lengthKm,
    latencyUs,
    cost,
    slotCount,
    adjStart,
    adjNode,
    adjSpan,
    spanSrlgStart,
    spanSrlg: Int32Array.from(srlgOfSpan),
    nodeIndex: (id: string) => nodeMap.get(id) ?? -1,
    spanIndex: (id: string) => spanMap.get(id) ?? -1,
  };
}

/**
 * Build the compact graph of an inventory snapshot (latency measured or 4.9 µs/km; slots from the line
 * system; transit from each site's policy, so no search passes through an endpoint-only site).
 */
export function graphFromNetwork(net: Network): Graph {
  return buildGraph(
    net.sites.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon, transit: allowsTransit(s) })),
    net.spans.map((s) => ({
      id: s.id,
      aSiteId: s.aSiteId,
      zSiteId: s.zSiteId,
      lengthKm: s.lengthKm,
      latencyUs: spanLatencyUs(s),
      srlgIds: s.srlgIds,
      slotCount: s.lineSystem?.slotCount ?? 0,
    })),
  );
}

/** The node at the other end of span e from node v. */
export function otherEnd(g: Graph, e: number, v: number): number {
  return g.spanA[e] === v ? g.spanZ[e] : g.spanA[e];
}

/** Assemble a Path from its node and span sequences, summing the per-span figures. */
export function makePath(g: Graph, nodes: number[], spans: number[]): Path {
  let lengthKm = 0;
  let latencyUs = 0;
  let cost = 0;
  for (const e of spans) {
    lengthKm += g.lengthKm[e];
    latencyUs += g.latencyUs[e];
    cost += g.cost[e];
  }
  return { nodes, spans, lengthKm, latencyUs, hops: spans.length, cost };
}
