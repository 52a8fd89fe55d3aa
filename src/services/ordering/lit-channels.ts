/**
 * The channels lit on each span during a window, as the QoT check needs them: every spectrum
 * allocation held in the window is a channel (lightpath id, transceiver mode, centre frequency, as the
 * planner wrote them on the allocation). The calendar passes the booking's window: [now, ∞) for a
 * booking from now on (what is held now or later), and for a window in the future or a bounded one the
 * allocations overlapping it.
 *
 * `LitChannels` keeps that state in memory for one network view: loaded from the store when the view
 * changes, then kept current from the occupancy log (the planning snapshot reads what changed after
 * the version it has, in the same statement), plus this process's own planned-but-unconfirmed waves,
 * so a quote costs no recomputation from scratch. Restoration and inventory re-checks build a fresh
 * state inside their transaction with `buildLitState`.
 */
import { transceiverMode } from '../../domain/transceiver-modes.js';
import { HeldIndex } from '../../engine/held-index.js';
import type { LightpathInput, LineState, LineSystemState } from '../../engine/qot/index.js';
import { thresholdDb, txOsnrOf } from '../../engine/wave.js';
import type { Queryable } from '../../store/db.js';
import { litChannelRows, type ChannelRow, type OccupancyDelta, type TimedRange } from '../../store/ordering.js';
import type { NetworkView } from './network-view.js';
import { emptyLineState } from './physics.js';

/** The time window lit channels are taken from (start and end in ms; null end = open). */
export interface LitWindow {
  fromMs: number;
  toMs: number | null;
}

/** The lightpath id a row belongs to: its own, or (older rows without one) its order, role, fiber pair and slots. */
export function lightpathIdOf(r: Pick<ChannelRow, 'channel' | 'orderId' | 'role' | 'sub' | 'lo' | 'hi'>): string {
  return r.channel?.l ?? `legacy:${r.orderId}:${r.role}:${r.sub}:${r.lo}:${r.hi}`;
}

/**
 * The lightpath a set of rows (one lightpath's spans) lights. A row without its mode is a channel of
 * the width it holds: baud rate = width / 1.2 (the OpenROADM catalog's channel width is 1.2 × baud),
 * no threshold (its receiver is unknown, so it is not judged, only counted as noise).
 */
export function lightpathOf(view: NetworkView, id: string, rows: readonly ChannelRow[]): LightpathInput | null {
  const spanIds = [...new Set(rows.map((r) => r.spanId))].filter((sid) => view.graph.spanIndex(sid) >= 0 && view.spans[view.graph.spanIndex(sid)].lineSystem !== null);
  if (spanIds.length === 0) return null;
  const first = rows[0];
  const ls = view.spans[view.graph.spanIndex(first.spanId)]?.lineSystem;
  const slotGhz = ls?.slotWidthGhz ?? 12.5;
  const f = first.channel?.f ?? (ls?.startFrequencyGhz ?? 191_300) + ((first.lo + first.hi) / 2) * slotGhz;
  const mode = first.channel ? transceiverMode(first.channel.m) : undefined;
  if (!mode) return { id, spanIds, frequencyHz: f * 1e9, baudRateHz: (((first.hi - first.lo) * slotGhz) / 1.2) * 1e9 };
  return { id, spanIds, frequencyHz: f * 1e9, baudRateHz: mode.baudRateGbd * 1e9, txOsnrDb: txOsnrOf(mode) };
}

/** Adds the CD/PMD threshold of its mode to a lightpath, from the state's span models. */
function withThreshold(state: LineSystemState, lp: LightpathInput, modeId: string | undefined): LightpathInput {
  const mode = modeId === undefined ? undefined : transceiverMode(modeId);
  if (!mode) return lp;
  let cd = 0;
  let pmd2 = 0;
  for (const sid of lp.spanIds) {
    const m = state.model(sid);
    cd += m.cdPsPerNm;
    pmd2 += m.pmdPs * m.pmdPs;
  }
  const th = thresholdDb(mode, cd, Math.sqrt(pmd2));
  return Number.isFinite(th) ? { ...lp, thresholdDb: th } : lp;
}

