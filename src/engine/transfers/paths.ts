/**
 * Candidate paths for transfers from the path engine: the k shortest by latency (src/engine/paths.ts),
 * each span traversed in one direction becoming one link (a span's two directions are separate capacities,
 * as on any full-duplex line system).
 */
import type { PathConstraints, Ref } from '../constraints.js';
import type { Graph, Path } from '../graph.js';
import { kShortestPaths } from '../paths.js';
import type { TransferPath } from './types.js';

/** Link index of span e traversed away from node `from` (2e: a to z, 2e + 1: z to a). */
export function directedLink(g: Graph, e: number, from: number): number {
  return g.spanA[e] === from ? 2 * e : 2 * e + 1;
}

/** Link ids matching directedLink: `${spanId}>` (a to z) and `${spanId}<` (z to a). */
export function directedLinkIds(g: Graph): string[] {
  const ids: string[] = [];
  for (let e = 0; e < g.spanCount; e++) ids.push(`${g.spanIds[e]}>`, `${g.spanIds[e]}<`);
  return ids;
}

/** A graph path as the links it uses, priced per Gbit by the caller's rule. */
export function transferPath(g: Graph, p: Path, pricePerGbitMinor: (p: Path) => number, extraLinks: readonly number[] = []): TransferPath {
  const links = p.spans.map((e, i) => directedLink(g, e, p.nodes[i]));
  return {
    id: p.spans.map((e) => g.spanIds[e]).join(','),
    links: [...links, ...extraLinks],
    latencyUs: p.latencyUs,
    pricePerGbitMinor: pricePerGbitMinor(p),
  };
}

/** The k shortest paths by latency (or the constraints' metric) from a to z as transfer paths. */
export function candidatePaths(g: Graph, a: Ref, z: Ref, k: number, pricePerGbitMinor: (p: Path) => number, constraints: PathConstraints = {}): TransferPath[] {
  return kShortestPaths(g, a, z, k, constraints).paths.map((p) => transferPath(g, p, pricePerGbitMinor));
}
