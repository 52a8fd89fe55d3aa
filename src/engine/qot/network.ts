/**
 * The optical network as GNPy sees it: a directed graph of elements (transceivers, ROADMs, fiber
 * spans, amplifiers, fused losses), each direction of a link being its own chain of elements.
 * Insertion order of elements and edges is kept: GNPy's design walks "the first successor".
 */
import type { Edfa } from './edfa.js';
import type { Fiber } from './fiber.js';
import type { Fused, Transceiver } from './passive.js';
import type { Roadm } from './roadm.js';

export type QotElement = Transceiver | Roadm | Fiber | Edfa | Fused;

export interface ElementLocation {
  latitude: number;
  longitude: number;
  city: string | null;
  region: string | null;
}

export class OpticalNetwork {
  readonly elements = new Map<string, QotElement>();
  readonly location = new Map<string, ElementLocation>();
  private readonly succ = new Map<string, string[]>();
  private readonly pred = new Map<string, string[]>();

  constructor(readonly name: string | null = null) {}

  add(el: QotElement, loc: ElementLocation): void {
    if (this.elements.has(el.uid)) throw new Error(`duplicate element uid ${JSON.stringify(el.uid)}`);
    this.elements.set(el.uid, el);
    this.location.set(el.uid, loc);
    this.succ.set(el.uid, []);
    this.pred.set(el.uid, []);
  }

  remove(uid: string): void {
    for (const s of this.successors(uid)) this.removeEdge(uid, s);
    for (const p of this.predecessors(uid)) this.removeEdge(p, uid);
    this.elements.delete(uid);
    this.location.delete(uid);
    this.succ.delete(uid);
    this.pred.delete(uid);
  }

  get(uid: string): QotElement {
    const el = this.elements.get(uid);
    if (el === undefined) throw new Error(`no element ${JSON.stringify(uid)}`);
    return el;
  }

  addEdge(from: string, to: string): void {
    const s = this.succ.get(from);
    const p = this.pred.get(to);
    if (s === undefined || p === undefined) throw new Error(`cannot connect ${from} → ${to}: unknown element`);
    if (s.includes(to)) return;
    s.push(to);
    p.push(from);
  }

  removeEdge(from: string, to: string): void {
    const s = this.succ.get(from);
    const p = this.pred.get(to);
    if (s) s.splice(s.indexOf(to) >>> 0, s.includes(to) ? 1 : 0);
    if (p) p.splice(p.indexOf(from) >>> 0, p.includes(from) ? 1 : 0);
  }

  successors(uid: string): string[] {
    return [...(this.succ.get(uid) ?? [])];
  }

  predecessors(uid: string): string[] {
    return [...(this.pred.get(uid) ?? [])];
  }

  /** Elements of one kind, in insertion order. */
  ofKind<K extends QotElement['kind']>(kind: K): Extract<QotElement, { kind: K }>[] {
    const out: Extract<QotElement, { kind: K }>[] = [];
    for (const el of this.elements.values()) if (el.kind === kind) out.push(el as Extract<QotElement, { kind: K }>);
    return out;
  }

  /** Edge weight for path search: a fiber's length in m, else 0.01 (GNPy network_from_json). */
  weight(from: string): number {
    const el = this.get(from);
    return el.kind === 'Fiber' ? el.params.lengthM : 0.01;
  }

  /** Shortest path by weight (Dijkstra), as element uids, or null. */
  shortestPath(source: string, target: string): string[] | null {
    const dist = new Map<string, number>([[source, 0]]);
    const prev = new Map<string, string>();
    const done = new Set<string>();
    // Small graphs (≤ thousands of elements): a linear scan for the minimum is enough and deterministic.
    const open = new Set<string>([source]);
    while (open.size > 0) {
      let u = '';
      let best = Infinity;
      for (const v of open) {
        const d = dist.get(v) ?? Infinity;
        if (d < best) {
          best = d;
          u = v;
        }
      }
      open.delete(u);
      if (u === target) break;
      done.add(u);
      const w = this.weight(u);
      for (const v of this.succ.get(u) ?? []) {
        if (done.has(v)) continue;
        const nd = best + w;
        if (nd < (dist.get(v) ?? Infinity)) {
          dist.set(v, nd);
          prev.set(v, u);
          open.add(v);
        }
      }
    }
    if (!dist.has(target)) return null;
    const path = [target];
    while (path[0] !== source) path.unshift(prev.get(path[0]) as string);
    return path;
  }
}