/**
 * A lightpath built from its rows, with its threshold and when it is lit (from the earliest of its
 * rows to the latest: they are written together, for one window), ready for a state.
 */
function lightpathIn(view: NetworkView, state: LineSystemState, id: string, rows: readonly ChannelRow[]): LightpathInput | null {
  const lp = lightpathOf(view, id, rows.filter((r) => state.hasSpan(r.spanId)));
  if (lp === null) return null;
  let fromMs = Infinity;
  let toMs: number | null = -Infinity;
  for (const r of rows) {
    fromMs = Math.min(fromMs, r.fromMs);
    toMs = toMs === null || r.untilMs === null ? null : Math.max(toMs, r.untilMs);
  }
  return withThreshold(state, { ...lp, during: { fromMs, toMs } }, rows[0].channel?.m);
}

/** True when a row holds spectrum at some instant of the window. */
function inWindow(r: ChannelRow, w: LitWindow): boolean {
  return r.live && (r.untilMs === null || r.untilMs > w.fromMs) && (w.toMs === null || r.fromMs < w.toMs);
}

/**
 * A fresh state of the view with every row (held during the window) lit, plus `extra` waves (this
 * process's in-flight ones) whose spans the state has.
 *
 * With `near` (the spans a plan may light waves on) only what a plan there can see is built: a new
 * wave's GSNR depends on the channels of its own spans, and each lit neighbour's new GSNR on the
 * channels of all of the neighbour's spans. So the state holds the near spans, every span of each
 * lightpath (or extra wave) touching them, and on each of those spans every channel lit on it (a
 * channel's lightpath is cut down to those spans, and lit untracked: only its noise on them matters,
 * so the NLI it suffers is never summed). evaluate() of a wave on near spans then equals the full
 * state's; building the full state costs two pair computations for every two channels sharing any
 * span of the network (bench:calendar, windowed quotes on a full calendar).
 */
export function buildLitState(view: NetworkView, rows: readonly ChannelRow[], window: LitWindow, near: ReadonlySet<string> | null = null, extra: readonly LightpathInput[] = []): LineSystemState {
  const byLp = new Map<string, ChannelRow[]>();
  for (const r of rows) {
    if (!inWindow(r, window)) continue;
    const id = lightpathIdOf(r);
    const list = byLp.get(id);
    if (list) list.push(r);
    else byLp.set(id, [r]);
  }
  let spans: Set<string> | null = null;
  if (near !== null) {
    spans = new Set(near);
    const within = spans;
    for (const list of byLp.values()) if (list.some((r) => near.has(r.spanId))) for (const r of list) within.add(r.spanId);
    // An extra wave touching the state is kept whole (it may be a neighbour): its spans join, until none is added.
    for (let grown = true; grown; ) {
      grown = false;
      for (const lp of extra) {
        if (!lp.spanIds.some((sid) => within.has(sid)) || lp.spanIds.every((sid) => within.has(sid))) continue;
        for (const sid of lp.spanIds) within.add(sid);
        grown = true;
      }
    }
  }
  const state = emptyLineState(view, spans);
  for (const [id, list] of byLp) {
    if (spans !== null && !list.some((r) => (spans as Set<string>).has(r.spanId))) continue;
    const lp = lightpathIn(view, state, id, list);
    // Off the near spans a channel is only noise to the lightpaths that can be neighbours: its own NLI is not summed.
    if (lp) state.add(lp, { tracked: near === null || list.some((r) => near.has(r.spanId)) });
  }
  for (const lp of extra) if (!state.has(lp.id) && lp.spanIds.every((sid) => state.hasSpan(sid))) state.add(lp, { tracked: near === null || lp.spanIds.some((sid) => near.has(sid)) });
  return state;
}

