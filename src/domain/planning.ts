/**
 * Inputs of capacity planning, as pure data: an SNDlib-style network design instance (nodes, links
 * with modular capacities and costs, demands) and a demand forecast (Gbps per site pair per period).
 * Parsers live in src/import; the models that use these live in src/engine/planning.
 */

/** A node of a design instance; coordinates as the file gives them (longitude, latitude or planar x, y). */
export interface DesignNode {
  id: string;
  x: number;
  y: number;
}

/** One capacity module a link can be equipped with (SNDlib: module capacity and module cost). */
export interface DesignModule {
  capacity: number;
  cost: number;
}

/** An undirected link of a design instance, as in an SNDlib LINKS entry. */
export interface DesignLink {
  id: string;
  source: string;
  target: string;
  /** Capacity already installed (free to use). */
  preinstalledCapacity: number;
  /** What the pre-installed capacity cost; sunk, so reported but not optimised. */
  preinstalledCapacityCost: number;
  /** Cost per unit of flow routed over the link. */
  routingCost: number;
  /** Fixed cost for using the link at all (fixed charge). */
  setupCost: number;
  modules: DesignModule[];
}

/** A demand of a design instance, as in an SNDlib DEMANDS entry. */
export interface DesignDemand {
  id: string;
  source: string;
  target: string;
  routingUnit: number;
  value: number;
  /** Hop limit; null for UNLIMITED. */
  maxPathLength: number | null;
}

/** A network design instance (SNDlib's network + demands). */
export interface DesignInstance {
  name: string;
  nodes: DesignNode[];
  links: DesignLink[];
  demands: DesignDemand[];
}

/** Protection classes a forecast demand can ask for. */
export const PROTECTION_CLASSES = ['none', '1+1'] as const;
export type ProtectionClass = (typeof PROTECTION_CLASSES)[number];

/**
 * One forecast row: traffic between two sites in one period (1-based; period 1 is the first
 * planned period, e.g. the first year). protection '1+1' asks for a working and a protection wave on
 * two SRLG-disjoint routes.
 */
export interface ForecastDemand {
  aSiteId: string;
  zSiteId: string;
  period: number;
  gbps: number;
  protection: ProtectionClass;
}
