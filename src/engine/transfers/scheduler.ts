/**
 * Online admission of bulk transfers with re-optimisation (Amoeba-style), cuts, and the answers a refusal
 * owes the customer (most volume by the deadline, earliest feasible deadline).
 *
 * Admitting a request:
 * 1. fit: an LP over the new transfer alone on the capacity nobody holds (everything admitted stays put);
 * 2. if it does not fit, re-optimise: one LP over every admitted transfer's not-yet-started slots plus the
 *    new one, each admitted transfer required to deliver what it still owes by its deadline at no more than
 *    the price it was quoted; slots before `now` are history and never change. Its relaxation on 4-slot blocks
 *    runs first: when that is infeasible the request is refused without the full LP;
 * 3. an LP that proves infeasibility refuses; a model too large for the column budget, or a solve that hits
 *    its iteration/time limit or fails, falls back to greedy placement on the free capacity (nothing moves).
 * Every plan is rounded to whole quanta and checked exactly before it is committed; a plan that fails the
 * check is never booked (the greedy path answers instead). So an admitted transfer's guarantee (its volume
 * by its deadline, at most its quoted price) survives every later admission.
 *
 * State is explicit and deterministic: the same calls in the same order give the same schedules (LP limits
 * are iteration counts; a wall-clock limit is optional). The warm start (the last re-optimisation's basis,
 * keyed by transfer/path/slot) only changes how fast the LP solves, never what is admitted... up to ties
 * between equally cheap optima, which the basis may break differently.
 */
import { buildLp, COL_RATE, rateValuesToGbps, withIntegerRates, type BuiltLp, type LpItem, type LpScope, type WaveMode } from './formulation.js';
import { greedyPlace } from './greedy.js';
import type { LpBasis, LpSolver } from './lp.js';
import { checkIntegerPlan, litAfter, quantize, quantizeWithMargin, type IntegerPlan } from './quantize.js';
import { linkHoldsOf, scheduleOf, waveHoldsOf } from './schedule.js';
import { applyUsage, Calendar, deliveredQ, priceOf, toQuanta, type NormRequest, type Plan } from './state.js';
import type { AdmissionResult, CutResult, LinkHold, SolveInfo, SolvedBy, TransferNetwork, TransferRequest, TransferSchedule, WaveHold } from './types.js';

export interface SchedulerOptions {
  /** 'on-conflict' (default): move admitted transfers only when the new one does not fit around them. */
  reoptimize?: 'on-conflict' | 'always' | 'never';
  /** Compute most-volume and earliest-deadline for refusals (default true; each costs a few more solves). */
  explainRefusals?: boolean;
  /** Cost of the last slot of the planning span relative to the first (default 0.1: prefer early). */
  earliness?: number;
  /** Largest LP (columns) tried before falling back to greedy (default 400,000). */
  maxLpColumns?: number;
  /** Simplex iterations per solve (default 200,000): the deterministic time budget. */
  iterationLimit?: number;
  /** Optional wall-clock limit per solve, seconds (not deterministic). */
  timeLimitSeconds?: number;
  /** Branch-and-bound nodes per MILP (waves, cuts; default 2,000). */
  mipNodeLimit?: number;
  /** Warm-start re-optimisations from the last basis (default true). */
  warmStart?: boolean;
  /** Light waves on free spectrum when the network offers them (default true). */
  useWaves?: boolean;
  /**
   * Before the per-slot re-optimisation, try its relaxation on blocks of this many slots (default 4; 1 =
   * off): each block's capacity is the sum of its slots', a quarter of the rows and columns. Infeasible
   * there proves infeasible per slot, so most refusals are decided at a fraction of the cost.
   */
  timeBlockSlots?: number;
  /**
   * Incremental re-optimisation: move at most this many admitted transfers per admission (default: all).
   * The ones moved are those holding the most capacity on the new request's candidate links inside its
   * window (they are what stands in its way); every other transfer stays as it is (its holds count as
   * used). The LP then has at most (limit + 1) x paths x slots columns whatever the number of active
   * transfers, which bounds the solve time by design; the guarantee is unchanged (fixed transfers keep
   * their schedules, moved ones are required rows as before). It may admit less than moving everyone.
   */
  maxMovedTransfers?: number;
}

type ScopeOutcome =
  | { ok: true; plan: IntegerPlan; info: SolveInfo; scope: LpScope }
  | { ok: false; status: 'infeasible' | 'limit' | 'error' | 'rounding' | 'size'; info: SolveInfo; detail: string };

const DEFAULTS = { earliness: 0.1, maxLpColumns: 400_000, iterationLimit: 200_000, mipNodeLimit: 2_000, timeBlockSlots: 4 };

type BasisCache = { cols: Map<number, number>; rows: Map<number, number> };

export class TransferScheduler {
  readonly cal: Calendar;
  private readonly plans = new Map<string, Plan>();
  private serial = 0;
  private lastNow = 0;
  /** Last optimal basis per kind of model (per slot, restricted blocks, relaxed blocks), for warm starts. */
  private readonly bases = new Map<string, BasisCache>();
  private readonly opt: Required<Omit<SchedulerOptions, 'timeLimitSeconds' | 'maxMovedTransfers'>> & { timeLimitSeconds?: number; maxMovedTransfers?: number };

