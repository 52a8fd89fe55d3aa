/**
 * From an LP solution (Gbps, within the solver's tolerances) to an exact integer plan (whole quanta):
 * round every rate down, take back any overshoot the tolerances allowed (capacity, rate cap, price), then
 * top up each transfer's shortfall from the room left, cheapest path and earliest slot first. The result is
 * checked exactly; a shortfall that cannot be topped up is reported (the caller then refuses or falls back)
 * rather than booked. Since the LP already met every constraint, the shortfall is a few quanta per column
 * and the room to absorb it is, in practice, always there.
 */
import { COL_RATE, COL_WAVE_HELD, type BuiltLp, type LpScope } from './formulation.js';
import type { Calendar } from './state.js';

/** Integer rates for the scope's items, and the lit waves they rely on. */
export interface IntegerPlan {
  /** Per item: rates[(t - item.from) * K + p] in quanta for t in [from, to). */
  rates: Float64Array[];
  /** Lit waves per option per slot after this plan (a full W x H copy). */
  lit: Float64Array;
}

export type QuantizeResult = { ok: true; plan: IntegerPlan } | { ok: false; reason: string };

/** Lit waves after applying the LP's held-wave columns. */
export function litAfter(scope: LpScope, built: BuiltLp, x: Float64Array): Float64Array {
  const cal = scope.cal;
  const lit = cal.lit.slice();
  if (scope.waveMode === 'fixed' || built.waveOptions.length === 0) return lit;
  const H = cal.H;
  if (scope.waveMode === 'optimize') {
    // The LP decides these options from `now` on; nothing stays lit after its last slot.
    for (const w of built.waveOptions) for (let t = built.waveFrom; t < H; t++) lit[w * H + t] = 0;
  }
  for (let c = 0; c < built.colKind.length; c++) {
    if (built.colKind[c] !== COL_WAVE_HELD) continue;
    const w = built.colOwner[c];
    const t = built.colSlot[c];
    lit[w * H + t] += Math.max(0, Math.round(x[c]));
  }
  return lit;
}

export function quantize(scope: LpScope, built: BuiltLp, x: Float64Array, lit: Float64Array = litAfter(scope, built, x)): QuantizeResult {
  const { cal, items } = scope;
  const q = cal.q;
  const rates = items.map((it) => new Float64Array(Math.max(0, it.to - it.from) * it.req.paths.length));
  const frac = items.map((it) => new Float64Array(Math.max(0, it.to - it.from) * it.req.paths.length));
  for (let c = 0; c < built.colKind.length; c++) {
    if (built.colKind[c] !== COL_RATE) continue;
    const it = items[built.colOwner[c]];
    const K = it.req.paths.length;
    // Only per-slot models are rounded (a block relaxation's solution is not a schedule).
    const span = built.colSpan[c];
    if (span !== 1) throw new RangeError('only per-slot LP solutions are schedules');
    for (let t = built.colSlot[c]; t < built.colSlot[c] + span; t++) {
      if (t < it.from || t >= it.to) continue;
      const k = (t - it.from) * K + built.colPath[c];
      // The 1e-6 nudge keeps 4.9999999 quanta (solver noise) at 5; any overshoot is taken back below.
      const v = Math.max(0, x[c]) / span / q;
      const r = Math.floor(v + 1e-6);
      rates[built.colOwner[c]][k] = r;
      frac[built.colOwner[c]][k] = Math.max(0, v - r);
    }
  }
  return repair(scope, rates, lit, frac);
}

/**
 * Rounding of an LP solved with `roundingMargin` (every capacity and rate row keeps one quantum per column
 * in reserve), which always succeeds: per transfer,
 * round each path's total down, give the quanta still owed to the cheapest paths (one each: that never
 * costs more than the LP's price), then spread each path's total over its slots, rounding up the slots that
 * lost the largest fractions (then other slots of its window), never more than one quantum above the LP's
 * rate, which the reserve covers.
 */