const DAY_MS = 86_400_000;

/**
 * Day buckets of each lightpath's NLI sum (LineSystemState.timeBuckets), from the day the state was
 * loaded: about four months, the horizon most bookings fall in (later ones share the last bucket).
 * Two arrays of this many numbers per lit lightpath: ~17 MB for the 8,000 of bench:calendar.
 */
const BOUND_BUCKETS = 130;

/** Occupancy-log entries kept behind the newest version before a reader prunes them. */
const LOG_KEEP = 50_000;

/** The lit channels of [now, ∞) for one network view, kept current (see the module comment). */
export class LitChannels {
  private view: NetworkView | null = null;
  private state: LineSystemState | null = null;
  /** Occupancy version the state reflects (−1: nothing loaded). */
  private version = -1;
  private readonly rows = new Map<number, ChannelRow>();
  private readonly byLp = new Map<string, Set<number>>();
  /**
   * The kept rows of each span, as the ranges heldOn returns (made once per row, kept by allocation
   * id), by when they are held: a quote on the filled calendar gets hundreds of ranges, and making
   * each on every call cost more than finding them.
   */
  private readonly bySpan = new Map<string, HeldIndex<TimedRange>>();
  private readonly ranges = new Map<number, TimedRange>();
  /** This process's planned waves not yet confirmed by the store: lightpath id → its input. */
  private readonly inflight = new Map<string, LightpathInput>();
  private nextExpiryMs = Infinity;
  private loading: { q: Queryable; view: NetworkView; promise: Promise<void> } | null = null;
  private prunedAt = 0;
  /** Loads and applied deltas, for the benchmark and tests. */
  readonly stats = { loads: 0, deltas: 0, deltaRows: 0, windowed: 0 };

  /** The version reads should ask for changes after (null when nothing is loaded). */
  since(view: NetworkView): number | null {
    return this.view === view && this.version >= 0 ? this.version : null;
  }

  /** Loads the view's state from the store unless it is already held (one statement). */
  async ready(q: Queryable, view: NetworkView): Promise<void> {
    if (this.view === view && this.state !== null) return;
    const shared = this.loading;
    if (shared && shared.q === q && shared.view === view) return shared.promise;
    const promise = (async () => {
      const r = await litChannelRows(q);
      this.install(view, r.version, r.rows, Date.parse(r.now));
    })();
    const entry = { q, view, promise };
    this.loading = entry;
    try {
      await promise;
    } finally {
      if (this.loading === entry) this.loading = null;
    }
  }

  /** Loads the view's state from the store again (the occupancy log no longer reached back). */
  async reload(q: Queryable, view: NetworkView): Promise<void> {
    if (this.view === view) this.state = null;
    await this.ready(q, view);
  }

  private install(view: NetworkView, version: number, rows: readonly ChannelRow[], nowMs: number): void {
    // A newer view may have been installed meanwhile; an older one never replaces it.
    if (this.view !== null && this.view !== view && this.view.version > view.version) return;
    const window = { fromMs: nowMs, toMs: null };
    const state = buildLitState(view, rows, window);
    this.rows.clear();
    this.byLp.clear();
    this.bySpan.clear();
    this.ranges.clear();
    this.nextExpiryMs = Infinity;
    for (const r of rows) if (inWindow(r, window)) this.keep(r);
    for (const [id, lp] of this.inflight) if (!state.has(id) && lp.spanIds.every((sid) => state.hasSpan(sid))) state.add(lp);
    // Every lit lightpath's NLI summed once here and kept current by each change after: windowed
    // quotes read them as bounds, and summing each on first use made a quote's first look at a route
    // several times slower than the next.
    state.timeBuckets({ fromMs: Math.floor(nowMs / DAY_MS) * DAY_MS, bucketMs: DAY_MS, count: BOUND_BUCKETS });
    state.sumNli();
    this.view = view;
    this.state = state;
    this.version = version;
    this.stats.loads++;
  }