  constructor(
    network: TransferNetwork,
    private readonly solver: LpSolver,
    options: SchedulerOptions = {},
  ) {
    this.cal = new Calendar(network);
    this.opt = {
      reoptimize: options.reoptimize ?? 'on-conflict',
      explainRefusals: options.explainRefusals ?? true,
      earliness: options.earliness ?? DEFAULTS.earliness,
      maxLpColumns: options.maxLpColumns ?? DEFAULTS.maxLpColumns,
      iterationLimit: options.iterationLimit ?? DEFAULTS.iterationLimit,
      mipNodeLimit: options.mipNodeLimit ?? DEFAULTS.mipNodeLimit,
      ...(options.maxMovedTransfers !== undefined ? { maxMovedTransfers: options.maxMovedTransfers } : {}),
      warmStart: options.warmStart ?? true,
      useWaves: options.useWaves ?? true,
      timeBlockSlots: options.timeBlockSlots ?? DEFAULTS.timeBlockSlots,
      ...(options.timeLimitSeconds !== undefined ? { timeLimitSeconds: options.timeLimitSeconds } : {}),
    };
  }

  /** Transfers admitted so far (in admission order). */
  ids(): string[] {
    return [...this.plans.keys()];
  }

  schedule(id: string): TransferSchedule | undefined {
    const p = this.plans.get(id);
    return p ? scheduleOf(this.cal, p) : undefined;
  }

  schedules(): TransferSchedule[] {
    return [...this.plans.values()].map((p) => scheduleOf(this.cal, p));
  }

  /** The price quoted at admission (minor units): re-optimisation never makes the schedule cost more. */
  promisedPrice(id: string): number | undefined {
    return this.plans.get(id)?.quoted;
  }

  /** Capacity a transfer holds per link from `fromSlot` on (the calendar allocations to write). */
  linkHolds(id: string, fromSlot = 0): LinkHold[] {
    const p = this.plans.get(id);
    return p ? linkHoldsOf(this.cal, p, fromSlot) : [];
  }

  /** Waves lit for transfers from `fromSlot` on (their spectrum is held for the whole run). */
  waveHolds(fromSlot = 0): WaveHold[] {
    return waveHoldsOf(this.cal, fromSlot);
  }

  /** Transfers with volume still to deliver at or after `now`. */
  activeCount(now: number): number {
    let n = 0;
    for (const p of this.plans.values()) if (p.end > now && deliveredQ(p, now) > 0) n++;
    return n;
  }

  /** Try to admit a request arriving when slots before `now` have started (they are history). */
  admit(request: TransferRequest, now: number): AdmissionResult {
    this.checkNow(now);
    if (this.plans.has(request.id)) throw new RangeError(`transfer ${request.id}: already admitted`);
    const req = this.cal.normalize(request);
    const from = Math.max(now, req.earliest);
    const none: SolveInfo = { solvedBy: 'lp-fit', columns: 0, rows: 0, iterations: 0 };
    if (from >= req.deadline) return this.refuse(req, now, none, true, false);

    let fitInfo: SolveInfo | null = null;
    if (this.opt.reoptimize !== 'always') {
      const fit = this.solveScope(this.fitScope(req, now, req.deadline, 'required'), 'lp-fit', false);
      if (fit.ok) return this.commitNew(req, now, fit, []);
      fitInfo = fit.info;
      if (this.opt.reoptimize === 'never') {
        if (fit.status === 'infeasible') return this.refuse(req, now, fit.info, true, false);
        return this.greedyAdmit(req, now, fit.info, `fit LP: ${fit.detail}`);
      }
    }
    const scope = this.reoptScope(req, now, req.deadline, 'required');
    const size = estimateColumns(scope);
    if (size > this.opt.maxLpColumns) {
      return this.greedyAdmit(req, now, fitInfo ?? none, `re-optimisation LP would have ${size} columns (budget ${this.opt.maxLpColumns})`);
    }
    if (this.opt.timeBlockSlots > 1 && !this.wavesOn()) {
      const G = this.opt.timeBlockSlots;
      const relaxed = this.solveScope({ ...scope, blocks: { size: G } }, 'lp-reoptimized', this.opt.warmStart, false, true);
      if (!relaxed.ok && relaxed.status === 'infeasible') return this.refuse(req, now, relaxed.info, true, true);
    }
    const out = this.solveScope(scope, 'lp-reoptimized', this.opt.warmStart);
    if (out.ok) return this.commitScope(req, now, out);
    if (out.status === 'infeasible') return this.refuse(req, now, out.info, true, true);
    // The LP ran out of budget (or failed): re-plan greedily in deadline order instead.
    const edf = this.wavesOn() ? null : this.edfReplan(scope);
    if (edf) return this.commitScope(req, now, { ...edf, info: { ...out.info, solvedBy: 'greedy', fallbackReason: `re-optimisation LP: ${out.detail}; EDF re-plan answered` } });
    return this.greedyAdmit(req, now, out.info, `re-optimisation LP: ${out.detail}`);
  }

