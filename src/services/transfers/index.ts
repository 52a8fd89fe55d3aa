/**
 * Bulk transfers by deadline: admit "this many TB from A to B by then" only with a schedule whose
 * capacity is held in the calendar, on trunk capacity nobody else holds in those slots.
 *
 * Every decision runs in one transaction under the ordering discipline (src/services/ordering/README.md):
 * a transfer-wide advisory lock (decisions may move each other's future slots, so they go one at a
 * time), the inventory-version row FOR SHARE (no inventory change or failure commits meanwhile), the
 * live trunks FOR SHARE, and the advisory locks of every trunk resource (locked-mode orders queue). It
 * reads what the calendar holds per trunk and slot, rebuilds the engine's state from the stored
 * schedules (`TransferScheduler.restore`), decides, and writes the new and moved schedules as
 * time-bounded trunk allocations. Orders placed optimistically by other processes meet it at the
 * exclusion constraint: the loser starts over (withAllocationRetry), so nothing is ever held twice.
 *
 * Engine slots: slot 0 is the one containing the current time (running: frozen), decisions are made for
 * slots 1.. (engine `now` = 1).
 */
import highsModule from 'highs';
import type { Highs } from 'highs';
import { LightpathError, notFound, validationFailed, type FieldError } from '../../domain/errors.js';
import { TransferScheduler, highsLpSolver, type CutResult, type HighsLpSolver, type TransferRequest, type TransferSchedule } from '../../engine/transfers/index.js';
import type { Db, Queryable } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import { failedSpanIds } from '../../store/failures.js';
import { lockInventoryShared } from '../../store/inventory.js';
import { lockResources } from '../../store/ordering.js';
import * as st from '../../store/transfers.js';
import { audit } from '../audit.js';
import { newUlid as ulid } from '../ids.js';
import { requestHash, RetryAllocation, withAllocationRetry } from '../ordering/common.js';
import { loadPriceBook } from '../ordering/pricebook.js';
import { SYSTEM_PRINCIPAL, tenantScope, type Principal } from '../ordering/principal.js';
import { pageArgs, toPage, type Page } from '../paging.js';
import { createOrderingContext, type OrderingContext } from '../ordering/context.js';
import type { LightpathInput } from '../../engine/qot/index.js';
import { candidateTrunkPaths, enginePath, MAX_HORIZON_SLOTS, packHolds, SLOT_SECONDS, slotMs, slotOf, slotStartIso, transferNetwork } from './calendar.js';
import { isWaveLink, planTransferWave, storedWaveLink, waveHoldRows, waveLockKeys, waveOption, waveRoute, type WaveCandidate } from './waves.js';

// The package's default export is its async loader, but its types.d.ts is read under NodeNext as the module
// namespace (a CommonJS package with an ESM build); cast to the loader signature the package documents.
const loadHighs = highsModule as unknown as () => Promise<Highs>;

/** A wave is worth planning only for a window longer than its setup plus one slot of traffic. */
const WAVE_MIN_SLOTS = 2;

// Arbitrary constant, distinct from the other advisory lock keys: one transfer decision at a time.
const TRANSFERS_LOCK_KEY = 7_310_550_011;

/** Admitted transfers one admission may move (incremental re-optimisation; see the engine's option). */
const MAX_MOVED_TRANSFERS = 16;

/** Decimal terabytes to gigabits. */
const GBIT_PER_TB = 8000;

export type TransferState = 'scheduled' | 'running' | 'completed' | 'late' | 'cancelled';

/** A transfer as the API shows it. */
export interface Transfer {
  id: string;
  tenantId: string;
  aSite: string;
  zSite: string;
  volumeTB: number;
  earliestStart: string;
  deadline: string;
  maxRateGbps: number | null;
  state: TransferState;
  slotSeconds: number;
  schedule: { start: string; end: string; rateGbps: number; paths: { path: string; rateGbps: number }[] }[];
  paths: { id: string; trunks: string[]; sites: string[]; latencyUs: number }[];
  /** Waves lit for this transfer on free spectrum (the path whose only trunk is `wave:<id>`). */
  waves: TransferWaveView[];
  expectedCompletion: string;
  deliveredTB: number;
  price: { amountMinor: number; currency: string };
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
}

/** A wave lit for a transfer as the API shows it. */
export interface TransferWaveView extends Pick<st.StoredTransferWave, 'id' | 'lengthKm' | 'latencyUs' | 'capacityGbps' | 'modeId' | 'centerFrequencyGhz' | 'gsnrDb'> {
  /** The path id (and only trunk) that carries it in `paths` and `schedule`. */
  path: string;
  sites: string[];
  spans: string[];
  regeneratorSites: string[];
  /** When its spectrum is held (lit); it carries traffic from `setupSeconds` after each start. */
  lit: { start: string; end: string }[];
  setupSeconds: number;
}

