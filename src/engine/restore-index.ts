/**
 * Reverse index from span to the circuits holding it, so the set a failure affects is found by looking up
 * the failed spans instead of scanning every circuit. Updated incrementally as circuits change paths.
 */

/** span index -> ids of the circuits with any held path on it. */
export class SpanIndex {
  private readonly bySpan = new Map<number, Set<string>>();
  private readonly byId = new Map<string, number[]>();

  /** Records (or replaces) the spans a circuit holds. */
  set(id: string, spans: Iterable<number>): void {
    this.remove(id);
    const list = [...new Set(spans)];
    this.byId.set(id, list);
    for (const e of list) {
      let s = this.bySpan.get(e);
      if (!s) {
        s = new Set();
        this.bySpan.set(e, s);
      }
      s.add(id);
    }
  }

  /** Forgets a circuit. */
  remove(id: string): void {
    const list = this.byId.get(id);
    if (!list) return;
    for (const e of list) {
      const s = this.bySpan.get(e);
      s?.delete(id);
      if (s && s.size === 0) this.bySpan.delete(e);
    }
    this.byId.delete(id);
  }

  /** Ids of circuits on any of the spans, sorted. */
  affected(spans: Iterable<number>): string[] {
    const out = new Set<string>();
    for (const e of spans) for (const id of this.bySpan.get(e) ?? []) out.add(id);
    return [...out].sort();
  }

  /** Number of circuits on one span. */
  count(span: number): number {
    return this.bySpan.get(span)?.size ?? 0;
  }

  /** Spans a circuit holds (empty when unknown). */
  spansOf(id: string): readonly number[] {
    return this.byId.get(id) ?? [];
  }

  /** Number of indexed circuits. */
  get size(): number {
    return this.byId.size;
  }
}