  /**
   * Greedy re-optimisation (the fallback when the LP is out of budget): every transfer of the scope, the
   * new one included, placed again in deadline order, earliest slot first, cheapest path first, each at no
   * more than its price budget. Null when one does not fit (then nothing changes).
   */
  private edfReplan(scope: LpScope): Extract<ScopeOutcome, { ok: true }> | null {
    const usage = (scope.fixedUsageQ ?? this.cal.usageQ).slice();
    const order = scope.items.map((_, i) => i).sort((a, b) => scope.items[a].to - scope.items[b].to || scope.items[a].key - scope.items[b].key);
    const rates: Float64Array[] = new Array(scope.items.length);
    for (const i of order) {
      const it = scope.items[i];
      const byPrice = it.req.paths.map((_, p) => p).sort((a, b) => it.req.paths[a].priceRate - it.req.paths[b].priceRate || a - b);
      const r = greedyPlace(this.cal, it.req, it.from, it.to, it.needQ, usage, this.cal.lit, byPrice);
      if (!r) return null;
      const K = it.req.paths.length;
      for (let k = 0; k < r.length; k++) {
        if (r[k] === 0) continue;
        const path = it.req.paths[k % K];
        const t = it.from + Math.floor(k / K);
        for (let j = 0; j < path.links.length; j++) usage[path.links[j] * this.cal.H + t] += r[k] * path.coef[j];
      }
      rates[i] = r;
    }
    const plan: IntegerPlan = { rates, lit: this.cal.lit.slice() };
    // The same exact check as every LP plan: volumes, capacity, rate caps, price budgets.
    if (checkIntegerPlan(scope, plan)) return null;
    return { ok: true, plan, info: { solvedBy: 'greedy', columns: 0, rows: 0, iterations: 0 }, scope };
  }

  /**
   * What a refusal tells the customer, computed on demand (nothing is booked): the most volume that fits
   * by the requested deadline and the earliest deadline by which all of it fits, with the admitted
   * transfers moved as re-optimisation may move them (only around them when re-optimisation is off).
   */
  explainRefusal(request: TransferRequest, now: number): { mostVolumeGbit: number | null; earliestDeadlineSlot: number | null } {
    this.checkNow(now);
    const req = this.cal.normalize(request);
    const reopt = this.opt.reoptimize !== 'never';
    return { mostVolumeGbit: this.mostVolume(req, now, reopt), earliestDeadlineSlot: this.earliestDeadline(req, now, reopt, Math.max(now, req.earliest)) };
  }

