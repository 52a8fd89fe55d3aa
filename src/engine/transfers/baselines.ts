/**
 * Baseline admission policies the benchmark compares against (not used by the scheduler itself):
 *
 * - FixedRateReservation: a plain calendar booking. Rate = volume / time to deadline, constant from the
 *   first usable slot to the deadline, on the first candidate path (best first) that has that rate free in
 *   every slot; nothing ever moves.
 * - EdfGreedy: earliest-deadline-first with re-planning. On each arrival, every admitted transfer's
 *   not-yet-started volume and the new request are placed again in deadline order, each earliest-slot-first
 *   on its paths in order; if one no longer fits, the request is refused and the old plans stay.
 */
import { greedyPlace } from './greedy.js';
import { scheduleOf } from './schedule.js';
import { applyUsage, Calendar, deliveredQ, type NormRequest, type Plan } from './state.js';
import type { TransferNetwork, TransferRequest, TransferSchedule } from './types.js';

/** What the benchmark needs from a policy. */
export interface AdmissionPolicy {
  readonly name: string;
  admit(request: TransferRequest, now: number): boolean;
  schedules(): TransferSchedule[];
}

abstract class PlanBook {
  readonly cal: Calendar;
  protected readonly plans: Plan[] = [];

  constructor(network: TransferNetwork) {
    this.cal = new Calendar(network);
  }

  schedules(): TransferSchedule[] {
    return this.plans.map((p) => scheduleOf(this.cal, p));
  }

  protected book(req: NormRequest, from: number, rates: Float64Array): void {
    const K = req.paths.length;
    const plan: Plan = { serial: this.plans.length, req, rates: new Float64Array((req.deadline - req.earliest) * K), end: req.deadline, budget: 0, quoted: 0, late: false };
    plan.rates.set(rates, (from - req.earliest) * K);
    applyUsage(this.cal, plan, 1);
    this.plans.push(plan);
  }
}

export class FixedRateReservation extends PlanBook implements AdmissionPolicy {
  readonly name = 'fixed-rate reservation';

  admit(request: TransferRequest, now: number): boolean {
    const cal = this.cal;
    const req = cal.normalize(request);
    const from = Math.max(now, req.earliest);
    const slots = req.deadline - from;
    if (slots <= 0) return false;
    const rate = Math.ceil(req.needQ / slots);
    if (rate > req.maxRateQ) return false;
    const K = req.paths.length;
    for (let p = 0; p < K; p++) {
      const path = req.paths[p];
      let fits = true;
      for (let t = from; t < req.deadline && fits; t++) {
        for (let j = 0; j < path.links.length; j++) {
          const e = path.links[j];
          if (cal.linkCapacityQ(e, t) - cal.usageQ[e * cal.H + t] < rate * path.coef[j]) {
            fits = false;
            break;
          }
        }
      }
      if (!fits) continue;
      const rates = new Float64Array(slots * K);
      for (let t = 0; t < slots; t++) rates[t * K + p] = rate;
      this.book(req, from, rates);
      return true;
    }
    return false;
  }
}

export class EdfGreedy extends PlanBook implements AdmissionPolicy {
  readonly name = 'EDF greedy';

  admit(request: TransferRequest, now: number): boolean {
    const cal = this.cal;
    const req = cal.normalize(request);
    const active = this.plans.filter((p) => p.end > now && deliveredQ(p, p.req.earliest, now) < p.req.needQ);
    for (const p of active) applyUsage(cal, p, -1, now);
    const order = [...active.map((p) => ({ req: p.req, plan: p as Plan | null, serial: p.serial })), { req, plan: null, serial: Infinity }];
    order.sort((a, b) => a.req.deadline - b.req.deadline || a.serial - b.serial);
    const placed: { plan: Plan | null; from: number; rates: Float64Array }[] = [];
    const trial = cal.usageQ.slice();
    let ok = true;
    for (const o of order) {
      const from = Math.max(now, o.req.earliest);
      const owed = o.req.needQ - (o.plan ? deliveredQ(o.plan, o.req.earliest, now) : 0);
      const rates = greedyPlace(cal, o.req, from, o.req.deadline, owed, trial);
      if (!rates) {
        ok = false;
        break;
      }
      addUsage(cal, trial, o.req, from, rates);
      placed.push({ plan: o.plan, from, rates });
    }
    if (!ok) {
      for (const p of active) applyUsage(cal, p, 1, now);
      return false;
    }
    for (const x of placed) {
      if (!x.plan) {
        this.book(req, x.from, x.rates);
        continue;
      }
      const K = x.plan.req.paths.length;
      for (let t = x.from; t < x.plan.end; t++) for (let k = 0; k < K; k++) x.plan.rates[(t - x.plan.req.earliest) * K + k] = x.rates[(t - x.from) * K + k];
      applyUsage(cal, x.plan, 1, now);
    }
    return true;
  }
}

function addUsage(cal: Calendar, usage: Float64Array, req: NormRequest, from: number, rates: Float64Array): void {
  const K = req.paths.length;
  for (let i = 0; i < rates.length; i++) {
    if (rates[i] === 0) continue;
    const t = from + Math.floor(i / K);
    const path = req.paths[i % K];
    for (let j = 0; j < path.links.length; j++) usage[path.links[j] * cal.H + t] += rates[i] * path.coef[j];
  }
}