export function quantizeWithMargin(scope: LpScope, built: BuiltLp, x: Float64Array, lit: Float64Array = litAfter(scope, built, x)): QuantizeResult {
  const { cal, items } = scope;
  const q = cal.q;
  const rates = items.map((it) => new Float64Array(Math.max(0, it.to - it.from) * it.req.paths.length));
  const frac = items.map((it) => new Float64Array(Math.max(0, it.to - it.from) * it.req.paths.length).fill(-1));
  const total = items.map((it) => new Float64Array(it.req.paths.length));
  for (let c = 0; c < built.colKind.length; c++) {
    if (built.colKind[c] !== COL_RATE) continue;
    if (built.colSpan[c] !== 1) throw new RangeError('rounding with a reserve works on per-slot columns only');
    const n = built.colOwner[c];
    const it = items[n];
    const K = it.req.paths.length;
    if (built.colSlot[c] < it.from || built.colSlot[c] >= it.to) continue;
    const k = (built.colSlot[c] - it.from) * K + built.colPath[c];
    const v = Math.max(0, x[c]) / q;
    const r = Math.floor(v + 1e-9);
    rates[n][k] = r;
    frac[n][k] = v - r; // >= 0 marks a column that exists
    total[n][built.colPath[c]] += v;
  }
  for (let n = 0; n < items.length; n++) {
    const it = items[n];
    const K = it.req.paths.length;
    const slots = it.to - it.from;
    const target = new Float64Array(K);
    let sum = 0;
    for (let p = 0; p < K; p++) {
      target[p] = Math.floor(total[n][p] + 1e-9);
      sum += target[p];
    }
    if (it.mode === 'required') {
      let owed = it.needQ - sum;
      for (const p of pathsByPrice(it, false)) {
        if (owed <= 0) break;
        target[p]++;
        owed--;
      }
      for (const p of pathsByPrice(it, true)) {
        while (owed < 0 && target[p] > 0) {
          target[p]--;
          owed++;
        }
      }
      if (owed > 0) return { ok: false, reason: `transfer ${it.req.id}: ${owed} quantum-slots short after rounding (the LP fell short)` };
    } else {
      // Elastic/optional: at most what is owed.
      let over = sum - it.needQ;
      for (const p of pathsByPrice(it, true)) {
        while (over > 0 && target[p] > 0) {
          target[p]--;
          over--;
        }
      }
    }
    for (let p = 0; p < K; p++) {
      let have = 0;
      for (let t = 0; t < slots; t++) have += rates[n][t * K + p];
      let diff = target[p] - have;
      if (diff > 0) {
        const order: number[] = [];
        for (let t = 0; t < slots; t++) if (frac[n][t * K + p] >= 0) order.push(t);
        order.sort((a, b) => frac[n][b * K + p] - frac[n][a * K + p] || a - b);
        for (const t of order) {
          if (diff <= 0) break;
          rates[n][t * K + p]++;
          diff--;
        }
        if (diff > 0) return { ok: false, reason: `transfer ${it.req.id}: path ${it.req.paths[p].id} has too few columns to round` };
      }
      for (let t = slots - 1; t >= 0 && diff < 0; t--) {
        const take = Math.min(rates[n][t * K + p], -diff);
        rates[n][t * K + p] -= take;
        diff += take;
      }
    }
  }
  const plan = { rates, lit };
  const bad = checkIntegerPlan(scope, plan);
  return bad ? { ok: false, reason: `rounding with reserve failed its check: ${bad}` } : { ok: true, plan };
}

/**
 * Make integer rates exact: no overshoot of capacity, rate cap or budget, required volumes met exactly,
 * elastic and optional ones at most their volume (optional items are not topped up: the caller decided
 * whether they are in).
 */
