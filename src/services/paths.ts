/**
 * Path queries over the stored network. The engine's compact graph is built once per inventory version
 * and reused by every query until the inventory changes.
 */
import { latencyLowerBoundUs, greatCircleKm, SITE_KINDS, type Network, type Site, type SiteKind } from '../domain/network.js';
import { MAX_LATENCY_BOUND_US } from '../domain/products.js';
import { LightpathError, notFound, validationFailed } from '../domain/errors.js';
import {
  diversePair,
  graphFromNetwork,
  kShortestPaths,
  reachWithin,
  type Graph,
  type Metric,
  type Path,
  type PathConstraints,
} from '../engine/index.js';
import type { InventoryService } from './inventory.js';

/** A path as the API shows it: ids in order, with its length and latency. */
export interface PathView {
  rank: number;
  siteIds: string[];
  spanIds: string[];
  lengthKm: number;
  latencyUs: number;
  hops: number;
}

export interface DiverseView {
  mode: 'link' | 'node' | 'srlg';
  status: 'found' | 'none' | 'gave-up';
  exact: boolean;
  detail: string;
  paths: PathView[];
}

export interface PathQuery {
  from: string;
  to: string;
  k?: number | undefined;
  metric?: Metric | undefined;
  maxLatencyUs?: number | undefined;
  maxHops?: number | undefined;
  avoidSrlgs?: string[] | undefined;
  avoidSites?: string[] | undefined;
  avoidSpans?: string[] | undefined;
  via?: string[] | undefined;
  diverse?: 'link' | 'node' | 'srlg' | undefined;
}

export interface PathAnswer {
  from: string;
  to: string;
  metric: Metric;
  greatCircleKm: number;
  /** Physics: a straight fiber between the endpoints at 4.9 µs/km. */
  lowerBoundLatencyUs: number;
  paths: PathView[];
  /** False when more paths may exist that the search did not reach (k-shortest capped). */
  complete: boolean;
  /** Spans left out because a failure holds them down. */
  failedSpansAvoided: string[];
  diverse: DiverseView | null;
}

/** A latency-catchment query: every site within maxLatencyUs of from (optionally of some kinds only). */
export interface ReachQuery {
  from: string;
  maxLatencyUs: number;
  kinds?: string[] | undefined;
}

/** A site within the budget, with its lowest-latency path from the source. */
export interface ReachedSiteView {
  siteId: string;
  kind: SiteKind;
  latencyUs: number;
  lengthKm: number;
  hops: number;
  siteIds: string[];
  spanIds: string[];
}

export interface ReachAnswer {
  from: string;
  maxLatencyUs: number;
  kinds: SiteKind[] | null;
  /** Nearest first. */
  sites: ReachedSiteView[];
  /** Every span on the listed sites' paths: the catchment as drawn on a map. */
  spanIds: string[];
  failedSpansAvoided: string[];
}

/** A network snapshot with its engine graph. */
export interface NetworkSnapshot {
  version: number;
  /** Spans an unrepaired failure holds down; paths avoid them. */
  failedSpans: string[];
  network: Network;
  graph: Graph;
  sites: Map<string, Site>;
}

export const MAX_K = 50;

/** Converts an engine path to its API view (full precision: the edges round by unit, src/domain/units.ts). */
export function pathView(g: Graph, p: Path, rank: number): PathView {
  return {
    rank,
    siteIds: p.nodes.map((n) => g.nodeIds[n]),
    spanIds: p.spans.map((e) => g.spanIds[e]),
    lengthKm: p.lengthKm,
    latencyUs: p.latencyUs,
    hops: p.hops,
  };
}

/** Path computation over the current inventory. */
export class PathService {
  private cached: NetworkSnapshot | null = null;
  private building: Promise<NetworkSnapshot> | null = null;

  constructor(private readonly inventory: InventoryService) {}

  /** The current network and its graph, rebuilt only when the inventory version moved. */
  async snapshot(): Promise<NetworkSnapshot> {
    const version = await this.inventory.version();
    if (this.cached && this.cached.version === version) return this.cached;
    if (!this.building) {
      this.building = (async () => {
        const network = await this.inventory.getNetwork();
        const snap: NetworkSnapshot = {
          version,
          failedSpans: await this.inventory.failedSpans(),
          network,
          graph: graphFromNetwork(network),
          sites: new Map(network.sites.map((s) => [s.id, s])),
        };
        this.cached = snap;
        return snap;
      })().finally(() => {
        this.building = null;
      });
    }
    return this.building;
  }

