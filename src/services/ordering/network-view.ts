/**
 * The engine's compact graph of the inventory, built once per inventory version and shared by every
 * quote and order until an inventory write bumps the version.
 */
import type { Network, Site, Span } from '../../domain/network.js';
import { graphFromNetwork, type Graph } from '../../engine/index.js';
import type { Queryable } from '../../store/db.js';
import { inventoryVersion, loadNetwork } from '../../store/inventory.js';
import { failedSpanIds } from '../../store/failures.js';

/** An immutable snapshot of the network plus its graph. */
export interface NetworkView {
  version: number;
  network: Network;
  graph: Graph;
  sites: Map<string, Site>;
  /** Spans in graph index order. */
  spans: Span[];
  /** Largest slot count of any line system (the width of the spectrum grids). */
  maxSlots: number;
  /** Largest fiber-pair count of any line system (the number of spectrum layers). */
  maxFiberPairs: number;
  /** 1 for spans an unrepaired failure holds down (graph index order): no new circuit may use them. */
  failed: Uint8Array;
}

/** Builds a view from a network (exported for tests and benchmarks that skip the database). */
export function buildNetworkView(network: Network, version: number, failedSpans: readonly string[] = []): NetworkView {
  const graph = graphFromNetwork(network);
  const byId = new Map(network.spans.map((s) => [s.id, s]));
  const spans = graph.spanIds.map((id) => byId.get(id) as Span);
  let maxSlots = 1;
  let maxFiberPairs = 1;
  for (const s of spans) {
    if (s.lineSystem) {
      maxSlots = Math.max(maxSlots, s.lineSystem.slotCount);
      maxFiberPairs = Math.max(maxFiberPairs, s.lineSystem.fiberPairs);
    }
  }
  const failed = new Uint8Array(graph.spanCount);
  for (const id of failedSpans) {
    const e = graph.spanIndex(id);
    if (e >= 0) failed[e] = 1;
  }
  return { version, network, graph, sites: new Map(network.sites.map((s) => [s.id, s])), spans, maxSlots, maxFiberPairs, failed };
}

/** Caches the view per inventory version; one cheap meta read per call. */
export class NetworkViewCache {
  private view: NetworkView | null = null;
  private loading: { q: Queryable; version: number; promise: Promise<NetworkView> } | null = null;

  /** The current view, rebuilt when the stored inventory version moved. */
  async get(q: Queryable): Promise<NetworkView> {
    return this.at(q, await inventoryVersion(q));
  }

  /**
   * The cached view without a round trip (loaded once when there is none). Callers read the stored
   * version in their next statement anyway and come back through at() when it moved.
   */
  async cached(q: Queryable): Promise<NetworkView> {
    return this.view ?? this.get(q);
  }

  /** The view for a version the caller already read (saves a round trip). */
  async at(q: Queryable, version: number): Promise<NetworkView> {
    if (this.view && this.view.version === version) return this.view;
    // Concurrent callers share one rebuild instead of each loading the whole network, but only when
    // they ask for the same version through the same handle: a caller inside a transaction must never
    // wait for a load running outside it (on one connection, as with PGlite, that load would queue
    // behind the transaction for ever), and a load for another version is not this caller's view.
    const shared = this.loading;
    if (shared && shared.q === q && shared.version === version) return shared.promise;
    const promise = (async () => {
      // Cuts and repairs bump the inventory version too, so the failed set is as fresh as the network.
      const network = await loadNetwork(q);
      const v = buildNetworkView(network, version, await failedSpanIds(q));
      if (!this.view || this.view.version <= version) this.view = v;
      return v;
    })();
    const entry = { q, version, promise };
    this.loading = entry;
    try {
      return await promise;
    } finally {
      if (this.loading === entry) this.loading = null;
    }
  }

  /** Forget the cached view (after an inventory change made outside the version counter). */
  invalidate(): void {
    this.view = null;
  }
}
