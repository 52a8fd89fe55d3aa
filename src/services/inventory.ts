/**
 * Inventory use cases: the physical network's CRUD, import/export and first-start seeding. Every write
 * validates against the domain rules first and runs in one transaction, so a failed call changes nothing.
 */
import {
  DEFAULT_LINE_SYSTEM,
  DEFAULT_ROUTE_FACTOR,
  greatCircleKm,
  normalizeSite,
  normalizeSpan,
  straightGeometry,
  type Network,
  type Site,
  type Span,
  type Srlg,
} from '../domain/network.js';
import { lossBudget } from '../domain/loss.js';
import { litChannelRows, strandHolders } from '../store/ordering.js';
import { buildLitState } from './ordering/lit-channels.js';
import { buildNetworkView } from './ordering/network-view.js';
import { loadQotPolicy } from './ordering/qot-policy.js';
import type { CircuitDesign } from './ordering/design.js';
import { LightpathError, notFound, validationFailed, type FieldError } from '../domain/errors.js';
import { validateNetwork, validateSite, validateSpan, validateSrlg, type ValidationIssue } from '../domain/validate.js';
import { builtinNetwork } from '../data/builtin-network.js';
import { ImportError, parseNetwork, type ImportFormat, type ImportReport } from '../import/index.js';
import type { Db, Queryable } from '../store/db.js';
import { PgCode, sqlState } from '../store/db.js';
import { inUseDetail } from '../store/errors.js';
import * as inv from '../store/inventory.js';
import { page, type Page, type PageRequest } from './paging.js';
import { audit, type AuditEntry } from './audit.js';
import type { Principal } from './ordering/principal.js';
import { liveServiceIds, terminateLiveServices } from './ordering/teardown.js';

export type { Page, PageRequest } from './paging.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './paging.js';
import { closeOpenFailures, failedSpanIds } from '../store/failures.js';

/** Fields a client supplies to create a span; the rest get defaults. */
export interface SpanInput {
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm?: number | undefined;
  measuredLatencyUs?: number | null | undefined;
  geometry?: Span['geometry'] | undefined;
  srlgIds?: string[] | undefined;
  cables?: Span['cables'] | undefined;
  lineSystem?: Span['lineSystem'] | undefined;
  fiberType?: string | undefined;
  connectorLossDb?: number | undefined;
}

export interface SiteInput extends Omit<Site, 'metro' | 'cloudProvider' | 'cloudRegion'> {
  metro?: string | null | undefined;
  cloudProvider?: string | null | undefined;
  cloudRegion?: string | null | undefined;
}

export interface ImportOutcome {
  report: ImportReport;
  counts: { sites: number; spans: number; srlgs: number };
  /** Services a replace disconnected first (with disconnectServices). */
  disconnectedServices: string[];
}