export function repair(scope: LpScope, rates: Float64Array[], lit: Float64Array, frac?: Float64Array[]): QuantizeResult {
  const { cal, items } = scope;
  const H = cal.H;
  // Capacity (computed on first use; NaN = not yet) and use per (link, slot), quanta.
  const cap = new Float64Array(cal.R * H).fill(NaN);
  const use = new Float64Array(cal.R * H);
  const touched: number[] = [];
  const capAt = (i: number): number => {
    let c = cap[i];
    if (Number.isNaN(c)) {
      const e = Math.floor(i / H);
      c = cal.linkCapacityQ(e, i - e * H, lit);
      if (scope.fixedUsageQ) c -= scope.fixedUsageQ[i];
      cap[i] = c;
    }
    return c;
  };
  const addUse = (it: (typeof items)[number], p: number, t: number, dr: number): void => {
    const path = it.req.paths[p];
    for (let j = 0; j < path.links.length; j++) {
      const i = path.links[j] * H + t;
      if (use[i] === 0) touched.push(i);
      use[i] += dr * path.coef[j];
    }
  };
  items.forEach((it, n) => {
    const K = it.req.paths.length;
    for (let t = it.from; t < it.to; t++) {
      for (let p = 0; p < K; p++) {
        const v = rates[n][(t - it.from) * K + p];
        if (v > 0) addUse(it, p, t, v);
      }
    }
  });

  // 1. Deliver no more than needed (rounding noise), taking from the latest slots, dearest path first.
  items.forEach((it, n) => {
    const K = it.req.paths.length;
    let extra = sumRates(rates[n]) - it.needQ;
    if (extra <= 0) return;
    const order = pathsByPrice(it, true);
    for (let t = it.to - 1; t >= it.from && extra > 0; t--) {
      for (const p of order) {
        const k = (t - it.from) * K + p;
        const take = Math.min(rates[n][k], extra);
        if (take <= 0) continue;
        rates[n][k] -= take;
        addUse(it, p, t, -take);
        extra -= take;
        if (extra <= 0) break;
      }
    }
  });

  // 2. Capacity: where rounding left a link over, take back from the columns through it.
  for (const i of touched) {
    let over = use[i] - capAt(i);
    if (over <= 0) continue;
    const e = Math.floor(i / H);
    const t = i - e * H;
    for (let n = 0; n < items.length && over > 0; n++) {
      const it = items[n];
      if (t < it.from || t >= it.to) continue;
      const K = it.req.paths.length;
      for (let p = 0; p < K && over > 0; p++) {
        const path = it.req.paths[p];
        const j = path.links.indexOf(e);
        if (j < 0) continue;
        const k = (t - it.from) * K + p;
        const take = Math.min(rates[n][k], Math.ceil(over / path.coef[j]));
        if (take <= 0) continue;
        rates[n][k] -= take;
        addUse(it, p, t, -take);
        over -= take * path.coef[j];
      }
    }
    if (over > 0) return { ok: false, reason: `link ${cal.linkIds[e]} slot ${t}: capacity exceeded by holds outside the plan` };
  }

  // 3. Rate cap per slot.
  items.forEach((it, n) => {
    if (it.req.maxRateQ === Infinity) return;
    const K = it.req.paths.length;
    for (let t = it.from; t < it.to; t++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += rates[n][(t - it.from) * K + p];
      for (let p = K - 1; p >= 0 && s > it.req.maxRateQ; p--) {
        const k = (t - it.from) * K + p;
        const take = Math.min(rates[n][k], s - it.req.maxRateQ);
        rates[n][k] -= take;
        addUse(it, p, t, -take);
        s -= take;
      }
    }
  });

  // 4. Price budget: take back from the dearest columns, latest first.
  items.forEach((it, n) => {
    if (!Number.isFinite(it.budget)) return;
    const K = it.req.paths.length;
    let price = priceOfRates(it, rates[n]);
    if (price <= it.budget + budgetTolerance(it)) return;
    for (const p of pathsByPrice(it, true)) {
      const pr = it.req.paths[p].priceRate;
      if (pr <= 0) continue;
      for (let t = it.to - 1; t >= it.from && price > it.budget; t--) {
        const k = (t - it.from) * K + p;
        const take = Math.min(rates[n][k], Math.ceil((price - it.budget) / pr));
        if (take <= 0) continue;
        rates[n][k] -= take;
        addUse(it, p, t, -take);
        price -= take * pr;
      }
    }
  });

  /** Room for more quanta of item n on path p in slot t: capacity, rate cap and price budget. */
  const roomFor = (n: number, p: number, t: number, price: number): number => {
    const it = items[n];
    const K = it.req.paths.length;
    const path = it.req.paths[p];
    let room = Infinity;
    for (let j = 0; j < path.links.length; j++) {
      const i = path.links[j] * H + t;
      room = Math.min(room, Math.floor((capAt(i) - use[i]) / path.coef[j]));
    }
    if (it.req.maxRateQ !== Infinity) {
      let s = 0;
      for (let pp = 0; pp < K; pp++) s += rates[n][(t - it.from) * K + pp];
      room = Math.min(room, it.req.maxRateQ - s);
    }
    // The 1e-6 absorbs float noise in the price sums; the exact check has the last word.
    if (Number.isFinite(it.budget) && path.priceRate > 0) room = Math.min(room, Math.floor((it.budget - price) / path.priceRate + 1e-6));
    return room;
  };

  // 5a. Give back what rounding took, where the LP had put it: the columns that lost the largest fractions
  //     first (across all transfers), one quantum each. Capacity the LP used there is what rounding freed.
  if (frac) {
    const short = items.map((it, n) => (it.mode === 'required' ? it.needQ - sumRates(rates[n]) : 0));
    const cand: { n: number; k: number; f: number }[] = [];
    frac.forEach((fr, n) => {
      if (short[n] <= 0) return;
      for (let k = 0; k < fr.length; k++) if (fr[k] > 1e-6) cand.push({ n, k, f: fr[k] });
    });
    cand.sort((a, b) => b.f - a.f || a.n - b.n || a.k - b.k);
    const price = items.map((it, n) => (Number.isFinite(it.budget) ? priceOfRates(it, rates[n]) : 0));
    for (const c of cand) {
      if (short[c.n] <= 0) continue;
      const it = items[c.n];
      const K = it.req.paths.length;
      const p = c.k % K;
      const t = it.from + Math.floor(c.k / K);
      if (roomFor(c.n, p, t, price[c.n]) < 1) continue;
      rates[c.n][c.k] += 1;
      addUse(it, p, t, 1);
      short[c.n]--;
      price[c.n] += it.req.paths[p].priceRate;
    }
  }

  /** Quanta of item n in slot t over all its paths. */
  const slotRate = (n: number, t: number): number => {
    const it = items[n];
    const K = it.req.paths.length;
    let s = 0;
    for (let pp = 0; pp < K; pp++) s += rates[n][(t - it.from) * K + pp];
    return s;
  };
  // Moves made while searching for room, so that a branch that fails can be undone.
  const log: { n: number; p: number; t: number; d: number }[] = [];
  const move = (n: number, p: number, t: number, d: number): void => {
    const it = items[n];
    rates[n][(t - it.from) * it.req.paths.length + p] += d;
    addUse(it, p, t, d);
    log.push({ n, p, t, d });
  };
  const rollback = (mark: number): void => {
    while (log.length > mark) {
      const m = log.pop() as { n: number; p: number; t: number; d: number };
      const it = items[m.n];
      rates[m.n][(m.t - it.from) * it.req.paths.length + m.p] -= m.d;
      addUse(it, m.p, m.t, -m.d);
    }
  };
  let searchBudget = 0;
  /**
   * Place one more quantum of item n, making room if needed: on a column whose links are full, other
   * transfers with traffic there give up one quantum each (one per full link, fewest givers first) and
   * must in turn place theirs elsewhere, recursively (depth-limited): augmenting moves, as when rounding a
   * transportation problem. Everything is undone if the search fails.
   */
  const place = (n: number, depth: number, busy: Set<number>): boolean => {
    const it = items[n];
    const price = priceOfRates(it, rates[n]);
    for (const p of pathsByPrice(it, false)) {
      const path = it.req.paths[p];
      if (Number.isFinite(it.budget) && price + path.priceRate > it.budget + budgetTolerance(it)) continue;
      for (let t = it.from; t < it.to; t++) {
        if (--searchBudget < 0) return false;
        if (it.req.maxRateQ !== Infinity && slotRate(n, t) + 1 > it.req.maxRateQ) continue;
        const full: number[] = [];
        for (let j = 0; j < path.links.length; j++) {
          const i = path.links[j] * H + t;
          if (capAt(i) - use[i] < path.coef[j]) full.push(path.links[j]);
        }
        if (full.length === 0) {
          move(n, p, t, 1);
          return true;
        }
        if (depth === 0) continue;
        // Givers: transfers with a quantum at t on a path through the full links (covering most first).
        const mark = log.length;
        const givers: number[] = [];
        let left = full;
        while (left.length > 0) {
          let best = -1;
          let bestPath = -1;
          let bestCover = 0;
          for (let m = 0; m < items.length; m++) {
            if (m === n || busy.has(m) || givers.includes(m) || t < items[m].from || t >= items[m].to) continue;
            const Km = items[m].req.paths.length;
            for (let pm = 0; pm < Km; pm++) {
              if (rates[m][(t - items[m].from) * Km + pm] < 1) continue;
              const cover = left.filter((e) => items[m].req.paths[pm].links.includes(e)).length;
              if (cover > bestCover) {
                best = m;
                bestPath = pm;
                bestCover = cover;
              }
            }
          }
          if (best < 0) break;
          move(best, bestPath, t, -1);
          givers.push(best);
          const covered = items[best].req.paths[bestPath].links;
          left = left.filter((e) => !covered.includes(e));
        }
        if (left.length > 0) {
          rollback(mark);
          continue;
        }
        move(n, p, t, 1);
        const inner = new Set([...busy, n]);
        if (givers.every((m) => place(m, depth - 1, inner)) && givers.concat(n).every((m) => !Number.isFinite(items[m].budget) || priceOfRates(items[m], rates[m]) <= items[m].budget + budgetTolerance(items[m]))) {
          return true;
        }
        rollback(mark);
      }
    }
    return false;
  };
  /** One more quantum for item n (with room made by augmenting moves); false if none was found. */
  const augment = (n: number): boolean => {
    searchBudget = 50_000;
    const mark = log.length;
    if (!place(n, 3, new Set())) return false;
    // Every link-slot touched by the moves still fits.
    for (let k = mark; k < log.length; k++) {
      const m = log[k];
      for (const e of items[m.n].req.paths[m.p].links) {
        if (use[e * H + m.t] > capAt(e * H + m.t)) {
          rollback(mark);
          return false;
        }
      }
    }
    log.length = 0;
    return true;
  };

  // 5b. Top up what is still short from any room left: cheapest path, earliest slot first.
  for (let n = 0; n < items.length; n++) {
    const it = items[n];
    if (it.mode !== 'required') continue;
    let short = it.needQ - sumRates(rates[n]);
    if (short <= 0) continue;
    const K = it.req.paths.length;
    let price = priceOfRates(it, rates[n]);
    for (const p of pathsByPrice(it, false)) {
      for (let t = it.from; t < it.to && short > 0; t++) {
        const room = Math.min(short, roomFor(n, p, t, price));
        if (room <= 0) continue;
        rates[n][(t - it.from) * K + p] += room;
        addUse(it, p, t, room);
        price = priceOfRates(it, rates[n]);
        short -= room;
      }
      if (short <= 0) break;
    }
    // 5c. Still short and no room anywhere on its paths: make room by moving other transfers' quanta
    //     (augmenting chains: another transfer gives up a quantum where this one needs it and takes one
    //     where there is room, or passes the need on), as in rounding a transportation problem.
    while (short > 0 && augment(n)) short--;
    if (short > 0) {
      // Say what blocked it (capacity, rate cap or price), for the caller's report.
      let capRoom = 0;
      for (let p = 0; p < K; p++) {
        const path = it.req.paths[p];
        for (let t = it.from; t < it.to; t++) {
          let room = Infinity;
          for (let j = 0; j < path.links.length; j++) room = Math.min(room, Math.floor((capAt(path.links[j] * H + t) - use[path.links[j] * H + t]) / path.coef[j]));
          capRoom += Math.max(0, room);
        }
      }
      const why = capRoom === 0 ? 'no capacity left in its window' : Number.isFinite(it.budget) ? `price budget (${it.budget - price} left)` : 'rate cap';
      return { ok: false, reason: `transfer ${it.req.id}: ${short} quantum-slots short after rounding (${why})` };
    }
  }
  return { ok: true, plan: { rates, lit } };
}