  /**
   * Latency catchment: every site reachable from `from` over the network within `maxLatencyUs` one way
   * (inclusive), nearest first, each with its lowest-latency path; failed spans are avoided. With
   * `kinds`, only sites of those kinds are listed (paths may still pass through any site).
   */
  async reach(q: ReachQuery): Promise<ReachAnswer> {
    const errors = [];
    if (!(typeof q.maxLatencyUs === 'number' && q.maxLatencyUs > 0 && q.maxLatencyUs <= MAX_LATENCY_BOUND_US)) {
      errors.push({ path: '/maxLatencyUs', message: `must be a number in (0, ${MAX_LATENCY_BOUND_US}]` });
    }
    const kinds = q.kinds && q.kinds.length > 0 ? [...new Set(q.kinds)] : null;
    const badKinds = (kinds ?? []).filter((k) => !(SITE_KINDS as readonly string[]).includes(k));
    if (badKinds.length > 0) errors.push({ path: '/kinds', message: `must be one of ${SITE_KINDS.join(', ')} (got ${badKinds.join(', ')})` });
    if (errors.length > 0) throw validationFailed('invalid reach query', errors);
    const snap = await this.snapshot();
    const { graph: g, sites } = snap;
    if (!sites.has(q.from)) throw notFound('site', q.from);
    const wanted = kinds ? new Set(kinds) : null;
    const out: ReachedSiteView[] = [];
    const spans = new Set<string>();
    for (const r of reachWithin(g, q.from, q.maxLatencyUs, snap.failedSpans.length ? { failedSpans: snap.failedSpans } : {})) {
      const site = sites.get(g.nodeIds[r.node]) as Site;
      if (wanted && !wanted.has(site.kind)) continue;
      const spanIds = r.path.spans.map((e) => g.spanIds[e]);
      for (const id of spanIds) spans.add(id);
      out.push({
        siteId: site.id,
        kind: site.kind,
        latencyUs: r.path.latencyUs,
        lengthKm: r.path.lengthKm,
        hops: r.path.hops,
        siteIds: r.path.nodes.map((n) => g.nodeIds[n]),
        spanIds,
      });
    }
    return { from: q.from, maxLatencyUs: q.maxLatencyUs, kinds: kinds as SiteKind[] | null, sites: out, spanIds: [...spans].sort(), failedSpansAvoided: snap.failedSpans };
  }

  /** k best paths (and optionally a diverse pair) between two sites. */
  async findPaths(q: PathQuery): Promise<PathAnswer> {
    const snap = await this.snapshot();
    const { graph: g, sites } = snap;
    const a = sites.get(q.from);
    const z = sites.get(q.to);
    if (!a) throw notFound('site', q.from);
    if (!z) throw notFound('site', q.to);
    if (q.from === q.to) throw validationFailed('from and to are the same site', [{ path: '/to', message: 'must differ from from' }]);
    const k = q.k ?? 3;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
      throw validationFailed('invalid k', [{ path: '/k', message: `must be an integer in [1, ${MAX_K}]` }]);
    }
    const unknown = [
      ...(q.avoidSrlgs ?? []).filter((id) => !g.srlgIds.includes(id)).map((id) => ({ path: '/avoidSrlgs', message: `unknown srlg ${id}` })),
      ...(q.avoidSites ?? []).filter((id) => !sites.has(id)).map((id) => ({ path: '/avoidSites', message: `unknown site ${id}` })),
      ...(q.avoidSpans ?? []).filter((id) => g.spanIndex(id) < 0).map((id) => ({ path: '/avoidSpans', message: `unknown span ${id}` })),
      ...(q.via ?? []).filter((id) => !sites.has(id)).map((id) => ({ path: '/via', message: `unknown site ${id}` })),
    ];
    if (unknown.length > 0) throw validationFailed('unknown ids in the query', unknown);

    const metric = q.metric ?? 'latency';
    const constraints: PathConstraints = {
      metric,
      ...(snap.failedSpans.length ? { failedSpans: snap.failedSpans } : {}),
      ...(q.maxLatencyUs !== undefined ? { maxLatencyUs: q.maxLatencyUs } : {}),
      ...(q.maxHops !== undefined ? { maxHops: q.maxHops } : {}),
      ...(q.avoidSrlgs?.length ? { avoidSrlgs: q.avoidSrlgs } : {}),
      ...(q.avoidSites?.length ? { avoidSites: q.avoidSites } : {}),
      ...(q.avoidSpans?.length ? { avoidSpans: q.avoidSpans } : {}),
      ...(q.via?.length ? { waypoints: q.via } : {}),
    };
    const ksp = kShortestPaths(g, q.from, q.to, k, constraints);
    let diverse: DiverseView | null = null;
    if (q.diverse) {
      if (q.maxLatencyUs !== undefined || q.maxHops !== undefined || q.via?.length) {
        throw new LightpathError('validation-failed', 'a diverse pair takes the metric and avoid lists only, not maxLatencyUs, maxHops or via');
      }
      const { maxLatencyUs: _l, maxHops: _h, waypoints: _w, ...masks } = constraints;
      const d = diversePair(g, q.from, q.to, masks, { disjointness: q.diverse });
      diverse =
        d.status === 'found'
          ? {
              mode: q.diverse,
              status: 'found',
              exact: d.exact,
              detail: d.exact
                ? `minimum-total-${metric} ${q.diverse}-disjoint pair`
                : `${q.diverse}-disjoint pair, verified disjoint; the search was capped so a better pair may exist`,
              paths: d.paths.map((p, i) => pathView(g, p, i + 1)),
            }
          : d.status === 'none'
            ? { mode: q.diverse, status: 'none', exact: true, detail: `no ${q.diverse}-disjoint pair of paths exists`, paths: [] }
            : { mode: q.diverse, status: 'gave-up', exact: false, detail: `search gave up after ${d.examined} candidates: ${d.reason}`, paths: [] };
    }
    const gcKm = greatCircleKm(a.lat, a.lon, z.lat, z.lon);
    return {
      from: q.from,
      to: q.to,
      metric,
      greatCircleKm: gcKm,
      lowerBoundLatencyUs: latencyLowerBoundUs(a, z),
      paths: ksp.paths.map((p, i) => pathView(g, p, i + 1)),
      complete: ksp.complete,
      failedSpansAvoided: snap.failedSpans,
      diverse,
    };
  }
}
