/**
 * SNDlib native format → DesignInstance for capacity planning: unlike parseSndlibNetwork (the fibre
 * inventory), this keeps what the network-design problem needs: every link's pre-installed
 * capacity and its cost, routing cost, setup cost and modules (capacity, cost), and every demand
 * (value, routing unit, hop limit). Links and demands are kept as the file lists them (parallel
 * links stay separate links). Errors name file, line and field.
 */
import type { DesignDemand, DesignInstance, DesignLink, DesignNode } from '../domain/planning.js';
import { ImportContext, nameFromFile } from './build.js';
import { readSections, tokenize, type Entry, type Section } from './sndlib.js';

function numberAt(ctx: ImportContext, e: Entry, k: number, field: string, min = 0): number {
  const t = e.toks[k];
  if (t === undefined) {
    ctx.error(e.line, field, 'missing');
    return NaN;
  }
  const v = Number(t.v);
  if (!Number.isFinite(v)) ctx.error(t.line, field, `must be a number, got "${t.v}"`);
  else if (v < min) ctx.error(t.line, field, `must be >= ${min}, got ${v}`);
  return v;
}

/** "id ( a b )" head of a LINKS or DEMANDS entry, or null with an error recorded. */
function head(ctx: ImportContext, e: Entry, section: string): [string, string, string] | null {
  const t = e.toks.map((x) => x.v);
  if (t.length < 5 || t[1] !== '(' || t[4] !== ')' || t[0] === '(' || t[2] === ')' || t[3] === ')') {
    ctx.error(e.line, section, 'expected "id ( source target ) ..."');
    return null;
  }
  return [t[0], t[2], t[3]];
}

function readLink(ctx: ImportContext, e: Entry, nodes: Set<string>): DesignLink | null {
  const h = head(ctx, e, 'LINKS');
  if (h === null) return null;
  const [id, source, target] = h;
  if (!nodes.has(source)) ctx.error(e.line, 'link.source', `unknown node ${source}`);
  if (!nodes.has(target)) ctx.error(e.line, 'link.target', `unknown node ${target}`);
  if (source === target) ctx.error(e.line, 'link.target', `self-loop on node ${source}`);
  const preinstalledCapacity = numberAt(ctx, e, 5, 'link.pre_installed_capacity');
  const preinstalledCapacityCost = numberAt(ctx, e, 6, 'link.pre_installed_capacity_cost');
  const routingCost = numberAt(ctx, e, 7, 'link.routing_cost');
  const setupCost = numberAt(ctx, e, 8, 'link.setup_cost');
  const modules: DesignLink['modules'] = [];
  const t = e.toks;
  if (t[9]?.v !== '(' || t[t.length - 1].v !== ')') {
    ctx.error(e.line, 'link.modules', 'expected "( {module_capacity module_cost}* )"');
    return null;
  }
  const body = t.length - 11;
  if (body % 2 !== 0) {
    ctx.error(e.line, 'link.modules', 'expected pairs of module capacity and module cost');
    return null;
  }
  for (let k = 10; k + 1 < t.length - 1; k += 2) {
    const capacity = numberAt(ctx, e, k, 'link.module_capacity');
    const cost = numberAt(ctx, e, k + 1, 'link.module_cost');
    if (capacity === 0) ctx.error(t[k].line, 'link.module_capacity', 'must be > 0');
    modules.push({ capacity, cost });
  }
  return { id, source, target, preinstalledCapacity, preinstalledCapacityCost, routingCost, setupCost, modules };
}

function readDemand(ctx: ImportContext, e: Entry, nodes: Set<string>): DesignDemand | null {
  const h = head(ctx, e, 'DEMANDS');
  if (h === null) return null;
  const [id, source, target] = h;
  if (!nodes.has(source)) ctx.error(e.line, 'demand.source', `unknown node ${source}`);
  if (!nodes.has(target)) ctx.error(e.line, 'demand.target', `unknown node ${target}`);
  if (source === target) ctx.error(e.line, 'demand.target', `source and target are both ${source}`);
  if (e.toks.length !== 8) {
    ctx.error(e.line, 'DEMANDS', 'expected "id ( source target ) routing_unit demand_value max_path_length"');
    return null;
  }
  const routingUnit = numberAt(ctx, e, 5, 'demand.routing_unit');
  const value = numberAt(ctx, e, 6, 'demand.demand_value');
  const hop = e.toks[7].v;
  let maxPathLength: number | null = null;
  if (hop !== 'UNLIMITED') {
    maxPathLength = Number(hop);
    if (!Number.isInteger(maxPathLength) || maxPathLength < 1) ctx.error(e.toks[7].line, 'demand.max_path_length', `must be UNLIMITED or an integer >= 1, got "${hop}"`);
  }
  return { id, source, target, routingUnit, value, maxPathLength };
}

/** Parses an SNDlib native-format file into a design instance; throws ImportError (file:line: field: problem). */
export function parseSndlibDesign(fileName: string, text: string): DesignInstance {
  const ctx = new ImportContext(fileName, 'sndlib');
  if (text.trim().length === 0) ctx.error(1, 'sndlib', 'empty file');
  ctx.throwIfIssues();
  const sections = readSections(ctx, tokenize(text));
  ctx.throwIfIssues();
  const find = (name: string): Section | undefined => sections.find((s) => s.name === name);
  for (const name of ['NODES', 'LINKS', 'DEMANDS']) if (find(name) === undefined) ctx.error(1, name, `missing ${name} section`);
  ctx.throwIfIssues();

  const nodes: DesignNode[] = [];
  const ids = new Set<string>();
  for (const e of (find('NODES') as Section).entries) {
    const t = e.toks.map((x) => x.v);
    if (t.length !== 5 || t[1] !== '(' || t[4] !== ')') {
      ctx.error(e.line, 'NODES', 'expected "id ( x y )"');
      continue;
    }
    if (ids.has(t[0])) ctx.error(e.line, 'node.id', `duplicate node id ${t[0]}`);
    ids.add(t[0]);
    const x = Number(t[2]);
    const y = Number(t[3]);
    if (!Number.isFinite(x)) ctx.error(e.line, 'node.x', `must be a number, got "${t[2]}"`);
    if (!Number.isFinite(y)) ctx.error(e.line, 'node.y', `must be a number, got "${t[3]}"`);
    nodes.push({ id: t[0], x, y });
  }
  const links: DesignLink[] = [];
  const linkIds = new Set<string>();
  for (const e of (find('LINKS') as Section).entries) {
    const l = readLink(ctx, e, ids);
    if (l === null) continue;
    if (linkIds.has(l.id)) ctx.error(e.line, 'link.id', `duplicate link id ${l.id}`);
    linkIds.add(l.id);
    if (l.modules.length === 0 && l.preinstalledCapacity === 0) ctx.error(e.line, 'link.modules', 'a link needs modules or pre-installed capacity');
    links.push(l);
  }
  const demands: DesignDemand[] = [];
  const demandIds = new Set<string>();
  for (const e of (find('DEMANDS') as Section).entries) {
    const d = readDemand(ctx, e, ids);
    if (d === null) continue;
    if (demandIds.has(d.id)) ctx.error(e.line, 'demand.id', `duplicate demand id ${d.id}`);
    demandIds.add(d.id);
    demands.push(d);
  }
  ctx.throwIfIssues();
  const nameLine = /^#\s*network\s+(\S+)/m.exec(text);
  return { name: nameLine?.[1] ?? nameFromFile(fileName), nodes, links, demands };
}
