/**
 * One restoration batch inside one transaction: find every service the current failures touch (reverse
 * index), plan all of them together on the engine, write the new allocations, then release what the old
 * paths held (make-before-break), update designs, outages and events. Also brings back services whose
 * failures were repaired and, when the policy says so, reverts rerouted services to their original path.
 */
import type { CircuitSpec } from '../../domain/products.js';
import { TRUNK_RATE_GBPS, isPacketProduct } from '../../domain/products.js';
import { failedMask, pathHit, physicsPlacer, planRestoration, planReversion, type RestoreDemand, type RestoreOutcome, type RevertOutcome, type RevertRequest } from '../../engine/index.js';
import { litChannelRows } from '../../store/ordering.js';
import { buildLitState } from '../ordering/lit-channels.js';
import { physicsOf } from '../ordering/physics.js';
import { loadQotPolicy } from '../ordering/qot-policy.js';
import type { Queryable } from '../../store/db.js';
import { closeOutages, failedSpanIds, openOutages } from '../../store/failures.js';
import { insertAllocations, lockResources } from '../../store/ordering.js';
import * as rs from '../../store/resilience.js';
import { enqueueJobs } from '../../store/jobs.js';
import { RECONFIGURE_SERVICE } from '../../store/job-kinds.js';
import type { CircuitDesign, DesignPath } from '../ordering/design.js';
import type { NetworkView } from '../ordering/network-view.js';
import { activeFirst, heldPath, occupancyFrom, pathGeometry, serviceDemand, strandsOf, swapped, trunkDemand, waveOf, type NewAllocation } from './model.js';

/** What one batch did. */
export interface BatchReport {
  batchId: string;
  failedSpans: string[];
  /** Services the reverse index returned (hit by a failure, down, or away from their ordered path). */
  examined: number;
  switched: string[];
  rerouted: { id: string; addedLatencyUs: number }[];
  down: { id: string; reason: string }[];
  restored: string[];
  reverted: string[];
  trunksRerouted: string[];
  timings: { identifyMs: number; loadMs: number; planMs: number; writeMs: number };
}

/** Batch settings. */
export interface BatchOptions {
  batchId: string;
  /** Move rerouted services back to their original path when it is healthy again. */
  revert: boolean;
  /** Revert only these services (manual revert); undefined = all eligible. */
  revertOnly?: readonly string[];
  /** Clock for timings (injected so tests and benchmarks decide). */
  now?: () => number;
  /** Called with the plan's compute time alone (benchmarks). */
  onPlanned?: (ms: number) => void;
  /** Add/drop ports free per site where the devices limit them (regenerators go only where two are); the batch takes its regenerators' from it. */
  addDropFree?: Map<string, number>;
}

interface ServiceEvent {
  type: string;
  tenantId: string;
  id: string;
  data: Record<string, unknown>;
}

function samePath(a: DesignPath | undefined, b: DesignPath | undefined): boolean {
  return !!a && !!b && a.spanIds.join(',') === b.spanIds.join(',');
}

