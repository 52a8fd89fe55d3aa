/**
 * Shared building blocks for importers: readable stable ids, the defaults every imported site and
 * span gets when a format does not state them, and the issue/skip bookkeeping of one import.
 */
import { DEFAULT_LINE_SYSTEM, greatCircleKm, straightGeometry } from '../domain/network.js';
import type { Cable, Network, Site, Span } from '../domain/network.js';
import { validateNetwork } from '../domain/validate.js';
import { ImportError } from './errors.js';
import type { ImportIssue } from './errors.js';
import type { ImportFormat, ImportReport, ImportResult, SkippedItem } from './types.js';

/** Strands in the one cable an imported span gets when the file says nothing about cables (a common trunk size). */
export const DEFAULT_STRAND_COUNT = 144;

/**
 * Floor for a length derived from coordinates: topology files often geocode two PoPs in one city
 * to the same point, and a span must be longer than 0 km. 1 km stands for an intra-metro run.
 */
export const MIN_DERIVED_SPAN_KM = 1;

/** Readable id from a label: ASCII-folded, runs of other characters become "-", at most 64 characters. */
export function slugify(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** Hands out unique ids, preferring the caller's choice and falling back to a suffixed form. */
export class IdAllocator {
  private readonly used = new Set<string>();

  /** Returns preferred when free and non-empty, else fallback, else fallback with a counter. */
  take(preferred: string, fallback: string): string {
    for (const candidate of [preferred, fallback]) {
      if (candidate.length > 0 && !this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
    for (let k = 2; ; k++) {
      const candidate = `${fallback}-${k}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}

/** The cable an imported span gets when the file does not state one: 144 strands, none in use. */
export function defaultCables(spanId: string): Cable[] {
  return [{ id: `${spanId}-c1`, strandCount: DEFAULT_STRAND_COUNT, strandsInUse: 0 }];
}

/** A site as imported from a topology file: a PoP with no metro or cloud attributes. */
export function importedSite(id: string, name: string, lat: number, lon: number): Site {
  return { id, name, kind: 'pop', lat, lon, metro: null, cloudProvider: null, cloudRegion: null };
}

/**
 * A span as imported from a topology file: straight geometry, one default cable (defaultCables)
 * and DEFAULT_LINE_SYSTEM. Without a stated length it is the great-circle distance between the
 * sites, floored at MIN_DERIVED_SPAN_KM; no route factor is applied, so it is a lower bound.
 */
export function importedSpan(id: string, a: Site, z: Site, lengthKm: number | null): Span {
  const km = lengthKm ?? Math.max(MIN_DERIVED_SPAN_KM, greatCircleKm(a.lat, a.lon, z.lat, z.lon));
  return {
    id,
    aSiteId: a.id,
    zSiteId: z.id,
    lengthKm: km,
    measuredLatencyUs: null,
    geometry: straightGeometry(a, z),
    srlgIds: [],
    cables: defaultCables(id),
    lineSystem: { ...DEFAULT_LINE_SYSTEM },
  };
}

/** Key of an undirected site pair, for finding parallel spans. */
export function pairKey(a: string, z: string): string {
  return a < z ? `${a}\u0000${z}` : `${z}\u0000${a}`;
}

/** Line of each site, span and SRLG, for turning a validation path into a line. */
export interface ItemLines {
  sites: number[];
  spans: number[];
  srlgs: number[];
}

/** Line for a validation path such as "spans[3].lengthKm", by the item it names. */
export function lineOfPath(path: string, lines: ItemLines, fallback = 1): number {
  const m = /^(sites|spans|srlgs)\[(\d+)\]/.exec(path);
  if (m === null) return fallback;
  return lines[m[1] as keyof ItemLines][Number(m[2])] ?? fallback;
}

/** Bookkeeping for one import: issues that make it fail, items skipped or merged, warnings. */
export class ImportContext {
  readonly issues: ImportIssue[] = [];
  readonly skipped: SkippedItem[] = [];
  readonly merged: SkippedItem[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly file: string,
    readonly format: ImportFormat,
  ) {}

  /** Records a problem that makes the import fail. */
  error(line: number, field: string, message: string): void {
    this.issues.push({ file: this.file, line, field, message });
  }

  /** Throws the collected issues, if any. */
  throwIfIssues(): void {
    if (this.issues.length > 0) throw new ImportError(this.issues);
  }

  /**
   * Validates the network against the domain rules (issues mapped to lines, and to the file's own
   * field names when fieldOf is given), throws on any issue,
   * and otherwise returns the result with its report.
   */
  finish(
    network: Network,
    lines: ItemLines | ((path: string) => number),
    counts: { nodesInFile: number; edgesInFile: number },
    fieldOf: (path: string) => string = (path) => path,
  ): ImportResult {
    const lineOf = typeof lines === 'function' ? lines : (path: string) => lineOfPath(path, lines);
    for (const v of validateNetwork(network)) this.error(lineOf(v.path), fieldOf(v.path), v.message);
    this.throwIfIssues();
    const report: ImportReport = {
      file: this.file,
      format: this.format,
      nodesInFile: counts.nodesInFile,
      edgesInFile: counts.edgesInFile,
      sitesImported: network.sites.length,
      spansImported: network.spans.length,
      skipped: this.skipped,
      merged: this.merged,
      warnings: this.warnings,
    };
    return { network, report };
  }
}

/** Network name from the file name when the file names none: the base name without extension. */
export function nameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = base.replace(/\.[^.]*$/, '');
  return stem.length > 0 ? stem : base.length > 0 ? base : 'imported';
}