  private keep(r: ChannelRow): void {
    this.rows.set(r.allocId, r);
    const id = lightpathIdOf(r);
    let set = this.byLp.get(id);
    if (!set) this.byLp.set(id, (set = new Set()));
    set.add(r.allocId);
    let onSpan = this.bySpan.get(r.spanId);
    if (!onSpan) this.bySpan.set(r.spanId, (onSpan = new HeldIndex<TimedRange>()));
    const range: TimedRange = { resourceId: r.spanId, sub: r.sub, lo: r.lo, hi: r.hi, fromMs: r.fromMs, toMs: r.untilMs };
    this.ranges.set(r.allocId, range);
    onSpan.add(range);
    if (r.untilMs !== null) this.nextExpiryMs = Math.min(this.nextExpiryMs, r.untilMs);
  }

  /** Forgets a kept row; returns its lightpath id. */
  private drop(r: ChannelRow): string {
    const id = lightpathIdOf(r);
    this.rows.delete(r.allocId);
    this.byLp.get(id)?.delete(r.allocId);
    const range = this.ranges.get(r.allocId);
    if (range !== undefined) {
      this.ranges.delete(r.allocId);
      this.bySpan.get(r.spanId)?.delete(range);
    }
    return id;
  }

  /**
   * Applies what changed after the held version (read in the planning snapshot). False when the log
   * no longer reaches back to it: the caller loads again.
   */
  apply(view: NetworkView, delta: OccupancyDelta | null, nowMs: number): boolean {
    if (this.view !== view || this.state === null || delta === null) return this.view === view && this.state !== null;
    if (delta.version > this.version && delta.minLogged !== null && delta.minLogged > this.version + 1) return false;
    const state = this.state;
    const touched = new Set<string>();
    for (const r of delta.rows) {
      const old = this.rows.get(r.allocId);
      if (old) touched.add(this.drop(old));
      if (inWindow(r, { fromMs: nowMs, toMs: null })) this.keep(r);
      touched.add(lightpathIdOf(r));
    }
    for (const a of delta.gone) {
      const old = this.rows.get(a);
      if (old) touched.add(this.drop(old));
    }
    if (nowMs >= this.nextExpiryMs) {
      // Held intervals that ended since: their channels went dark without a write.
      this.nextExpiryMs = Infinity;
      for (const r of this.rows.values()) {
        if (r.untilMs !== null && r.untilMs <= nowMs) touched.add(this.drop(r));
        else if (r.untilMs !== null) this.nextExpiryMs = Math.min(this.nextExpiryMs, r.untilMs);
      }
    }
    for (const id of touched) this.relight(view, state, id);
    if (delta.version > this.version) this.version = delta.version;
    this.stats.deltas++;
    this.stats.deltaRows += delta.rows.length;
    return true;
  }

  /** Lights a lightpath as its held rows say (or as this process planned it, until the store shows it). */
  private relight(view: NetworkView, state: LineSystemState, id: string): void {
    const ids = this.byLp.get(id);
    const rows = ids ? [...ids].map((a) => this.rows.get(a) as ChannelRow) : [];
    if (rows.length > 0) this.inflight.delete(id);
    const want = rows.length > 0 ? lightpathIn(view, state, id, rows) : (this.inflight.get(id) ?? null);
    const have = state.input(id);
    if (have && want && sameLightpath(have, want)) return;
    if (have) state.remove(id);
    if (want) {
      state.add(want);
      state.sumNli(want.id);
    }
    if (rows.length === 0 && ids) this.byLp.delete(id);
  }

  /** The state for planning on this view (plans light their waves in it tentatively). */
  stateOf(view: NetworkView): LineSystemState {
    if (this.view !== view || this.state === null) throw new Error('LitChannels.stateOf: the view is not loaded (call ready first)');
    return this.state;
  }