/**
 * Float noise allowed on a price budget: the budget left is the promised price minus what the started slots
 * cost, a difference of sums over the whole transfer, so its noise scales with the transfer's full price
 * (a millionth of a millionth of it), not with what is left.
 */
function budgetTolerance(it: LpScope['items'][number]): number {
  let maxRate = 0;
  for (const p of it.req.paths) maxRate = Math.max(maxRate, p.priceRate);
  return 1e-12 * maxRate * it.req.needQ;
}

function sumRates(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Price of integer rates: whole quanta summed per path first (exact), then priced (K float products). */
function priceOfRates(it: LpScope['items'][number], rates: Float64Array): number {
  const K = it.req.paths.length;
  const perPath = new Float64Array(K);
  for (let i = 0; i < rates.length; i++) perPath[i % K] += rates[i];
  let s = 0;
  for (let p = 0; p < K; p++) s += perPath[p] * it.req.paths[p].priceRate;
  return s;
}

/** Path indices by price per quantum-slot (ties: candidate order); descending = dearest first. */
function pathsByPrice(it: LpScope['items'][number], descending: boolean): number[] {
  const idx = it.req.paths.map((_, i) => i);
  idx.sort((a, b) => {
    const d = it.req.paths[a].priceRate - it.req.paths[b].priceRate;
    return (descending ? -d : d) || a - b;
  });
  return idx;
}

/** Exact check of an integer plan against the scope (used before anything is committed). */
export function checkIntegerPlan(scope: LpScope, plan: IntegerPlan, cal: Calendar = scope.cal): string | null {
  const H = cal.H;
  const use = new Map<number, number>();
  for (let n = 0; n < scope.items.length; n++) {
    const it = scope.items[n];
    const K = it.req.paths.length;
    const r = plan.rates[n];
    let sum = 0;
    for (let t = it.from; t < it.to; t++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const v = r[(t - it.from) * K + p];
        if (v < 0 || !Number.isInteger(v)) return `transfer ${it.req.id}: rate ${v} at slot ${t} is not a whole number of quanta`;
        if (v === 0) continue;
        s += v;
        const path = it.req.paths[p];
        for (let j = 0; j < path.links.length; j++) {
          const i = path.links[j] * H + t;
          use.set(i, (use.get(i) ?? 0) + v * path.coef[j]);
        }
      }
      if (s > it.req.maxRateQ) return `transfer ${it.req.id}: slot ${t} over its rate cap`;
      sum += s;
    }
    if (it.mode === 'required' && sum < it.needQ) return `transfer ${it.req.id}: delivers ${sum} of ${it.needQ}`;
    if (it.mode !== 'optional' && sum > it.needQ) return `transfer ${it.req.id}: delivers ${sum}, more than ${it.needQ}`;
    if (Number.isFinite(it.budget) && priceOfRates(it, r) > it.budget + budgetTolerance(it)) return `transfer ${it.req.id}: price ${priceOfRates(it, r)} over budget ${it.budget}`;
  }
  for (const [i, u] of use) {
    const e = Math.floor(i / H);
    const t = i - e * H;
    let c = cal.linkCapacityQ(e, t, plan.lit);
    if (scope.fixedUsageQ) c -= scope.fixedUsageQ[i];
    if (u > c) return `link ${cal.linkIds[e]} slot ${t}: ${u} quanta over ${c}`;
  }
  // Spectrum held by all lit waves fits what the calendar has free.
  if (cal.W > 0) {
    const held = new Map<number, number>();
    for (let w = 0; w < cal.W; w++) {
      const wave = cal.waves[w];
      for (let t = scope.now; t < H; t++) {
        const lit = plan.lit[w * H + t];
        if (lit === 0) continue;
        if (lit > wave.maxWaves || lit < 0 || !Number.isInteger(lit)) return `wave ${wave.id} slot ${t}: ${lit} lit`;
        for (let k = 0; k < wave.holdSpectrum.length; k++) {
          const i = wave.holdSpectrum[k] * H + t;
          held.set(i, (held.get(i) ?? 0) + lit * wave.holdSlots[k]);
        }
      }
    }
    for (const [i, h] of held) {
      if (h > cal.spectrumFree[i]) return `spectrum ${cal.spectrumIds[Math.floor(i / H)]} slot ${i % H}: ${h} slots held, ${cal.spectrumFree[i]} free`;
    }
  }
  return null;
}