/** Runs one batch in the caller's transaction (which must hold the resilience lock). */
export async function runBatch(tx: Queryable, view: NetworkView, opts: BatchOptions): Promise<BatchReport> {
  const clock = opts.now ?? (() => performance.now());
  const t0 = clock();
  const g = view.graph;
  const failedIds = (await failedSpanIds(tx)).filter((id) => g.spanIndex(id) >= 0);
  const mask = failedMask(g, failedIds.map((id) => g.spanIndex(id)));
  const cableIds = failedIds.flatMap((id) => view.spans[g.spanIndex(id)].cables.map((c) => c.id));
  const holders = await rs.holdersOf(tx, failedIds, cableIds);
  const revisit = await rs.servicesToRevisit(tx);
  const rows = await rs.lockServices(tx, [...new Set([...holders.serviceIds, ...revisit])].sort());
  const trunkIds = new Set(holders.trunkIds);
  for (const r of rows) for (const p of (r.design as CircuitDesign).paths) if (p.trunk) trunkIds.add(p.trunk.trunkId);
  const trunks = await rs.trunkPaths(tx, [...trunkIds].sort());
  const t1 = clock();

  const occ = occupancyFrom(view, await rs.allHeld(tx, 'spectrum'), await rs.allHeld(tx, 'strand'));
  // Rerouted waves are planned from physics like new ones: against the channels lit now (the old
  // paths stay lit until released: make-before-break) with the operator's margin.
  const lit = await litChannelRows(tx);
  const policy = await loadQotPolicy(tx);
  const state = buildLitState(view, lit.rows, { fromMs: Date.parse(lit.now), toMs: null });
  const placer = physicsPlacer(physicsOf(view).net, state, policy.marginDb, `${opts.batchId}:`, opts.addDropFree);
  const tPlan = clock();
  const demands: RestoreDemand[] = [];
  for (const r of rows) {
    const d = serviceDemand(view, r);
    if (d) demands.push(d);
  }
  const trunkHit = new Set<string>();
  for (const t of trunks) {
    const p = heldPath(view, t);
    if (!p || !pathHit(p, mask)) continue;
    trunkHit.add(t.id);
    const riders = rows.filter((r) => (r.design as CircuitDesign).paths.some((p2) => p2.trunk?.trunkId === t.id));
    const d = trunkDemand(view, t, riders);
    if (d) demands.push(d);
  }
  const plan = planRestoration(g, occ.layers, occ.strands, mask, demands, { placer });
  const outcome = new Map<string, RestoreOutcome>(plan.outcomes.map((o) => [o.id, o]));

  // Reversion: rerouted optical services whose ordered working path is healthy again.
  const revertReqs: RevertRequest[] = [];
  const switchBack: string[] = [];
  if (opts.revert) {
    const only = opts.revertOnly ? new Set(opts.revertOnly) : null;
    for (const r of rows) {
      if (!r.originalDesign || outcome.has(r.id) || r.state !== 'active' || (only && !only.has(r.id))) continue;
      const spec = r.spec as CircuitSpec;
      if (isPacketProduct(spec.product)) continue;
      const orig = activeFirst(r.originalDesign as CircuitDesign)[0];
      const cur = activeFirst(r.design as CircuitDesign);
      const hp = orig ? heldPath(view, orig) : null;
      if (!hp || pathHit(hp, mask) || samePath(orig, cur[0])) continue;
      if (spec.protection === 'protected-1+1') {
        // Revertive 1+1: the ordered working path is the current standby; switching back needs no capacity.
        if (samePath(orig, cur[1])) switchBack.push(r.id);
        continue;
      }
      const d = demands.find((x) => x.id === r.id);
      if (d) revertReqs.push({ demand: d, original: hp });
    }
  }
  const rev = planReversion(g, plan.layers, plan.strands, mask, revertReqs, { placer });
  const planMs = clock() - tPlan;
  opts.onPlanned?.(planMs);
  const t2 = clock();

  const report: BatchReport = { batchId: opts.batchId, failedSpans: failedIds, examined: rows.length, switched: [], rerouted: [], down: [], restored: [], reverted: [], trunksRerouted: [], timings: { identifyMs: t1 - t0, loadMs: tPlan - t1, planMs, writeMs: 0 } };
  const inserts: NewAllocation[] = [];
  const updates: { id: string; state: string; design: unknown }[] = [];
  const remember: { serviceId: string; design: unknown; kind: 'switched' | 'rerouted' }[] = [];
  const releaseSvc: string[] = [];
  const swap: string[] = [];
  const forget: string[] = [];
  const goingDown: string[] = [];
  const comingUp: string[] = [];
  const events: ServiceEvent[] = [];

  // Trunks first: their new paths decide what the circuits riding them see.
  const trunkMoved = new Map<string, ReturnType<typeof pathGeometry>>();
  for (const t of trunks) {
    const o = outcome.get(t.id);
    if (o?.action !== 'rerouted' || !o.wave) continue;
    const w = waveOf(view, o.wave, TRUNK_RATE_GBPS, { serviceId: null, trunkId: t.id, role: 'trunk' }, policy.marginDb);
    inserts.push(...w.rows);
    const geo = pathGeometry(view, o.path);
    trunkMoved.set(t.id, geo);
    await rs.moveTrunk(tx, { id: t.id, ...geo });
    report.trunksRerouted.push(t.id);
  }

  for (const r of rows) {
    const spec = r.spec as CircuitSpec;
    const design = r.design as CircuitDesign;
    const wasDown = r.state === 'down';
    const up = (): void => {
      if (wasDown) {
        comingUp.push(r.id);
        report.restored.push(r.id);
        events.push({ type: 'service.restored', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId } });
      }
    };
    const down = (reason: string): void => {
      report.down.push({ id: r.id, reason });
      if (wasDown) return;
      goingDown.push(r.id);
      updates.push({ id: r.id, state: 'down', design });
      events.push({ type: 'service.down', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId, reason } });
    };
    const switched = (next: CircuitDesign): void => {
      swap.push(r.id);
      remember.push({ serviceId: r.id, design, kind: 'switched' });
      updates.push({ id: r.id, state: 'active', design: next });
      report.switched.push(r.id);
      events.push({ type: 'service.protection-switched', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId, activeSpanIds: activeFirst(next)[0]?.spanIds ?? [] } });
      up();
    };

    if (isPacketProduct(spec.product)) {
      // A circuit rides its trunks: a path is healthy when its trunk is untouched or was rerouted.
      let moved = false;
      const paths = design.paths.map((p) => {
        const geo = p.trunk ? trunkMoved.get(p.trunk.trunkId) : undefined;
        if (!geo) return p;
        moved = true;
        return { ...p, ...geo };
      });
      const healthy = (p: DesignPath): boolean => {
        const hp = heldPath(view, p);
        return !!hp && !pathHit(hp, mask);
      };
      const next: CircuitDesign = { paths };
      const ordered = activeFirst(next);
      if (ordered[0] && healthy(ordered[0])) {
        if (moved) {
          updates.push({ id: r.id, state: 'active', design: next });
          report.rerouted.push({ id: r.id, addedLatencyUs: ordered[0].latencyUs - (activeFirst(design)[0]?.latencyUs ?? 0) });
          events.push({ type: 'service.rerouted', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId, spanIds: ordered[0].spanIds } });
          up();
        } else if (wasDown) {
          updates.push({ id: r.id, state: 'active', design });
          up();
        }
      } else if (spec.protection === 'protected-1+1' && ordered[1] && healthy(ordered[1])) switched(swapped(next));
      else down(spec.protection === 'protected-1+1' ? 'both-paths-failed' : spec.protection === 'restorable' ? 'no-capacity' : 'unprotected');
      continue;
    }

    const o = outcome.get(r.id);
    if (!o || o.action === 'degraded') {
      if (wasDown) {
        updates.push({ id: r.id, state: 'active', design });
        up();
      }
      continue;
    }
    if (o.action === 'switched') switched(swapped(design));
    else if (o.action === 'down') down(o.reason);
    else {
      const geo = pathGeometry(view, o.path);
      const dp: DesignPath = { role: 'working', ...geo };
      if (o.wave) {
        const w = waveOf(view, o.wave, spec.bandwidthGbps, { serviceId: r.id, trunkId: null, role: 'working' }, policy.marginDb);
        dp.wave = w.wave;
        inserts.push(...w.rows);
      } else if (o.strands) {
        const s = strandsOf(view, o.strands, r.id, 'working');
        dp.strands = s.strands;
        inserts.push(...s.rows);
      }
      const next: CircuitDesign = { paths: [dp] };
      releaseSvc.push(r.id);
      remember.push({ serviceId: r.id, design, kind: 'rerouted' });
      updates.push({ id: r.id, state: 'active', design: next });
      report.rerouted.push({ id: r.id, addedLatencyUs: o.addedLatencyUs });
      events.push({ type: 'service.rerouted', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId, spanIds: geo.spanIds, addedLatencyUs: o.addedLatencyUs } });
      up();
    }
  }

  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const o of rev.outcomes as RevertOutcome[]) {
    if (o.action !== 'reverted') continue;
    const r = byId.get(o.id);
    if (!r) continue;
    const spec = r.spec as CircuitSpec;
    const orig = activeFirst(r.originalDesign as CircuitDesign)[0];
    const dp: DesignPath = { ...orig, role: 'working' };
    delete dp.wave;
    delete dp.strands;
    if (o.wave) {
      const w = waveOf(view, o.wave, spec.bandwidthGbps, { serviceId: r.id, trunkId: null, role: 'working' }, policy.marginDb);
      dp.wave = w.wave;
      inserts.push(...w.rows);
    } else if (o.strands) {
      const s = strandsOf(view, o.strands, r.id, 'working');
      dp.strands = s.strands;
      inserts.push(...s.rows);
    }
    releaseSvc.push(r.id);
    forget.push(r.id);
    updates.push({ id: r.id, state: 'active', design: { paths: [dp] } });
    report.reverted.push(r.id);
    events.push({ type: 'service.reverted', tenantId: r.tenantId, id: r.id, data: { serviceId: r.id, batchId: opts.batchId, spanIds: dp.spanIds } });
  }
  for (const id of switchBack) {
    const r = byId.get(id) as rs.RestorableServiceRow;
    swap.push(id);
    forget.push(id);
    updates.push({ id, state: 'active', design: swapped(r.design as CircuitDesign) });
    report.reverted.push(id);
    events.push({ type: 'service.reverted', tenantId: r.tenantId, id, data: { serviceId: id, batchId: opts.batchId } });
  }

  // Make-before-break: new ranges go in first (the plan kept the old ones occupied, so they cannot
  // collide with them), then the old paths' ranges end. Under the advisory locks every order takes on
  // the resources it writes (one discipline: see placedOrdersWrites), so an order's locked attempt
  // waits for this batch and plans on what it committed instead of colliding with its rows.
  await lockResources(tx, [...new Set(inserts.map((a) => `${a.kind}:${a.resourceId}:${a.sub}`))].sort());
  await insertAllocations(tx, opts.batchId, inserts.map((a) => ({ ...a })));
  await rs.releaseServicesExcept(tx, releaseSvc, opts.batchId);
  await rs.releaseTrunksExcept(tx, [...trunkMoved.keys()], opts.batchId);
  await rs.swapRoles(tx, swap);
  await rs.rememberOriginal(tx, remember);
  await rs.forgetOriginal(tx, forget);
  await rs.updateServices(tx, updates);
  await openOutages(tx, goingDown, opts.batchId);
  await closeOutages(tx, comingUp);
  await rs.appendEventsBulk(tx, events.map((e) => ({ type: e.type, tenantId: e.tenantId, subject: { kind: 'service', id: e.id }, data: e.data })));
  // The devices follow: each moved wave gets a leased reconfiguration, written with the move itself.
  const moved = [...report.rerouted.map((r) => r.id), ...report.reverted].filter((id) => {
    const spec = byId.get(id)?.spec as CircuitSpec | undefined;
    return !spec || !isPacketProduct(spec.product);
  });
  await enqueueJobs(tx, [...new Set(moved)].sort().map((id) => ({ kind: RECONFIGURE_SERVICE, subject: id })));
  report.timings.writeMs = clock() - t2;
  return report;
}
