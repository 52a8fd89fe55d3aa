/**
 * Shared building blocks for importers: readable stable ids, the defaults every imported site and
 * span gets when a format does not state them, and the issue/skip bookkeeping of one import.
 */
import { DEFAULT_LINE_SYSTEM, greatCircleKm, straightGeometry } from '../domain/network.js';
import type { Cable, Network, Site, Span } from '../domain/network.js';
import { validateNetwork } from '../domain/validate.js';
import { ImportError } from './errors.js';
import type { ImportIssue } from './errors.js';
import { MAX_REPORTED_ISSUES } from './limits.js';
import type { IssueSink } from './limits.js';
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

/**
 * Issues of one file that make its import fail. At most MAX_REPORTED_ISSUES are kept; the rest are
 * counted and reported as one last issue at the line of the first one left out.
 */
export class IssueList implements IssueSink {
  readonly issues: ImportIssue[] = [];
  private omitted = 0;
  private firstOmittedLine = 1;

  constructor(readonly file: string) {}

  /** Records a problem that makes the import fail. */
  error(line: number, field: string, message: string): void {
    if (this.issues.length < MAX_REPORTED_ISSUES) {
      this.issues.push({ file: this.file, line, field, message });
      return;
    }
    if (this.omitted === 0) this.firstOmittedLine = line;
    this.omitted++;
  }

  /** Throws the collected issues, if any. */
  throwIfIssues(): void {
    if (this.issues.length === 0) return;
    const listed = [...this.issues];
    if (this.omitted > 0) {
      listed.push({ file: this.file, line: this.firstOmittedLine, field: 'file', message: `${this.omitted} more problem(s) not listed` });
    }
    throw new ImportError(listed);
  }
}

/** What a file declares and what became of it, for refusing an import that would lose everything. */
export interface ContentCheck {
  sites: number;
  spans: number;
  nodesInFile: number;
  edgesInFile: number;
  /** The file's own words, singular and plural: ['node', 'nodes'], ['link', 'links'], ... */
  nodeNoun: readonly [string, string];
  edgeNoun: readonly [string, string];
  /** Line and field to blame: the first node (or 1 and the node list) and the first edge. */
  nodeLine: number;
  nodeField: string;
  edgeLine: number;
  edgeField: string;
}

/** "none of the 3 nodes can be imported", "the one node cannot be imported". */
function noneImported(n: number, [one, many]: readonly [string, string]): string {
  return n === 1 ? `the one ${one} cannot be imported` : `none of the ${n} ${many} can be imported`;
}

/** Bookkeeping for one import: issues that make it fail, items skipped or merged, warnings. */
export class ImportContext extends IssueList {
  readonly skipped: SkippedItem[] = [];
  readonly merged: SkippedItem[] = [];
  readonly warnings: string[] = [];

  constructor(
    file: string,
    readonly format: ImportFormat,
  ) {
    super(file);
  }

  /**
   * Refuses an import that would produce no site, or no span although the file declares edges:
   * imported with replace it would wipe the current network for nothing. Partial skips stay in
   * report.skipped / report.merged; only losing everything is refused. The message says why,
   * from the skip reasons recorded so far.
   */
  requireContent(c: ContentCheck): void {
    if (c.sites === 0) {
      if (c.nodesInFile === 0) this.error(c.nodeLine, c.nodeField, `the file declares no ${c.nodeNoun[1]}; nothing to import`);
      else this.error(c.nodeLine, c.nodeField, `${noneImported(c.nodesInFile, c.nodeNoun)} (${this.reasons(['node', 'site'])}); nothing to import`);
    } else if (c.spans === 0 && c.edgesInFile > 0) {
      this.error(c.edgeLine, c.edgeField, `${noneImported(c.edgesInFile, c.edgeNoun)} (${this.reasons(['edge', 'span', 'link'])}); nothing to import`);
    }
    this.throwIfIssues();
  }

  /**
   * Why items of these kinds were skipped: each distinct reason with its count when there are at
   * most 3, else the count and the first one ("9 skipped, e.g. line 12: source node 3 skipped ...").
   */
  private reasons(kinds: SkippedItem['kind'][]): string {
    const skipped = this.skipped.filter((s) => kinds.includes(s.kind));
    const byReason = new Map<string, number>();
    for (const s of skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
    const parts =
      byReason.size <= 3
        ? [...byReason].map(([reason, n]) => `${n} ${reason}`)
        : [`${skipped.length} skipped, e.g. line ${skipped[0].line}: ${skipped[0].reason}`];
    if (kinds.includes('edge') && this.merged.length > 0) parts.push(`${this.merged.length} merged`);
    return parts.length > 0 ? parts.join('; ') : 'see the other problems';
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
    // Parsers call requireContent with their own words first; this backstop keeps a new parser honest.
    this.requireContent({
      sites: network.sites.length, spans: network.spans.length, ...counts,
      nodeNoun: ['node', 'nodes'], edgeNoun: ['edge', 'edges'], nodeLine: 1, nodeField: 'file', edgeLine: 1, edgeField: 'file',
    });
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