function toFieldErrors(issues: ValidationIssue[]): FieldError[] {
  return issues.map((i) => ({ path: '/' + i.path.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/'), message: i.message }));
}

function mapWriteError(err: unknown, what: string): never {
  const inUse = inUseDetail(err);
  if (inUse) throw new LightpathError('in-use', `${inUse.message}; disconnect or move them first`, undefined, { services: inUse.services, trunks: inUse.trunks });
  const state = sqlState(err);
  if (state === PgCode.uniqueViolation) throw new LightpathError('conflict', `${what} already exists`);
  if (state === PgCode.foreignKeyViolation) throw new LightpathError('in-use', `${what} is referenced by other inventory`);
  if (state === PgCode.checkViolation) throw new LightpathError('validation-failed', `${what} breaks a rule of the inventory`);
  throw err;
}

/** True when a change alters what decides GSNR and loss: length, fiber, connectors, launch power, amplifiers. */
function opticsChanged(a: Span, b: Span): boolean {
  const la = a.lineSystem;
  const lb = b.lineSystem;
  return (
    a.lengthKm !== b.lengthKm ||
    a.fiberType !== b.fiberType ||
    a.connectorLossDb !== b.connectorLossDb ||
    (la?.launchPowerDbm ?? null) !== (lb?.launchPowerDbm ?? null) ||
    JSON.stringify(la?.amplifierSitesKm ?? null) !== JSON.stringify(lb?.amplifierSitesKm ?? null)
  );
}

/**
 * Before a span's optics change under live services: recomputes the GSNR of every wave on the span
 * with the new optics (against the channels lit now) and the loss of every dark-fiber path over it.
 * A wave that would fall below its threshold, or a strand path that would newly need amplification,
 * refuses the change (in-use, naming them); otherwise the transaction tells the database's guard
 * (migration 010) that the span was re-checked.
 */
async function recheckOptics(tx: Queryable, before: Span, after: Span): Promise<void> {
  const lit = await litChannelRows(tx);
  const onSpan = lit.rows.filter((r) => r.spanId === before.id);
  const holders = await strandHolders(tx, before.cables.map((c) => c.id));
  if (onSpan.length === 0 && holders.length === 0) return;
  const net = await inv.loadNetwork(tx);
  const changed: Network = { ...net, spans: net.spans.map((s) => (s.id === after.id ? after : s)) };
  const failing = { services: new Set<string>(), trunks: new Set<string>(), detail: [] as string[] };
  if (onSpan.length > 0 && after.lineSystem !== null) {
    const view = buildNetworkView(changed, -1);
    const state = buildLitState(view, lit.rows, { fromMs: Date.parse(lit.now), toMs: null });
    for (const id of state.litOn(after.id)) {
      const th = state.input(id)?.thresholdDb;
      const g = state.gsnrDb(id);
      if (th === undefined || g >= th) continue;
      const rows = onSpan.filter((r) => (r.channel?.l ?? '') === id);
      for (const r of rows) {
        if (r.serviceId) failing.services.add(r.serviceId);
        if (r.trunkId) failing.trunks.add(r.trunkId);
      }
      failing.detail.push(`${id} would fall to ${g.toFixed(2)} dB GSNR, below its ${th.toFixed(2)} dB threshold`);
    }
  }
  if (holders.length > 0) {
    const policy = await loadQotPolicy(tx);
    const spanOf = (set: readonly Span[]) => new Map(set.map((s) => [s.id, s]));
    const beforeSpans = spanOf(net.spans);
    const afterSpans = spanOf(changed.spans);
    for (const h of holders) {
      for (const p of (h.design as CircuitDesign).paths) {
        if (!p.spanIds.includes(before.id)) continue;
        const budget = (m: Map<string, Span>) => lossBudget(p.spanIds.map((sid) => { const s = m.get(sid) as Span; return { lengthKm: s.lengthKm, ...(s.fiberType !== undefined ? { fiberType: s.fiberType } : {}) }; }), policy.maxUnamplifiedLossDb);
        const was = budget(beforeSpans);
        const will = budget(afterSpans);
        if (!was.needsAmplification && will.needsAmplification) {
          failing.services.add(h.id);
          failing.detail.push(`dark fiber ${h.id} would lose ${will.lossDb} dB, over the ${policy.maxUnamplifiedLossDb} dB unamplified maximum`);
        }
      }
    }
  }
  if (failing.services.size > 0 || failing.trunks.size > 0) {
    throw new LightpathError('in-use', `the new optics of span ${JSON.stringify(before.id)} would break ${failing.services.size} live service(s) and ${failing.trunks.size} trunk(s): ${failing.detail.slice(0, 3).join('; ')}`, undefined, {
      services: [...failing.services].sort(),
      trunks: [...failing.trunks].sort(),
    });
  }
  await tx.query(`SELECT set_config('lightpath.optics_rechecked', $1, true)`, [before.id]);
}

/** Use cases on the physical network. */
export class InventoryService {
  constructor(readonly db: Db) {}

  /**
   * First start: an empty, never-initialised store gets the built-in network (or nothing, with
   * `empty`). Later starts leave the inventory as it is. Returns what it did.
   */
  async initialize(opts: { empty?: boolean } = {}): Promise<'loaded-builtin' | 'left-empty' | 'already-initialized'> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7310550002)');
      if (await inv.getMeta(tx, 'initializedAt')) return 'already-initialized';
      const c = await inv.counts(tx);
      const empty = c.sites + c.spans + c.srlgs === 0;
      let outcome: 'loaded-builtin' | 'left-empty' | 'already-initialized' = 'already-initialized';
      if (empty && !opts.empty) {
        await inv.insertNetwork(tx, builtinNetwork());
        await inv.bumpInventoryVersion(tx);
        outcome = 'loaded-builtin';
      } else if (empty) {
        outcome = 'left-empty';
      }
      await inv.setMeta(tx, 'initializedAt', new Date().toISOString());
      return outcome;
    });
  }

  // ---- sites ----------------------------------------------------------------------------------

  /** Lists sites by id, filtered by kind or metro. */
  listSites(req: PageRequest & { kind?: string | undefined; metro?: string | undefined }): Promise<Page<Site>> {
    return page(req, (limit, after) => inv.listSites(this.db, { limit, after, kind: req.kind, metro: req.metro }));
  }

  /** One site, or not-found. */
  async getSite(id: string): Promise<Site> {
    return (await inv.getSite(this.db, id)) ?? Promise.reject(notFound('site', id));
  }

  /**
   * Runs an inventory change: the version is bumped first, which takes the inventory-version row for
   * update, so no order, modify or restoration can commit a plan on the old network while this runs
   * (see migration 006); then fn, then the audit record, all in one transaction.
   */
  private change<T>(p: Principal, what: string, fn: (tx: Queryable) => Promise<{ result: T; audit: AuditEntry }>): Promise<T> {
    return this.db
      .transaction(async (tx) => {
        await inv.bumpInventoryVersion(tx);
        const { result, audit: entry } = await fn(tx);
        await audit(tx, p, entry);
        return result;
      })
      .catch((e) => mapWriteError(e, what));
  }

  /** Creates a site. */
  async createSite(p: Principal, input: SiteInput): Promise<Site> {
    const site: Site = normalizeSite({ metro: null, cloudProvider: null, cloudRegion: null, ...input });
    const issues = validateSite(site);
    if (issues.length > 0) throw validationFailed('invalid site', toFieldErrors(issues));
    return this.change(p, `site ${JSON.stringify(site.id)}`, async (tx) => {
      await inv.insertSites(tx, [site]);
      return { result: site, audit: { action: 'site.create', subject: { kind: 'site', id: site.id }, after: site } };
    });
  }

  /** Changes some fields of a site (the id stays). */
  async updateSite(p: Principal, id: string, patch: Partial<Omit<Site, 'id'>>): Promise<Site> {
    return this.change(p, `site ${JSON.stringify(id)}`, async (tx) => {
      const current = await inv.getSite(tx, id, true);
      if (!current) throw notFound('site', id);
      const next: Site = normalizeSite({ ...current, ...patch, id, ...(patch.transit === undefined && patch.kind !== undefined && current.transit === undefined ? {} : {}) });
      const issues = validateSite(next);
      if (issues.length > 0) throw validationFailed('invalid site', toFieldErrors(issues));
      await inv.updateSite(tx, next);
      return { result: next, audit: { action: 'site.update', subject: { kind: 'site', id }, before: current, after: next } };
    });
  }

  /** Deletes a site; refused while spans end there. */
  async deleteSite(p: Principal, id: string): Promise<void> {
    await this.change(p, `site ${JSON.stringify(id)}`, async (tx) => {
      const current = await inv.getSite(tx, id, true);
      if (!current) throw notFound('site', id);
      const spans = await inv.spansAtSite(tx, id);
      if (spans.length > 0) {
        throw new LightpathError('in-use', `site ${JSON.stringify(id)} is in use by spans ${spans.join(', ')}; delete them first`);
      }
      await inv.deleteSite(tx, id);
      return { result: undefined, audit: { action: 'site.delete', subject: { kind: 'site', id }, before: current } };
    });
  }

  // ---- SRLGs ----------------------------------------------------------------------------------

  /** Lists SRLGs by id. */
  listSrlgs(req: PageRequest & { kind?: string | undefined }): Promise<Page<Srlg>> {
    return page(req, (limit, after) => inv.listSrlgs(this.db, { limit, after, kind: req.kind }));
  }

  /** One SRLG, or not-found. */
  async getSrlg(id: string): Promise<Srlg> {
    return (await inv.getSrlg(this.db, id)) ?? Promise.reject(notFound('srlg', id));
  }

  /** Creates an SRLG. */
  async createSrlg(p: Principal, srlg: Srlg): Promise<Srlg> {
    const issues = validateSrlg(srlg);
    if (issues.length > 0) throw validationFailed('invalid srlg', toFieldErrors(issues));
    return this.change(p, `srlg ${JSON.stringify(srlg.id)}`, async (tx) => {
      await inv.insertSrlgs(tx, [srlg]);
      return { result: srlg, audit: { action: 'srlg.create', subject: { kind: 'srlg', id: srlg.id }, after: srlg } };
    });
  }

  /** Changes an SRLG's name or kind. */
  async updateSrlg(p: Principal, id: string, patch: Partial<Omit<Srlg, 'id'>>): Promise<Srlg> {
    return this.change(p, `srlg ${JSON.stringify(id)}`, async (tx) => {
      const current = await inv.getSrlg(tx, id);
      if (!current) throw notFound('srlg', id);
      const next: Srlg = { ...current, ...patch, id };
      const issues = validateSrlg(next);
      if (issues.length > 0) throw validationFailed('invalid srlg', toFieldErrors(issues));
      await inv.updateSrlg(tx, next);
      return { result: next, audit: { action: 'srlg.update', subject: { kind: 'srlg', id }, before: current, after: next } };
    });
  }

  /** Deletes an SRLG; refused while spans belong to it. */
  async deleteSrlg(p: Principal, id: string): Promise<void> {
    await this.change(p, `srlg ${JSON.stringify(id)}`, async (tx) => {
      const current = await inv.getSrlg(tx, id);
      if (!current) throw notFound('srlg', id);
      const spans = await inv.spansInSrlg(tx, id);
      if (spans.length > 0) {
        throw new LightpathError('in-use', `srlg ${JSON.stringify(id)} is in use by spans ${spans.join(', ')}; remove it from them first`);
      }
      await inv.deleteSrlg(tx, id);
      return { result: undefined, audit: { action: 'srlg.delete', subject: { kind: 'srlg', id }, before: current } };
    });
  }

  // ---- spans ----------------------------------------------------------------------------------

  /** Lists spans by id, optionally those at a site or in an SRLG. */
  listSpans(req: PageRequest & { siteId?: string | undefined; srlgId?: string | undefined }): Promise<Page<Span>> {
    return page(req, (limit, after) => inv.listSpans(this.db, { limit, after, siteId: req.siteId, srlgId: req.srlgId }));
  }

  /** One span, or not-found. */
  async getSpan(id: string): Promise<Span> {
    return (await inv.getSpan(this.db, id)) ?? Promise.reject(notFound('span', id));
  }

  private async checkSpan(tx: Queryable, span: Span): Promise<void> {
    const siteIds = new Set<string>();
    for (const id of [span.aSiteId, span.zSiteId]) if (typeof id === 'string' && (await inv.getSite(tx, id))) siteIds.add(id);
    const srlgIds = new Set<string>();
    for (const id of span.srlgIds ?? []) if (typeof id === 'string' && (await inv.getSrlg(tx, id))) srlgIds.add(id);
    const issues = validateSpan(span, siteIds, srlgIds);
    if (issues.length > 0) throw validationFailed('invalid span', toFieldErrors(issues));
  }

  /** Creates a span; length defaults to great-circle × 1.25 and geometry to a straight line. */
  async createSpan(p: Principal, input: SpanInput): Promise<Span> {
    return this.change(p, `span ${JSON.stringify(input.id)} or one of its cables`, async (tx) => {
        const a = await inv.getSite(tx, input.aSiteId);
        const z = await inv.getSite(tx, input.zSiteId);
        const span: Span = {
          id: input.id,
          aSiteId: input.aSiteId,
          zSiteId: input.zSiteId,
          lengthKm: input.lengthKm ?? (a && z ? Math.max(0.1, greatCircleKm(a.lat, a.lon, z.lat, z.lon) * DEFAULT_ROUTE_FACTOR) : NaN),
          measuredLatencyUs: input.measuredLatencyUs ?? null,
          geometry: input.geometry ?? (a && z ? straightGeometry(a, z) : { type: 'LineString', coordinates: [] }),
          srlgIds: input.srlgIds ?? [],
          cables: input.cables ?? [],
          lineSystem: input.lineSystem === undefined ? { ...DEFAULT_LINE_SYSTEM } : input.lineSystem,
          ...(input.fiberType !== undefined ? { fiberType: input.fiberType } : {}),
          ...(input.connectorLossDb !== undefined ? { connectorLossDb: input.connectorLossDb } : {}),
        };
        await this.checkSpan(tx, span);
        await inv.insertSpans(tx, [span]);
        const stored = normalizeSpan(span);
        return { result: stored, audit: { action: 'span.create', subject: { kind: 'span', id: span.id }, after: stored } };
    });
  }

  /**
   * Changes some fields of a span (the id stays); SRLG and cable lists are replaced whole. Refused
   * with in-use (naming the services) when live services hold what the change would remove or shrink.
   */
  async updateSpan(p: Principal, id: string, patch: Partial<Omit<Span, 'id'>>): Promise<Span> {
    return this.change(p, `span ${JSON.stringify(id)} or one of its cables`, async (tx) => {
      await tx.query('SELECT 1 FROM spans WHERE id = $1 FOR UPDATE', [id]);
      const current = await inv.getSpan(tx, id);
      if (!current) throw notFound('span', id);
      const next: Span = normalizeSpan({ ...current, ...patch, id });
      await this.checkSpan(tx, next);
      if (opticsChanged(current, next)) await recheckOptics(tx, current, next);
      await inv.updateSpan(tx, next);
      return { result: next, audit: { action: 'span.update', subject: { kind: 'span', id }, before: current, after: next } };
    });
  }

  /** Deletes a span; refused while strands on it are in use or live services ride it. */
  async deleteSpan(p: Principal, id: string): Promise<void> {
    await this.change(p, `span ${JSON.stringify(id)}`, async (tx) => {
      await tx.query('SELECT 1 FROM spans WHERE id = $1 FOR UPDATE', [id]);
      const span = await inv.getSpan(tx, id);
      if (!span) throw notFound('span', id);
      // The delete first: the guard names the live services on it; strands in use by others (the
      // static count) are checked after, and refusing then rolls the delete back.
      await inv.deleteSpan(tx, id);
      const used = span.cables.reduce((n, c) => n + c.strandsInUse, 0);
      if (used > 0) {
        throw new LightpathError('in-use', `span ${JSON.stringify(id)} is in use: ${used} strands are in use on its cables`);
      }
      return { result: undefined, audit: { action: 'span.delete', subject: { kind: 'span', id }, before: span } };
    });
  }

  /**
   * Applies a change set of span creates and updates in one transaction, all or nothing (capacity
   * plans: src/services/planning). The version is bumped first (as every inventory change), then `fn`
   * reads the network as it is under that lock and returns the changes and the caller's own record;
   * every change is validated like a single create or update (the same rules, the optics re-check
   * under live services) and audited one by one, after which the caller's entry is audited and its
   * `after` step (events) runs.
   */
  async changeSpans<T>(
    p: Principal,
    what: string,
    fn: (tx: Queryable, network: Network, versionBefore: number) => Promise<{ changes: readonly { op: 'span.create' | 'span.update'; spanId: string; after: Span }[]; result: T; audit: AuditEntry; after?: (tx: Queryable) => Promise<void> }>,
  ): Promise<T> {
    return this.db
      .transaction(async (tx) => {
        const version = await inv.bumpInventoryVersion(tx);
        const network = await inv.loadNetwork(tx);
        const { changes, result, audit: entry, after } = await fn(tx, network, version - 1);
        const entries: AuditEntry[] = [];
        for (const c of changes) {
          const next = normalizeSpan(c.after);
          if (c.op === 'span.create') {
            await this.checkSpan(tx, next);
            await inv.insertSpans(tx, [next]);
            entries.push({ action: 'span.create', subject: { kind: 'span', id: c.spanId }, after: next });
          } else {
            await tx.query('SELECT 1 FROM spans WHERE id = $1 FOR UPDATE', [c.spanId]);
            const current = await inv.getSpan(tx, c.spanId);
            if (!current) throw notFound('span', c.spanId);
            await this.checkSpan(tx, next);
            if (opticsChanged(current, next)) await recheckOptics(tx, current, next);
            await inv.updateSpan(tx, next);
            entries.push({ action: 'span.update', subject: { kind: 'span', id: c.spanId }, before: current, after: next });
          }
        }
        await audit(tx, p, ...entries, entry);
        // Last: what the caller appends (events take their lock at the end of a transaction).
        if (after) await after(tx);
        return result;
      })
      .catch((e) => mapWriteError(e, what));
  }

  // ---- whole network ---------------------------------------------------------------------------

  /** The whole network as stored. */
  getNetwork(): Promise<Network> {
    return inv.loadNetwork(this.db);
  }

  /** Version of the network, bumped by every write; lets readers cache derived data. */
  version(): Promise<number> {
    return inv.inventoryVersion(this.db);
  }

  /** Spans an unrepaired failure holds down. */
  failedSpans(): Promise<string[]> {
    return failedSpanIds(this.db);
  }

  /** Sizes of the inventory. */
  counts(): Promise<{ sites: number; spans: number; srlgs: number }> {
    return inv.counts(this.db);
  }

  /**
   * Imports a network file. Into an empty store it loads exactly the file's network; a store that
   * holds a network is refused unless `replace`, which swaps the whole network in one transaction.
   * A replace under live services is refused (in-use, naming them) unless `disconnectServices`, which
   * first disconnects every live service in the same transaction (events, teardown on the devices).
   */
  async importNetwork(
    p: Principal,
    input: { fileName: string; text: string; format?: ImportFormat | undefined; replace?: boolean; disconnectServices?: boolean },
  ): Promise<ImportOutcome> {
    let parsed;
    try {
      parsed = parseNetwork(input.fileName, input.text, input.format);
    } catch (err) {
      if (err instanceof ImportError) {
        throw validationFailed(
          `${input.fileName} cannot be imported: ${err.issues.length} problem(s)\n${err.message}`,
          err.issues.map((i) => ({ path: i.field, message: i.message, file: i.file, line: i.line })),
        );
      }
      throw err;
    }
    const issues = validateNetwork(parsed.network);
    if (issues.length > 0) throw validationFailed(`${input.fileName} holds an invalid network`, toFieldErrors(issues));
    return this.change(p, `the network of ${input.fileName}`, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7310550002)');
      const before = await inv.counts(tx);
      let disconnected: string[] = [];
      if (before.sites + before.spans + before.srlgs > 0) {
        if (!input.replace) {
          throw new LightpathError(
            'conflict',
            `the store already holds a network (${before.sites} sites, ${before.spans} spans); import into an empty store, or replace it (CLI --replace, API ?replace=true)`,
          );
        }
        const live = await liveServiceIds(tx);
        if (live.length > 0 && !input.disconnectServices) {
          throw new LightpathError(
            'in-use',
            `${live.length} live service(s) use the current network; replacing it would strand them. Disconnect them first, or replace with the explicit option that disconnects them (CLI --disconnect-services, API ?disconnectServices=true)`,
            undefined,
            { services: live.slice(0, 1000), trunks: [] },
          );
        }
        if (live.length > 0) disconnected = await terminateLiveServices(tx, p, `the network was replaced by ${input.fileName}`);
        // Open failures name spans of the network that goes.
        await closeOpenFailures(tx, `closed: the network was replaced by ${input.fileName}`);
        await inv.clearNetwork(tx);
      }
      await inv.insertNetwork(tx, parsed.network);
      await inv.setMeta(tx, 'initializedAt', new Date().toISOString());
      const counts = await inv.counts(tx);
      return {
        result: { report: parsed.report, counts, disconnectedServices: disconnected },
        audit: {
          action: before.sites + before.spans + before.srlgs > 0 ? 'network.replace' : 'network.import',
          subject: { kind: 'network', id: parsed.network.name },
          before: { counts: before },
          after: { fileName: input.fileName, counts, disconnectedServices: disconnected, skipped: parsed.report.skipped.length, merged: parsed.report.merged.length },
        },
      };
    });
  }
}