export interface TransferServiceOptions {
  /** Clock (tests). */
  now?: () => number;
  /** Simplex iterations per LP (deterministic budget; default 200,000); past it the greedy path answers. */
  iterationLimit?: number;
  /**
   * Wall-clock seconds per LP (default 5): a decision holds the transfer lock, so a solve slowed by a busy
   * machine must not stall every other request; past it the EDF re-plan or greedy placement answers.
   */
  timeLimitSeconds?: number;
  /**
   * The ordering context whose network view, lit channels and in-flight waves a wave lit for a transfer is
   * planned with (the server passes its own; default: one of the service's own).
   */
  ordering?: OrderingContext;
  /** Light express waves on free spectrum when trunk capacity does not suffice (default true; see waves.ts). */
  lightWaves?: boolean;
}

/** What a decision asks of the load: the new transfer, for the wave it may light. */
interface WaveAsk {
  transferId: string;
  aSite: string;
  zSite: string;
  earliestMs: number;
  deadlineMs: number;
  pricePerGbit: (lengthKm: number) => number;
}

interface Parsed {
  aSite: string;
  zSite: string;
  volumeGbit: number;
  earliestMs: number;
  deadlineMs: number;
  maxRateGbps: number | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseInstant(v: unknown, path: string, errors: FieldError[]): number | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) {
    errors.push({ path, message: 'must be an RFC 3339 date-time with a time zone, e.g. 2026-12-04T06:00:00Z' });
    return null;
  }
  return Date.parse(v);
}

export class TransferService {
  private solver: Promise<HighsLpSolver> | null = null;
  private readonly now: () => number;
  private optics: OrderingContext | null;

  constructor(
    private readonly db: Db,
    private readonly opts: TransferServiceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.optics = opts.ordering ?? null;
  }

  /** The ordering context waves are planned with (made on first use when none was given). */
  private ordering(): OrderingContext {
    this.optics ??= createOrderingContext(this.db, { now: this.now });
    return this.optics;
  }

  /** One HiGHS runtime per process, replaced after a WASM failure (see engine/transfers/highs.ts). */
  private async lp(): Promise<HighsLpSolver> {
    if (this.solver) {
      const s = await this.solver;
      if (!s.broken) return s;
    }
    this.solver = loadHighs().then((h) => highsLpSolver(h));
    return this.solver;
  }

  private parse(input: unknown, nowMs: number): Parsed {
    const errors: FieldError[] = [];
    if (!isObject(input)) throw validationFailed('invalid transfer', [{ path: '', message: 'must be an object' }]);
    const allowed = ['aSite', 'zSite', 'volumeTB', 'deadline', 'earliestStart', 'maxRateGbps'];
    for (const k of Object.keys(input)) if (!allowed.includes(k)) errors.push({ path: `/${k}`, message: `unknown field (allowed: ${allowed.join(', ')})` });
    const site = (k: string): string => {
      const v = input[k];
      if (typeof v !== 'string' || v.length === 0 || v.length > 64) errors.push({ path: `/${k}`, message: 'must be a site id' });
      return typeof v === 'string' ? v : '';
    };
    const aSite = site('aSite');
    const zSite = site('zSite');
    if (aSite !== '' && aSite === zSite) errors.push({ path: '/zSite', message: 'must differ from aSite' });
    const vol = input.volumeTB;
    if (typeof vol !== 'number' || !Number.isFinite(vol) || vol <= 0 || vol > 100_000) errors.push({ path: '/volumeTB', message: 'must be a number of terabytes in (0, 100000]' });
    const deadlineMs = parseInstant(input.deadline, '/deadline', errors);
    const earliestMs = input.earliestStart === undefined ? nowMs : parseInstant(input.earliestStart, '/earliestStart', errors);
    const rate = input.maxRateGbps;
    if (rate !== undefined && rate !== null && (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1 || rate > 100_000)) {
      errors.push({ path: '/maxRateGbps', message: 'must be an integer number of Gbps in [1, 100000]' });
    }
    if (deadlineMs !== null && earliestMs !== null) {
      if (deadlineMs <= nowMs) errors.push({ path: '/deadline', message: 'must be in the future' });
      else if (deadlineMs <= earliestMs) errors.push({ path: '/deadline', message: 'must be after earliestStart' });
      else if (deadlineMs > nowMs + MAX_HORIZON_SLOTS * slotMs() * 0.5) errors.push({ path: '/deadline', message: `must be within ${(MAX_HORIZON_SLOTS * SLOT_SECONDS) / 2 / 86400} days` });
    }
    if (errors.length > 0) throw validationFailed('invalid transfer', errors);
    return {
      aSite,
      zSite,
      volumeGbit: (vol as number) * GBIT_PER_TB,
      earliestMs: Math.max(earliestMs as number, nowMs),
      deadlineMs: deadlineMs as number,
      maxRateGbps: typeof rate === 'number' ? rate : null,
    };
  }

