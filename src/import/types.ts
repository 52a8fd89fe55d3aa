/** Shapes of an import's result, shared by every format parser. */
import type { Network } from '../domain/network.js';

export type ImportFormat = 'gml' | 'sndlib' | 'n2p' | 'geojson' | 'json' | 'gnpy';

/** Something in the file that did not become a site or span, and why. */
export interface SkippedItem {
  line: number;
  kind: 'node' | 'edge' | 'site' | 'span' | 'link' | 'other';
  id: string;
  reason: string;
}

/** What the file declared and what became of it, so counts can be reconciled. */
export interface ImportReport {
  file: string;
  format: ImportFormat;
  /** Nodes (or sites) the file declares. */
  nodesInFile: number;
  /** Edges (or links, spans) the file declares. */
  edgesInFile: number;
  sitesImported: number;
  spansImported: number;
  /** Everything not imported, with the reason. */
  skipped: SkippedItem[];
  /** Edges folded into another span (duplicates, reverse directions of one fiber route). */
  merged: SkippedItem[];
  warnings: string[];
}

export interface ImportResult {
  network: Network;
  report: ImportReport;
}