  /**
   * The state for planning during a window (the calendar's booking window; fromMs no earlier than now).
   * The held state is [now, ∞): when every channel it holds is lit at some instant of the window it is
   * exactly the window's state and is returned itself (the hot path: bookings from now on). Otherwise
   * (a window that ends before some booking starts, or starts after some booking ends) it is the held
   * state seen during the window (LineSystemState.during: only channels lit at some instant of it
   * count; nothing is rebuilt). This process's in-flight waves count whatever their window:
   * conservative, they are about to be written or dropped.
   */
  stateFor(view: NetworkView, window: LitWindow): LineState {
    const state = this.stateOf(view);
    let all = true;
    for (const r of this.rows.values()) {
      if (!inWindow(r, window)) {
        all = false;
        break;
      }
    }
    if (all) return state;
    this.stats.windowed++;
    return state.during(window);
  }

  /**
   * The spectrum held on these spans at some instant of the window (fromMs no earlier than the now
   * the state was last brought up to): what the planning snapshot reads from the allocations, here
   * from the rows kept, which are every spectrum allocation held now or later as of the occupancy
   * version applied. A quote that applied the delta read in its snapshot gets exactly what that
   * snapshot would have read, without the database scanning the allocations for it. Each range says
   * when it is held, as heldWithTimes reads it (availability sweeps over those instants).
   */
  heldOn(view: NetworkView, spanIds: readonly string[], window: LitWindow): TimedRange[] {
    if (this.view !== view || this.state === null) throw new Error('LitChannels.heldOn: the view is not loaded (call ready first)');
    const held: TimedRange[] = [];
    for (const sid of new Set(spanIds)) {
      // Rows are kept only while live (keep): each range found is held.
      this.bySpan.get(sid)?.collectIn(window.fromMs, window.toMs, held);
    }
    return held;
  }

  /** True when the state is loaded for this view. */
  holds(view: NetworkView): boolean {
    return this.view === view && this.state !== null;
  }

  /** Waves this process planned and is writing: they stay lit until the store shows them or the write fails. */
  hold(lps: readonly LightpathInput[]): void {
    for (const lp of lps) {
      this.inflight.set(lp.id, lp);
      const st = this.state;
      if (st === null || !lp.spanIds.every((sid) => st.hasSpan(sid))) continue;
      // Planned in a window of this state, it is lit there already, as a tentative wave: it stays.
      if (st.has(lp.id)) st.unscope(lp.id);
      else st.add(lp);
      st.sumNli(lp.id);
    }
  }

  /** A write finished: committed waves are now the store's; failed ones go dark. */
  settle(lps: readonly LightpathInput[], committed: boolean): void {
    for (const lp of lps) {
      if (!this.inflight.has(lp.id)) continue;
      this.inflight.delete(lp.id);
      if (!committed && this.state !== null && !this.byLp.has(lp.id)) this.state.remove(lp.id);
    }
  }

  /** This process's in-flight waves (a transaction's fresh state adds them). */
  inFlight(): LightpathInput[] {
    return [...this.inflight.values()];
  }

  /** Whether the occupancy log has grown enough behind the held version to prune (the caller runs pruneOccupancyLog). */
  pruneBelow(): number | null {
    if (this.version - this.prunedAt < LOG_KEEP * 2) return null;
    this.prunedAt = this.version - LOG_KEEP;
    return this.prunedAt;
  }

  /** Forget everything (tests). */
  reset(): void {
    this.view = null;
    this.state = null;
    this.version = -1;
    this.rows.clear();
    this.byLp.clear();
    this.bySpan.clear();
    this.ranges.clear();
    this.inflight.clear();
  }
}

function sameLightpath(a: LightpathInput, b: LightpathInput): boolean {
  return (
    a.frequencyHz === b.frequencyHz &&
    a.baudRateHz === b.baudRateHz &&
    a.spanIds.length === b.spanIds.length &&
    a.spanIds.every((s) => b.spanIds.includes(s)) &&
    a.during?.fromMs === b.during?.fromMs &&
    a.during?.toMs === b.during?.toMs
  );
}