  /**
   * Admits a transfer with a schedule, or refuses with 409 deadline-infeasible naming the earliest
   * feasible deadline and the most volume that fits by the requested one. Idempotent per key.
   */
  async create(p: Principal, input: unknown, idempotencyKey?: string): Promise<{ transfer: Transfer; created: boolean }> {
    const hash = requestHash(input);
    const parsed = this.parse(input, this.now());
    const known = await this.db.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1::text[])', [[parsed.aSite, parsed.zSite]]);
    const errors: FieldError[] = [];
    for (const [k, id] of [['aSite', parsed.aSite], ['zSite', parsed.zSite]] as const) if (!known.rows.some((r) => r.id === id)) errors.push({ path: `/${k}`, message: `unknown site ${JSON.stringify(id)}` });
    if (errors.length > 0) throw validationFailed('invalid transfer', errors);
    const id = `trf_${ulid()}`;
    const solver = await this.lp();
    // A wave planned in the transaction stays lit for this process's other plans until it settles.
    let litHeld: LightpathInput[] = [];
    const settle = (committed: boolean): void => {
      if (litHeld.length > 0) this.ordering().lit.settle(litHeld, committed);
      litHeld = [];
    };
    return withAllocationRetry(this.db, async (tx) => {
      if (idempotencyKey) {
        const prior = await st.transferByIdempotencyKey(tx, p.tenantId, idempotencyKey);
        if (prior) {
          if (prior.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'this Idempotency-Key was used with a different request');
          return { transfer: this.view(prior), created: false };
        }
      }
      const book = await loadPriceBook(tx);
      const perGbit = (lengthKm: number): number => (book.products.ethernet.perGbpsMonthlyMinor * (1 + lengthKm / 1000)) / (book.hoursPerMonth * 3600);
      const ctx = await this.load(tx, solver, { transferId: id, aSite: parsed.aSite, zSite: parsed.zSite, earliestMs: parsed.earliestMs, deadlineMs: parsed.deadlineMs, pricePerGbit: perGbit });
      const { scheduler, base, stored, wave } = ctx;
      const trunkPaths = candidateTrunkPaths(ctx.trunks, parsed.aSite, parsed.zSite, book.products.ethernet.perGbpsMonthlyMinor, book.hoursPerMonth);
      // The wave's path comes last: the scheduler lights it only when it pays (see waves.ts).
      const stPaths = wave ? [...trunkPaths, wave.path] : trunkPaths;
      const earliestSlot = Math.max(1, Math.ceil(parsed.earliestMs / slotMs()) - base);
      const deadlineSlot = slotOf(parsed.deadlineMs) - base;
      const refuse = (most: number | null, earliest: number | null, why: string): never => {
        const mostVolumeTB = most === null ? null : Math.floor((most / GBIT_PER_TB) * 1000) / 1000;
        const earliestFeasibleDeadline = earliest === null ? null : slotStartIso(base + earliest);
        const answers = `earliest feasible deadline: ${earliestFeasibleDeadline ?? `none within ${(MAX_HORIZON_SLOTS * SLOT_SECONDS) / 86400} days`}; most volume by the requested deadline: ${mostVolumeTB ?? 'unknown'} TB`;
        throw new LightpathError('deadline-infeasible', `${why} (${answers})`, undefined, { mostVolumeTB, earliestFeasibleDeadline });
      };
      if (stPaths.length === 0) refuse(0, null, `no trunk path joins ${parsed.aSite} and ${parsed.zSite} and no wave can be lit between them for the window: transfers ride spare trunk capacity or waves lit on free spectrum`);
      const req: TransferRequest = {
        id,
        volumeGbit: parsed.volumeGbit,
        earliestSlot,
        deadlineSlot: Math.max(deadlineSlot, earliestSlot + 1),
        ...(parsed.maxRateGbps !== null ? { maxRateGbps: parsed.maxRateGbps } : {}),
        paths: stPaths.map((x) => enginePath(x, ctx.linkOf) as NonNullable<ReturnType<typeof enginePath>>),
      };
      if (deadlineSlot <= earliestSlot) {
        const e = scheduler.explainRefusal(req, 1);
        refuse(0, e.earliestDeadlineSlot, 'the deadline leaves no whole 15-minute slot after the earliest start');
      }
      const r = scheduler.admit(req, 1);
      if (!r.admitted) {
        refuse(r.mostVolumeGbit, r.earliestDeadlineSlot, `${parsed.volumeGbit / GBIT_PER_TB} TB is not admissible by ${new Date(parsed.deadlineMs).toISOString()}: the capacity free on the trunk paths from ${parsed.aSite} to ${parsed.zSite}${wave ? ' and a wave lit for it on free spectrum' : ''}, with every admitted transfer kept on time, does not carry it`);
      }
      // The wave, if the scheduler lit it: its spectrum held run by run, owned by the transfer.
      const lit = wave ? scheduler.waveHolds(1).filter((h) => h.waveId === wave.wave.linkId && h.count > 0) : [];
      const storedWave = wave && lit.length > 0 ? { ...wave.wave, runs: lit.map((h) => ({ fromSlot: base + h.fromSlot, toSlot: base + h.toSlot })) } : null;
      const keptPaths = storedWave ? stPaths : trunkPaths;
      // Write: the moved transfers' future holds first, then the new transfer and its holds.
      const admitted = r as Extract<typeof r, { admitted: true }>;
      const movedIds = admitted.moved.map((m) => m.id);
      await st.releaseTransferHolds(tx, movedIds, slotStartIso(base + 1));
      const row = await st.insertTransfer(tx, {
        id,
        tenantId: p.tenantId,
        aSiteId: parsed.aSite,
        zSiteId: parsed.zSite,
        volumeGbit: parsed.volumeGbit,
        earliestStart: new Date(parsed.earliestMs).toISOString(),
        deadline: new Date(parsed.deadlineMs).toISOString(),
        maxRateGbps: parsed.maxRateGbps,
        state: 'scheduled',
        slotSeconds: SLOT_SECONDS,
        paths: keptPaths,
        schedule: toStored(admitted.schedule, base),
        waves: storedWave ? [storedWave] : [],
        priceMinor: admitted.schedule.priceMinor,
        currency: book.currency,
        completionAt: slotStartIso(base + admitted.schedule.completionSlot),
        idempotencyKey: idempotencyKey ?? null,
        requestHash: hash,
      });
      const events: Parameters<typeof appendEvent>[1][] = [];
      for (const m of admitted.moved) {
        const prev = stored.get(m.id) as st.TransferRow;
        const schedule = [...prev.schedule.filter((e) => e.slot <= base), ...toStored(m, base).filter((e) => e.slot > base)];
        const completionAt = slotStartIso(base + m.completionSlot);
        await st.updateTransfer(tx, m.id, { state: prev.state, schedule, completionAt });
        await audit(tx, p, { action: 'transfer.reschedule', subject: { kind: 'transfer', id: m.id }, tenantId: prev.tenantId, before: { completionAt: prev.completionAt }, after: { completionAt, cause: id } });
        events.push({ type: 'transfer.rescheduled', tenantId: prev.tenantId, subject: { kind: 'transfer', id: m.id }, data: { transferId: m.id, expectedCompletion: completionAt, cause: 'another transfer was admitted' } });
      }
      await this.writeHolds(tx, ctx, [id, ...movedIds], base);
      if (wave && storedWave) {
        litHeld = wave.plan.lightpaths;
        this.ordering().lit.hold(litHeld);
        await st.insertTransferWaveHolds(tx, waveHoldRows(id, wave, storedWave.runs, (s) => slotStartIso(s)));
      }
      await audit(tx, p, {
        action: 'transfer.create',
        subject: { kind: 'transfer', id },
        tenantId: p.tenantId,
        after: { aSite: parsed.aSite, zSite: parsed.zSite, volumeGbit: parsed.volumeGbit, deadline: row.deadline, completionAt: row.completionAt, solvedBy: admitted.solve.solvedBy, ...(storedWave ? { waveLit: { id: storedWave.id, spanIds: storedWave.spanIds, runs: storedWave.runs.map((r) => ({ start: slotStartIso(r.fromSlot), end: slotStartIso(r.toSlot) })) } } : {}) },
      });
      const view = this.view(row);
      events.push({ type: 'transfer.scheduled', tenantId: p.tenantId, subject: { kind: 'transfer', id }, data: { transferId: id, expectedCompletion: view.expectedCompletion, price: view.price } });
      for (const e of events) await appendEvent(tx, e);
      return { transfer: view, created: true };
    }, undefined, { onAttemptEnd: settle });
  }

  async get(p: Principal, id: string): Promise<Transfer> {
    const row = await st.getTransfer(this.db, id, tenantScope(p));
    if (!row) throw notFound('transfer', id);
    return this.view(row);
  }

  async list(p: Principal, req: { limit?: number; cursor?: string; state?: string }): Promise<Page<Transfer>> {
    const { limit, after } = pageArgs(req);
    // Derived states (running, completed) are filtered after reading: the stored state is scheduled.
    const derived = req.state === 'running' || req.state === 'completed';
    const rows = await st.listTransfers(this.db, { tenantId: tenantScope(p), after, limit: limit + 1, state: derived ? 'scheduled' : req.state });
    const page = toPage(rows, limit, (r) => r.id);
    return { items: page.items.map((r) => this.view(r)).filter((t) => !req.state || t.state === req.state), nextCursor: page.nextCursor };
  }

  /** Cancels: every slot from now on is released (what ran stays as history). */
  async cancel(p: Principal, id: string): Promise<Transfer> {
    const nowMs = this.now();
    return withAllocationRetry(this.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [TRANSFERS_LOCK_KEY]);
      const row = await st.getTransfer(tx, id, tenantScope(p), true);
      if (!row) throw notFound('transfer', id);
      if (row.state === 'cancelled') throw new LightpathError('conflict', `transfer ${id} is already cancelled`);
      if (Date.parse(row.completionAt) <= nowMs) throw new LightpathError('conflict', `transfer ${id} completed at ${row.completionAt}`);
      const nowIso = new Date(nowMs).toISOString();
      await st.releaseTransferHolds(tx, [id], nowIso, { waves: true });
      const base = slotOf(nowMs);
      await st.updateTransfer(tx, id, { state: 'cancelled', schedule: row.schedule.filter((e) => e.slot <= base), completionAt: nowIso, cancelled: true, waves: trimWaves(row.waves, nowMs) });
      await audit(tx, p, { action: 'transfer.cancel', subject: { kind: 'transfer', id }, tenantId: row.tenantId, before: { state: row.state, completionAt: row.completionAt } });
      await appendEvent(tx, { type: 'transfer.cancelled', tenantId: row.tenantId, subject: { kind: 'transfer', id }, data: { transferId: id } });
      return this.view((await st.getTransfer(tx, id, undefined)) as st.TransferRow);
    });
  }

  /**
   * After a restoration batch: the trunks whose path still crosses a failed span carry nothing from now
   * on; transfers holding future capacity on them are re-planned (cheap check first: usually none).
   */
  async replanAfterFailures(tx: Queryable): Promise<CutResult | null> {
    const nowMs = this.now();
    const down = await st.downTrunksWithTransfers(tx, new Date(nowMs).toISOString());
    // Waves lit for transfers across a failed span go dark (they are not restored: the scheduler re-plans).
    const failed = new Set(await failedSpanIds(tx));
    const next = slotOf(nowMs) + 1;
    const waves = failed.size === 0 ? [] : (await st.openTransfers(tx, new Date(nowMs).toISOString())).flatMap((t) => t.waves.filter((w) => w.spanIds.some((x) => failed.has(x)) && w.runs.some((r) => r.toSlot > next)).map((w) => w.linkId));
    return this.replanAfterCut(tx, SYSTEM_PRINCIPAL, [...down, ...waves]);
  }

  /**
   * Re-plans the transfers that held capacity on trunks (or waves lit for them, `wave:` ids) that are down
   * from now on (a cut the restoration pass could not route around), inside the caller's transaction (the
   * restoration batch, which holds the inventory-version row). A dark wave's spectrum is released from the
   * next slot. Those that can no longer make their deadline become `late` with their new ETA and a
   * `transfer.at-risk` event.
   */
  async replanAfterCut(tx: Queryable, p: Principal, downTrunkIds: readonly string[]): Promise<CutResult | null> {
    if (downTrunkIds.length === 0) return null;
    await tx.query('SELECT pg_advisory_xact_lock($1)', [TRANSFERS_LOCK_KEY]);
    const solver = await this.lp();
    const ctx = await this.load(tx, solver);
    const links = downTrunkIds.map((tid) => ctx.linkOf.get(tid)).filter((e): e is number => e !== undefined);
    if (links.length === 0 || ctx.stored.size === 0) return null;
    const res = ctx.scheduler.cut(links, 1, 1);
    // Dark waves: spectrum released from the next slot, runs trimmed there.
    const darkIds = new Set(downTrunkIds.filter(isWaveLink));
    const wavesAfter = new Map<string, st.StoredTransferWave[]>();
    for (const t of ctx.open) {
      const dark = t.waves.filter((w) => darkIds.has(w.linkId));
      if (dark.length === 0) continue;
      await st.releaseTransferWaves(tx, [t.id], slotStartIso(ctx.base + 1), dark.flatMap((w) => w.lightpathIds));
      wavesAfter.set(t.id, t.waves.map((w) => (darkIds.has(w.linkId) ? { ...w, runs: trimRuns(w.runs, ctx.base + 1) } : w)));
    }
    const changed = [...res.replanned, ...res.late.map((l) => l.schedule)];
    for (const [tid, waves] of wavesAfter) {
      if (changed.some((x) => x.id === tid)) continue;
      const prev = ctx.open.find((x) => x.id === tid) as st.TransferRow;
      await st.updateTransfer(tx, tid, { state: prev.state, schedule: prev.schedule, completionAt: prev.completionAt, waves });
    }
    if (res.affected.length === 0) return res;
    const lateIds = new Set(res.late.map((l) => l.id));
    await st.releaseTransferHolds(tx, res.affected, slotStartIso(ctx.base + 1));
    for (const s of changed) {
      const prev = ctx.stored.get(s.id) as st.TransferRow;
      const schedule = [...prev.schedule.filter((e) => e.slot <= ctx.base), ...toStored(s, ctx.base).filter((e) => e.slot > ctx.base)];
      const completionAt = slotStartIso(ctx.base + s.completionSlot);
      const late = lateIds.has(s.id);
      const waves = wavesAfter.get(s.id);
      await st.updateTransfer(tx, s.id, { state: late ? 'late' : prev.state, schedule, completionAt, ...(waves ? { waves } : {}) });
      await audit(tx, p, { action: 'transfer.replan', subject: { kind: 'transfer', id: s.id }, tenantId: prev.tenantId, before: { completionAt: prev.completionAt }, after: { completionAt, late } });
      if (late) {
        const l = res.late.find((x) => x.id === s.id);
        await appendEvent(tx, {
          type: 'transfer.at-risk',
          tenantId: prev.tenantId,
          subject: { kind: 'transfer', id: s.id },
          data: { transferId: s.id, deadline: prev.deadline, eta: l?.etaSlot == null ? null : slotStartIso(ctx.base + l.etaSlot), deliveredByDeadlineTB: (l?.deliveredByDeadlineGbit ?? 0) / GBIT_PER_TB },
        });
      } else {
        await appendEvent(tx, { type: 'transfer.rescheduled', tenantId: prev.tenantId, subject: { kind: 'transfer', id: s.id }, data: { transferId: s.id, expectedCompletion: completionAt, cause: 'capacity cut' } });
      }
    }
    // Transfers whose slots did not change keep their allocations; the rest are written again.
    const unchanged = res.affected.filter((x) => !changed.some((s) => s.id === x));
    await this.writeHolds(tx, ctx, [...changed.map((s) => s.id), ...unchanged], ctx.base);
    return res;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Locks, reads the calendar and rebuilds the scheduler with every open transfer (their lit waves as
   * links of their own); with `ask`, also plans the wave the new transfer may light (waves.ts).
   */
  private async load(tx: Queryable, solver: HighsLpSolver, ask: WaveAsk | null = null) {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [TRANSFERS_LOCK_KEY]);
    const version = await lockInventoryShared(tx);
    const trunks = await st.lockTransferTrunks(tx);
    const optics = ask && this.opts.lightWaves !== false ? this.ordering() : null;
    const view = optics ? await optics.views.at(tx, version) : null;
    const route = optics && view && ask ? waveRoute(optics, view, ask.aSite, ask.zSite) : null;
    // One sorted set of keys (trunks and the wave's spectrum): the global order that cannot deadlock.
    const waveKeys = optics && view && ask && route ? waveLockKeys(optics, view, ask.aSite, ask.zSite, route) : [];
    await lockResources(tx, [...trunks.map((t) => `trunk:${t.id}:0`), ...waveKeys].sort());
    const nowMs = this.now();
    const base = slotOf(nowMs);
    const open = await st.openTransfers(tx, new Date(nowMs).toISOString());
    // The whole horizon (twice the furthest deadline accepted): the earliest feasible deadline of a
    // refusal may lie well past the requested one. Columns exist only inside each transfer's window.
    const H = MAX_HORIZON_SLOTS;
    const holds = await st.trunkHolds(tx, trunks.map((t) => t.id), slotStartIso(base), slotStartIso(base + H));
    const trunkNet = transferNetwork(trunks, holds, base, H);
    // Waves lit for open transfers: a link each, carrying its own transfer only.
    const links = [...trunkNet.links];
    for (const t of open) for (const w of t.waves) links.push(storedWaveLink(w, base, H));
    let wave: WaveCandidate | null = null;
    let network = { ...trunkNet, links };
    if (optics && view && ask && route) {
      const fromSlot = Math.max(1, Math.ceil(ask.earliestMs / slotMs()) - base);
      const toSlot = Math.min(H, slotOf(ask.deadlineMs) - base);
      if (toSlot - fromSlot >= WAVE_MIN_SLOTS) {
        wave = await planTransferWave(optics, tx, view, { transferId: ask.transferId, aSite: ask.aSite, zSite: ask.zSite, fromMs: (base + fromSlot) * slotMs(), toMs: (base + toSlot) * slotMs() }, route, ask.pricePerGbit);
        if (wave) {
          const o = waveOption(wave, links.length, 0, fromSlot, toSlot, H, SLOT_SECONDS);
          network = { ...trunkNet, links: [...links, o.link], spectrum: [o.spectrum], waves: [o.option] };
        }
      }
    }
    const linkOf = new Map(network.links.map((l, i) => [l.id, i]));
    // Incremental re-optimisation: at most 16 transfers (those in the new one's way) move per admission,
    // so a decision's LP does not grow with the number of open transfers (bench:transfers, timing case).
    const scheduler = new TransferScheduler(network, solver, { iterationLimit: this.opts.iterationLimit ?? 200_000, timeLimitSeconds: this.opts.timeLimitSeconds ?? 5, useWaves: wave !== null, warmStart: false, maxMovedTransfers: MAX_MOVED_TRANSFERS });
    const stored = new Map<string, st.TransferRow>();
    for (const t of open) {
      const paths = t.paths.map((x) => enginePath(x, linkOf));
      const entries = t.schedule.filter((e) => e.slot >= base).map((e) => ({ slot: e.slot - base, path: e.path, rateGbps: e.rateGbps }));
      if (entries.length === 0) continue;
      if (paths.some((x) => x === null)) throw new Error(`internal: transfer ${t.id} rides a trunk that is no longer live`);
      const deliveredBefore = t.schedule.filter((e) => e.slot < base).reduce((s, e) => s + e.rateGbps * t.slotSeconds, 0);
      // The quote covers the whole schedule; the slots restored may cost what it leaves after those before them.
      const pricedBefore = t.schedule.filter((e) => e.slot < base).reduce((s, e) => s + e.rateGbps * t.slotSeconds * (t.paths[e.path]?.pricePerGbitMinor ?? 0), 0);
      const earliest = Math.max(0, Math.ceil(Date.parse(t.earliestStart) / slotMs()) - base);
      const deadline = Math.max(slotOf(Date.parse(t.deadline)) - base, earliest + 1);
      scheduler.restore(
        {
          id: t.id,
          // What it still owes from slot 0 on.
          volumeGbit: Math.max(1e-6, t.volumeGbit - deliveredBefore),
          earliestSlot: earliest,
          deadlineSlot: deadline,
          ...(t.maxRateGbps !== null ? { maxRateGbps: t.maxRateGbps } : {}),
          paths: paths as NonNullable<(typeof paths)[number]>[],
        },
        entries,
        Math.max(0, t.priceMinor - pricedBefore),
        { late: t.state === 'late', endSlot: Math.max(...entries.map((e) => e.slot + 1)) },
      );
      stored.set(t.id, t);
    }
    return { trunks, base, scheduler, linkOf, stored, wave, open, holdsAt: slotStartIso(base), horizonEnd: slotStartIso(base + H) };
  }

  /** Writes the given transfers' holds from slot 1 on, in unit ranges nobody holds then. */
  private async writeHolds(tx: Queryable, ctx: Awaited<ReturnType<TransferService['load']>>, ids: readonly string[], base: number): Promise<void> {
    const occupied = await st.trunkHolds(tx, ctx.trunks.map((t) => t.id), ctx.holdsAt, ctx.horizonEnd);
    const rows: Parameters<typeof st.insertTransferHolds>[1][number][] = [];
    for (const id of ids) {
      // A wave lit for a transfer carries that transfer alone: its spectrum is the allocation, not its Gbps.
      const packed = packHolds(ctx.trunks, occupied, ctx.scheduler.linkHolds(id, 1).filter((h) => !isWaveLink(h.linkId)), base);
      // An order placed optimistically (no locks) took trunk units after the plan's read: start over
      // from fresh state, as when the exclusion constraint refuses the write.
      if (!packed) throw new RetryAllocation('trunk units the plan counted on were taken meanwhile');
      for (const h of packed) {
        rows.push({ transferId: id, trunkId: h.trunkId, lo: h.lo, hi: h.hi, fromIso: slotStartIso(h.fromSlot), toIso: slotStartIso(h.toSlot) });
        occupied.push({ trunkId: h.trunkId, lo: h.lo, hi: h.hi, fromMs: h.fromSlot * slotMs(), toMs: h.toSlot * slotMs(), transferId: id });
      }
    }
    await st.insertTransferHolds(tx, rows);
  }

  /** The API view of a stored transfer at the current time. */
  private view(t: st.TransferRow): Transfer {
    const nowMs = this.now();
    const len = t.slotSeconds * 1000;
    const bySlot = new Map<number, { path: string; rateGbps: number }[]>();
    for (const e of t.schedule) {
      const list = bySlot.get(e.slot) ?? [];
      list.push({ path: t.paths[e.path]?.id ?? String(e.path), rateGbps: e.rateGbps });
      bySlot.set(e.slot, list);
    }
    let deliveredGbit = 0;
    for (const e of t.schedule) {
      const s0 = e.slot * len;
      const done = Math.min(1, Math.max(0, (nowMs - s0) / len));
      deliveredGbit += e.rateGbps * t.slotSeconds * done;
    }
    const completion = Date.parse(t.completionAt);
    const first = t.schedule.length > 0 ? Math.min(...t.schedule.map((e) => e.slot)) * len : completion;
    const state: TransferState =
      t.state === 'cancelled' ? 'cancelled' : completion <= nowMs ? 'completed' : t.state === 'late' ? 'late' : nowMs >= first ? 'running' : 'scheduled';
    return {
      id: t.id,
      tenantId: t.tenantId,
      aSite: t.aSiteId,
      zSite: t.zSiteId,
      volumeTB: t.volumeGbit / GBIT_PER_TB,
      earliestStart: t.earliestStart,
      deadline: t.deadline,
      maxRateGbps: t.maxRateGbps,
      state,
      slotSeconds: t.slotSeconds,
      schedule: [...bySlot.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([slot, paths]) => ({ start: new Date(slot * len).toISOString(), end: new Date((slot + 1) * len).toISOString(), rateGbps: paths.reduce((s, x) => s + x.rateGbps, 0), paths })),
      paths: t.paths.map((x) => ({ id: x.id, trunks: x.trunkIds, sites: x.siteIds, latencyUs: x.latencyUs })),
      waves: t.waves.map((w) => ({
        id: w.id,
        path: w.linkId,
        sites: w.siteIds,
        spans: w.spanIds,
        // Rounded once, here.
        lengthKm: Math.round(w.lengthKm * 10) / 10,
        latencyUs: Math.round(w.latencyUs),
        capacityGbps: w.capacityGbps,
        modeId: w.modeId,
        centerFrequencyGhz: w.centerFrequencyGhz,
        gsnrDb: w.gsnrDb === null ? null : Math.round(w.gsnrDb * 100) / 100,
        regeneratorSites: w.regeneratorSiteIds,
        lit: w.runs.filter((r) => r.toSlot > r.fromSlot).map((r) => ({ start: new Date(r.fromSlot * len).toISOString(), end: new Date(r.toSlot * len).toISOString() })),
        setupSeconds: w.setupSlots * t.slotSeconds,
      })),
      expectedCompletion: t.completionAt,
      deliveredTB: Math.min(t.volumeGbit, deliveredGbit) / GBIT_PER_TB,
      // Full precision inside; rounded once here (minor units, never below what the slots cost).
      price: { amountMinor: Math.ceil(t.priceMinor - 1e-9), currency: t.currency },
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      cancelledAt: t.cancelledAt,
    };
  }
}

/** Runs cut at slot `at` (runs from `at` on are gone). */
function trimRuns(runs: readonly { fromSlot: number; toSlot: number }[], at: number): { fromSlot: number; toSlot: number }[] {
  return runs.filter((r) => r.fromSlot < at).map((r) => ({ fromSlot: r.fromSlot, toSlot: Math.min(r.toSlot, at) }));
}

/** A cancelled transfer's waves: lit until the slot containing the cancellation ends at the latest. */
function trimWaves(waves: readonly st.StoredTransferWave[], nowMs: number): st.StoredTransferWave[] {
  return waves.map((w) => ({ ...w, runs: trimRuns(w.runs, Math.ceil(nowMs / slotMs())) }));
}

/** Engine schedule (relative slots) to stored entries (absolute slots). */
function toStored(s: TransferSchedule, base: number): st.StoredEntry[] {
  return s.entries.map((e) => ({ slot: base + e.slot, path: e.path, rateGbps: e.rateGbps }));
}