  /**
   * Capacity lost from `fromSlot` on: the links' free capacity drops to `remainingGbps` (default 0) and
   * waves holding the listed spectrum go dark. Re-plans the transfers that used what was lost; reports
   * those that can no longer make their deadline, with a plan and ETA as early as the rest allows.
   */
  cut(links: readonly number[], fromSlot: number, now: number, options: { spectrum?: readonly number[]; remainingGbps?: number } = {}): CutResult {
    this.checkNow(now);
    const cal = this.cal;
    const H = cal.H;
    const start = Math.max(fromSlot, now);
    const remainingQ = toQuanta(options.remainingGbps ?? 0, cal.q);
    const lost = new Set<number>();
    for (const e of links) {
      if (!Number.isInteger(e) || e < 0 || e >= cal.R) throw new RangeError(`cut: unknown link index ${e}`);
      lost.add(e);
      for (let t = Math.max(0, fromSlot); t < H; t++) cal.linkFreeQ[e * H + t] = Math.min(cal.linkFreeQ[e * H + t], remainingQ);
    }
    for (const s of options.spectrum ?? []) {
      if (!Number.isInteger(s) || s < 0 || s >= cal.S) throw new RangeError(`cut: unknown spectrum index ${s}`);
      for (let t = Math.max(0, fromSlot); t < H; t++) cal.spectrumFree[s * H + t] = 0;
      cal.waves.forEach((w, i) => {
        if (!w.holdSpectrum.includes(s)) return;
        for (let t = start; t < H; t++) cal.lit[i * H + t] = 0;
        for (const e of w.carries) lost.add(e);
      });
    }
    // Affected: transfers with traffic on a link that lost capacity, in a slot not yet started.
    const affected: Plan[] = [];
    for (const p of this.plans.values()) {
      if (p.end <= start) continue;
      const K = p.req.paths.length;
      let hit = false;
      for (let t = start; t < p.end && !hit; t++) {
        for (let k = 0; k < K && !hit; k++) {
          if (p.rates[(t - p.req.earliest) * K + k] === 0) continue;
          for (const e of p.req.paths[k].links) if (lost.has(e)) hit = true;
        }
      }
      if (hit) affected.push(p);
    }
    const ids = affected.map((p) => p.req.id);
    const empty: CutResult = { affected: ids, replanned: [], late: [], solve: { solvedBy: 'lp-reoptimized', columns: 0, rows: 0, iterations: 0 } };
    if (affected.length === 0) return empty;

    // Others keep their slots: their usage is fixed.
    const fixed = cal.usageQ.slice();
    for (const p of affected) subtractUsage(cal, fixed, p, now);
    const waveMode: WaveMode = this.wavesOn() ? 'additional' : 'fixed';
    const item = (p: Plan, mode: LpItem['mode'], to: number, urgency?: number): LpItem => ({
      key: p.serial,
      req: p.req,
      from: Math.max(now, p.req.earliest),
      to,
      needQ: p.req.needQ - deliveredQ(p, p.req.earliest, now),
      budget: Infinity,
      mode,
      ...(urgency !== undefined ? { urgency } : {}),
    });
    const scopeOf = (items: LpItem[], objective: LpScope['objective']): LpScope => ({
      cal,
      now,
      items,
      fixedUsageQ: fixed,
      waveMode,
      integerWaves: true,
      objective,
      earliness: this.opt.earliness,
    });

    // A. Everyone still on time?
    const all = this.solveScope(scopeOf(affected.map((p) => item(p, 'required', p.end)), 'cost'), 'lp-reoptimized', false);
    if (all.ok) {
      const replanned = this.commitPlans(affected, all, now);
      return { affected: ids, replanned, late: [], solve: all.info };
    }
    // B. Most volume on time: admit binaries (a MILP over the affected transfers only).
    const pick = this.solveScope(scopeOf(affected.map((p) => item(p, 'optional', p.end)), 'max-admitted'), 'milp', false, true);
    const onTime = new Set<number>();
    if (pick.ok) {
      pick.plan.rates.forEach((r, i) => {
        if (sum(r) >= affected[i].req.needQ - deliveredQ(affected[i], affected[i].req.earliest, now)) onTime.add(i);
      });
    }
    // C. On-time ones by their deadline; late ones, in deadline order, each by the earliest end that
    //    still fits (bisection; the ones before it held to theirs); those that cannot finish within the
    //    horizon deliver what they can.
    const end = affected.map((p, i) => (onTime.has(i) ? p.end : -1));
    const lateOrder = affected.map((_, i) => i).filter((i) => !onTime.has(i));
    lateOrder.sort((a, b) => affected[a].req.deadline - affected[b].req.deadline || affected[a].serial - affected[b].serial);
    const itemsWith = (extra: number, extraEnd: number): LpItem[] =>
      affected.flatMap((p, i) => (i === extra ? [item(p, 'required', extraEnd)] : end[i] > 0 ? [item(p, 'required', end[i])] : []));
    const fitsBy = (i: number, e: number): boolean => this.solveScope(scopeOf(itemsWith(i, e), 'cost'), 'lp-reoptimized', false).ok;
    for (const i of lateOrder) {
      if (!fitsBy(i, H)) continue;
      let lo = affected[i].req.deadline;
      let hi = H;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (fitsBy(i, mid)) hi = mid;
        else lo = mid;
      }
      end[i] = hi;
    }
    const finalItems = affected.map((p, i) => (end[i] > 0 ? item(p, 'required', end[i]) : item(p, 'elastic', H)));
    const anyElastic = end.some((e) => e < 0);
    const plan = this.solveScope(scopeOf(finalItems, anyElastic ? 'max-volume' : 'cost'), 'lp-reoptimized', false);
    if (!plan.ok) return { ...empty, solve: plan.info };
    const changed = new Set(this.commitPlans(affected, plan, now).map((x) => x.id));
    const result: CutResult = { affected: ids, replanned: [], late: [], solve: { ...plan.info, solvedBy: pick.ok ? 'milp' : plan.info.solvedBy } };
    for (const p of affected) {
      const complete = deliveredQ(p) >= p.req.needQ;
      const s = scheduleOf(cal, p);
      if (complete && s.completionSlot <= p.req.deadline) {
        // Planned on time (possibly the same slots as before, if only others had to move).
        p.end = Math.max(p.req.deadline, Math.min(p.end, s.completionSlot));
        if (changed.has(p.req.id)) result.replanned.push(s);
        continue;
      }
      // Late: from now on it is held to its new plan's completion instead of its deadline.
      p.late = true;
      if (complete) p.end = Math.max(p.req.deadline, s.completionSlot);
      result.late.push({
        id: p.req.id,
        etaSlot: complete ? s.completionSlot : null,
        schedule: s,
        deliveredByDeadlineGbit: deliveredQ(p, p.req.earliest, p.req.deadline) * cal.q * cal.slotSeconds,
      });
    }
    return result;
  }

  /**
   * Take back an admitted transfer from the store (the service rebuilds the scheduler for each decision):
   * its request (the volume still owed from `earliestSlot` on), its rates per slot and path (whole quanta),
   * the price quoted for those slots (the customer's quote less what slots before them cost: re-planning
   * may use up to it), and whether a cut already made it late (then `endSlot` is its new end).
   * Throws RangeError when the rates are not whole quanta, leave the window, do not deliver the volume
   * (unless late) or do not fit the free capacity with the transfers restored before it: the store's
   * state must be a valid set of promises, or nothing can be guaranteed on top of it.
   */
  restore(request: TransferRequest, entries: readonly { slot: number; path: number; rateGbps: number }[], quotedPriceMinor: number, options: { late?: boolean; endSlot?: number } = {}): TransferSchedule {
    if (this.plans.has(request.id)) throw new RangeError(`transfer ${request.id}: already admitted`);
    const req = this.cal.normalize(request);
    const plan = this.newPlan(req);
    const end = Math.max(req.deadline, options.endSlot ?? 0);
    if (end > this.cal.H) throw new RangeError(`transfer ${req.id}: end slot ${end} is beyond the horizon (${this.cal.H})`);
    if (end > plan.end) extendPlan(plan, end);
    const K = req.paths.length;
    for (const e of entries) {
      if (!Number.isInteger(e.slot) || e.slot < req.earliest || e.slot >= plan.end) throw new RangeError(`transfer ${req.id}: slot ${e.slot} outside its window [${req.earliest}, ${plan.end})`);
      if (!Number.isInteger(e.path) || e.path < 0 || e.path >= K) throw new RangeError(`transfer ${req.id}: unknown path index ${e.path}`);
      const r = e.rateGbps / this.cal.q;
      if (!(r >= 0) || Math.abs(r - Math.round(r)) > 1e-9 * Math.max(1, r)) throw new RangeError(`transfer ${req.id}: rate ${e.rateGbps} Gbps is not a whole number of ${this.cal.q} Gbps quanta`);
      plan.rates[(e.slot - req.earliest) * K + e.path] += Math.round(r);
    }
    plan.late = options.late ?? false;
    if (!plan.late && deliveredQ(plan) < req.needQ) throw new RangeError(`transfer ${req.id}: its slots deliver less than the volume it owes`);
    if (plan.late) plan.end = Math.max(req.deadline, scheduleOf(this.cal, plan).completionSlot);
    applyUsage(this.cal, plan, 1);
    for (let t = req.earliest; t < plan.end; t++) {
      for (const path of req.paths) {
        for (const e of path.links) {
          if (this.cal.usageQ[e * this.cal.H + t] > this.cal.linkCapacityQ(e, t)) {
            applyUsage(this.cal, plan, -1);
            throw new RangeError(`transfer ${req.id}: link ${this.cal.linkIds[e]} over its free capacity in slot ${t}`);
          }
        }
      }
    }
    // The quote covers the slots restored (entries from the request's earliest slot on): a cut may have
    // raised their price past it, then that is the cap.
    plan.quoted = Math.max(quotedPriceMinor, priceOf(plan));
    plan.budget = plan.quoted;
    this.plans.set(req.id, plan);
    return scheduleOf(this.cal, plan);
  }

  /** Cancel a transfer: its slots from `now` on are released (the past stays as history). */
  release(id: string, now: number): void {
    this.checkNow(now);
    const p = this.plans.get(id);
    if (!p) return;
    applyUsage(this.cal, p, -1, now);
    const K = p.req.paths.length;
    for (let t = Math.max(now, p.req.earliest); t < p.end; t++) for (let k = 0; k < K; k++) p.rates[(t - p.req.earliest) * K + k] = 0;
  }

  // ---------------------------------------------------------------------------------------------------

  private checkNow(now: number): void {
    if (!Number.isInteger(now) || now < 0 || now > this.cal.H) throw new RangeError(`now must be an integer slot in [0, ${this.cal.H}], got ${now}`);
    // Slots before a `now` already seen have started; going back would let a plan change history.
    if (now < this.lastNow) throw new RangeError(`now went back from slot ${this.lastNow} to ${now}`);
    this.lastNow = now;
  }

  private wavesOn(): boolean {
    return this.opt.useWaves && this.cal.W > 0;
  }

  /** The new transfer alone on what nobody holds (today's lit waves stay, more may be lit). */
  private fitScope(req: NormRequest, now: number, to: number, mode: LpItem['mode']): LpScope {
    return {
      cal: this.cal,
      now,
      items: [{ key: this.serial, req, from: Math.max(now, req.earliest), to, needQ: req.needQ, budget: Infinity, mode }],
      fixedUsageQ: this.cal.usageQ,
      waveMode: this.wavesOn() ? 'additional' : 'fixed',
      integerWaves: true,
      objective: mode === 'elastic' ? 'max-volume' : 'cost',
      earliness: this.opt.earliness,
    };
  }

  /** Every transfer with volume still owed, from `now` on, plus the new one last. */
  private reoptScope(req: NormRequest, now: number, to: number, mode: LpItem['mode']): LpScope {
    const items: LpItem[] = [];
    const fixed = this.cal.usageQ.slice();
    const movable = this.movable(req, now, to);
    for (const p of this.plans.values()) {
      const owed = p.req.needQ - deliveredQ(p, p.req.earliest, now);
      if (owed <= 0 || p.end <= now) continue;
      if (movable && !movable.has(p.serial)) continue;
      subtractUsage(this.cal, fixed, p, now);
      items.push({
        key: p.serial,
        req: p.req,
        from: Math.max(now, p.req.earliest),
        to: p.end,
        needQ: owed,
        budget: p.budget - priceOf(p, p.req.earliest, now),
        mode: 'required',
      });
    }
    items.push({ key: this.serial, req, from: Math.max(now, req.earliest), to, needQ: req.needQ, budget: Infinity, mode });
    return {
      cal: this.cal,
      now,
      items,
      fixedUsageQ: fixed,
      // Waves already lit stay lit; the new transfer may light more (options on its paths only).
      waveMode: this.wavesOn() ? 'additional' : 'fixed',
      waveItems: [items.length - 1],
      integerWaves: true,
      objective: mode === 'elastic' ? 'max-volume' : 'cost',
      earliness: this.opt.earliness,
    };
  }

  /**
   * The admitted transfers an incremental re-optimisation may move (null: all): the `maxMovedTransfers`
   * holding the most quanta-slots on the new request's candidate links within [max(now, earliest), to),
   * ties by admission order (deterministic). Ones holding nothing there cannot make room and stay.
   */
  private movable(req: NormRequest, now: number, to: number): Set<number> | null {
    const limit = this.opt.maxMovedTransfers;
    if (limit === undefined) return null;
    const onPath = new Uint8Array(this.cal.R);
    for (const path of req.paths) for (const l of path.links) onPath[l] = 1;
    const from = Math.max(now, req.earliest);
    const weight: { serial: number; w: number }[] = [];
    for (const p of this.plans.values()) {
      if (p.end <= now) continue;
      const K = p.req.paths.length;
      let w = 0;
      for (let t = Math.max(from, p.req.earliest); t < Math.min(to, p.end); t++) {
        for (let k = 0; k < K; k++) {
          const r = p.rates[(t - p.req.earliest) * K + k];
          if (r === 0) continue;
          const path = p.req.paths[k];
          for (let j = 0; j < path.links.length; j++) if (onPath[path.links[j]]) w += r * path.coef[j];
        }
      }
      if (w > 0) weight.push({ serial: p.serial, w });
    }
    weight.sort((a, b) => b.w - a.w || a.serial - b.serial);
    return new Set(weight.slice(0, limit).map((x) => x.serial));
  }

  /**
   * Build, solve, round and check one scope. `statusOnly`: the LP's verdict is all that is wanted (a
   * relaxation), so an optimal answer is reported as feasible without rounding it into a plan.
   */
  private solveScope(scope: LpScope, solvedBy: SolvedBy, warm: boolean, allowLimitIncumbent = false, statusOnly = false): ScopeOutcome {
    const built = buildLp(scope);
    const cacheKey = scope.blocks ? `blocks:${scope.blocks.size}` : 'slots';
    const cache = this.bases.get(cacheKey);
    const problem = scope.integerRates ? withIntegerRates(built, this.cal.q) : built.problem;
    const info: SolveInfo = { solvedBy, columns: problem.numCols, rows: problem.numRows, iterations: 0 };
    if (problem.numCols > this.opt.maxLpColumns) return { ok: false, status: 'size', info, detail: `${problem.numCols} columns` };
    // A required transfer with volume owed but no usable column cannot be served (a solver given an
    // empty model would call it optimal without looking at the rows).
    for (let i = 0; i < scope.items.length; i++) {
      const it = scope.items[i];
      if (it.mode === 'required' && it.needQ > 0 && built.itemColumns[i] === 0) return { ok: false, status: 'infeasible', info, detail: `transfer ${it.req.id}: no capacity on any path in its window` };
    }
    const basis = warm && !problem.integer && cache ? mapBasis(cache, built.colKey, built.rowKey) : undefined;
    const res = this.solver.solve(problem, {
      iterationLimit: this.opt.iterationLimit,
      mipNodeLimit: this.opt.mipNodeLimit,
      // In whole quanta any plan of the model keeps every promise; the cheapest is not worth a long search.
      ...(scope.integerRates ? { mipRelativeGap: 0.05 } : {}),
      ...(this.opt.timeLimitSeconds !== undefined ? { timeLimitSeconds: this.opt.timeLimitSeconds } : {}),
      ...(basis ? { basis } : {}),
      wantBasis: warm,
    });
    info.iterations = res.iterations;
    const usable = res.status === 'optimal' || (res.status === 'limit' && res.hasSolution && (problem.integer !== undefined || allowLimitIncumbent));
    if (!usable) {
      const status = res.status === 'infeasible' ? 'infeasible' : res.status === 'limit' ? 'limit' : 'error';
      return { ok: false, status, info, detail: `${res.status} (${res.detail})` };
    }
    if (warm && res.basis) this.bases.set(cacheKey, keyBasis(res.basis, built.colKey, built.rowKey));
    if (statusOnly) return { ok: false, status: 'limit', info, detail: 'feasible (relaxation: no plan)' };
    return this.finishPlan(scope, built, scope.integerRates ? rateValuesToGbps(built, res.colValue, this.cal.q) : res.colValue, info);
  }

  /** Round an LP solution to whole quanta and check it (the end of every successful solve). */
  private finishPlan(scope: LpScope, built: BuiltLp, x: Float64Array, info: SolveInfo): ScopeOutcome {
    const lit = litAfter(scope, built, x);
    const q = scope.roundingMargin ? quantizeWithMargin(scope, built, x, lit) : quantize(scope, built, x, lit);
    if (!q.ok) {
      // Rounding to whole quanta found no room: solve once more keeping a quantum per column in reserve.
      if (scope.roundingMargin || scope.integerRates) return { ok: false, status: 'rounding', info, detail: q.reason };
      const retry = this.solveScope({ ...scope, roundingMargin: true }, info.solvedBy, false);
      if (retry.ok || retry.status !== 'infeasible') return { ...retry, info: { ...retry.info, iterations: retry.info.iterations + info.iterations } } as ScopeOutcome;
      // The reserve costs capacity and price room the model may not have. Last: the same model in whole
      // quanta (a MILP: rates integer), whose solutions need no rounding. Its integer plan may have to trade
      // quanta between transfers (one onto a dearer path within its quote, another off the cheap one),
      // which rounding one transfer at a time cannot find.
      const exact = this.solveScope({ ...scope, integerRates: true }, info.solvedBy, false);
      if (exact.ok) return { ...exact, info: { ...exact.info, iterations: exact.info.iterations + retry.info.iterations + info.iterations } };
      return { ok: false, status: 'rounding', info, detail: `${q.reason}; with a rounding reserve: ${retry.detail}; in whole quanta: ${exact.detail}` };
    }
    const bad = checkIntegerPlan(scope, q.plan);
    if (bad) return { ok: false, status: 'rounding', info, detail: `plan failed its check: ${bad}` };
    return { ok: true, plan: q.plan, info, scope };
  }

  private newPlan(req: NormRequest): Plan {
    return { serial: this.serial++, req, rates: new Float64Array((req.deadline - req.earliest) * req.paths.length), end: req.deadline, budget: 0, quoted: 0, late: false };
  }

  /** Admit from a fit (only the new transfer's rates). */
  private commitNew(req: NormRequest, now: number, out: Extract<ScopeOutcome, { ok: true }>, moved: TransferSchedule[]): AdmissionResult {
    const plan = this.newPlan(req);
    const item = out.scope.items[out.scope.items.length - 1];
    writeRates(plan, item.from, item.to, out.plan.rates[out.plan.rates.length - 1]);
    plan.budget = plan.quoted = priceOf(plan);
    this.cal.lit.set(out.plan.lit);
    applyUsage(this.cal, plan, 1);
    this.plans.set(req.id, plan);
    return { admitted: true, schedule: scheduleOf(this.cal, plan), moved, solve: out.info };
  }

  /** Admit from a re-optimisation: every item's future slots are replaced, the new one added. */
  private commitScope(req: NormRequest, now: number, out: Extract<ScopeOutcome, { ok: true }>): AdmissionResult {
    const items = out.scope.items;
    const existing = items.slice(0, -1).map((it) => this.planBySerial(it.key));
    const moved = this.commitPlans(existing, { ...out, plan: { rates: out.plan.rates.slice(0, -1), lit: out.plan.lit } }, now);
    return this.commitNew(req, now, out, moved);
  }

  /** Replace the future slots of `plans` (scope items in the same order) by the outcome's; returns those that changed. */
  private commitPlans(plans: Plan[], out: Extract<ScopeOutcome, { ok: true }>, now: number): TransferSchedule[] {
    const changed: TransferSchedule[] = [];
    plans.forEach((p, i) => {
      const it = out.scope.items[i];
      applyUsage(this.cal, p, -1, now);
      if (it.to > p.end) extendPlan(p, it.to);
      const before = p.rates.slice();
      // Clear the future (it.from .. end) and write the new rates over [it.from, it.to).
      const K = p.req.paths.length;
      for (let t = it.from; t < p.end; t++) for (let k = 0; k < K; k++) p.rates[(t - p.req.earliest) * K + k] = 0;
      writeRates(p, it.from, it.to, out.plan.rates[i]);
      applyUsage(this.cal, p, 1, now);
      // Re-optimisation kept the price within the budget (the quoted price), so it never exceeds the quote;
      // after a cut it may (the customer's bill stays capped at the quoted price; the next re-plans must not
      // raise it further). A re-plan that made it cheaper does not lower the budget: the customer was
      // promised the quote, and a later re-plan may use that room again.
      p.budget = Math.max(p.quoted, priceOf(p));
      if (!sameRates(before, p.rates)) changed.push(scheduleOf(this.cal, p));
    });
    this.cal.lit.set(out.plan.lit);
    return changed;
  }

  private planBySerial(serial: number): Plan {
    for (const p of this.plans.values()) if (p.serial === serial) return p;
    throw new Error(`internal: no plan with serial ${serial}`);
  }

  private greedyAdmit(req: NormRequest, now: number, prior: SolveInfo, reason: string): AdmissionResult {
    const from = Math.max(now, req.earliest);
    const rates = greedyPlace(this.cal, req, from, req.deadline, req.needQ, this.cal.usageQ);
    const info: SolveInfo = { ...prior, solvedBy: 'greedy', fallbackReason: reason };
    if (!rates) return this.refuse(req, now, info, false, this.opt.reoptimize !== 'never');
    const plan = this.newPlan(req);
    writeRates(plan, from, req.deadline, rates);
    plan.budget = plan.quoted = priceOf(plan);
    applyUsage(this.cal, plan, 1);
    this.plans.set(req.id, plan);
    return { admitted: true, schedule: scheduleOf(this.cal, plan), moved: [], solve: info };
  }

  private refuse(req: NormRequest, now: number, info: SolveInfo, proven: boolean, reopt: boolean): AdmissionResult {
    let mostVolumeGbit: number | null = null;
    let earliestDeadlineSlot: number | null = null;
    if (this.opt.explainRefusals) {
      mostVolumeGbit = this.mostVolume(req, now, reopt);
      earliestDeadlineSlot = this.earliestDeadline(req, now, reopt, proven ? req.deadline : Math.max(now, req.earliest));
    }
    return { admitted: false, reason: 'deadline-infeasible', proven, mostVolumeGbit, earliestDeadlineSlot, solve: info };
  }

  /** Most of the request that fits by its deadline (Gbit), everything admitted still on time. */
  private mostVolume(req: NormRequest, now: number, reopt: boolean): number | null {
    const from = Math.max(now, req.earliest);
    if (from >= req.deadline) return 0;
    const scope = reopt ? this.reoptScope(req, now, req.deadline, 'elastic') : this.fitScope(req, now, req.deadline, 'elastic');
    if (estimateColumns(scope) > this.opt.maxLpColumns) return null;
    const out = this.solveScope(scope, reopt ? 'lp-reoptimized' : 'lp-fit', false);
    if (!out.ok) return null;
    return sum(out.plan.rates[out.plan.rates.length - 1]) * this.cal.q * this.cal.slotSeconds;
  }

  /**
   * Earliest deadline (exclusive slot) by which the whole request fits, by bisection over the deadline
   * (feasibility only grows with it): one model, the new transfer's later columns closed and reopened.
   */
  private earliestDeadline(req: NormRequest, now: number, reopt: boolean, knownInfeasible: number): number | null {
    const H = this.cal.H;
    const from = Math.max(now, req.earliest);
    const scope = reopt ? this.reoptScope(req, now, H, 'required') : this.fitScope(req, now, H, 'required');
    if (estimateColumns(scope) > this.opt.maxLpColumns) return null;
    const built = buildLp(scope);
    const problem = built.problem;
    if (problem.integer) return this.earliestDeadlineCold(req, now, reopt, knownInfeasible);
    const last = scope.items.length - 1;
    const cols: number[] = [];
    for (let c = 0; c < built.colKind.length; c++) if (built.colKind[c] === COL_RATE && built.colOwner[c] === last) cols.push(c);
    const upper = cols.map((c) => problem.colUpper[c]);
    const cache = this.bases.get('slots');
    const session = this.solver.open(problem, this.opt.warmStart && cache ? { basis: mapBasis(cache, built.colKey, built.rowKey) } : {});
    try {
      const feasible = (deadline: number): boolean => {
        // No column before the deadline: nothing can carry it (and an empty model would "solve").
        if (!cols.some((c) => built.colSlot[c] < deadline)) return false;
        session.setColBounds(
          cols,
          cols.map(() => 0),
          cols.map((c, i) => (built.colSlot[c] < deadline ? upper[i] : 0)),
        );
        const r = session.solve({ iterationLimit: this.opt.iterationLimit, ...(this.opt.timeLimitSeconds !== undefined ? { timeLimitSeconds: this.opt.timeLimitSeconds } : {}) });
        return r.status === 'optimal';
      };
      if (!feasible(H)) return null;
      let lo = Math.max(knownInfeasible, from);
      let hi = H;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (feasible(mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    } finally {
      session.dispose();
    }
  }

  /** Bisection with a fresh solve per probe (MILPs: waves). */
  private earliestDeadlineCold(req: NormRequest, now: number, reopt: boolean, knownInfeasible: number): number | null {
    const H = this.cal.H;
    const feasible = (deadline: number): boolean => {
      const scope = reopt ? this.reoptScope(req, now, deadline, 'required') : this.fitScope(req, now, deadline, 'required');
      return this.solveScope(scope, 'milp', false).ok;
    };
    if (!feasible(H)) return null;
    let lo = Math.max(knownInfeasible, Math.max(now, req.earliest));
    let hi = H;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (feasible(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

/** Columns an LP over the scope would have at most. */
function estimateColumns(scope: LpScope): number {
  let n = 0;
  for (const it of scope.items) n += Math.max(0, it.to - it.from) * it.req.paths.length;
  return n;
}

function subtractUsage(cal: Calendar, usage: Float64Array, p: Plan, from: number): void {
  const K = p.req.paths.length;
  for (let t = Math.max(from, p.req.earliest); t < p.end; t++) {
    for (let k = 0; k < K; k++) {
      const r = p.rates[(t - p.req.earliest) * K + k];
      if (r === 0) continue;
      const path = p.req.paths[k];
      for (let j = 0; j < path.links.length; j++) usage[path.links[j] * cal.H + t] -= r * path.coef[j];
    }
  }
}

function writeRates(p: Plan, from: number, to: number, rates: Float64Array): void {
  const K = p.req.paths.length;
  for (let t = from; t < to; t++) for (let k = 0; k < K; k++) p.rates[(t - p.req.earliest) * K + k] = rates[(t - from) * K + k];
}

function extendPlan(p: Plan, end: number): void {
  const K = p.req.paths.length;
  const rates = new Float64Array((end - p.req.earliest) * K);
  rates.set(p.rates.subarray(0, Math.min(p.rates.length, rates.length)));
  p.rates = rates;
  p.end = end;
}

function sameRates(a: Float64Array, b: Float64Array): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false;
  return true;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function keyBasis(b: LpBasis, colKey: Float64Array, rowKey: Float64Array): BasisCache {
  const cols = new Map<number, number>();
  const rows = new Map<number, number>();
  for (let i = 0; i < colKey.length; i++) cols.set(colKey[i], b.colStatus[i]);
  for (let i = 0; i < rowKey.length; i++) rows.set(rowKey[i], b.rowStatus[i]);
  return { cols, rows };
}

/** The last basis on this model's columns and rows: unknown columns at their lower bound, unknown rows basic. */
function mapBasis(cache: BasisCache, colKey: Float64Array, rowKey: Float64Array): LpBasis {
  const colStatus = new Int32Array(colKey.length);
  const rowStatus = new Int32Array(rowKey.length);
  for (let i = 0; i < colKey.length; i++) colStatus[i] = cache.cols.get(colKey[i]) ?? 0;
  for (let i = 0; i < rowKey.length; i++) rowStatus[i] = cache.rows.get(rowKey[i]) ?? 1;
  return { colStatus, rowStatus };
}
