/**
 * Demand forecasts for capacity planning, from three sources:
 * - CSV with a header naming the columns a_site, z_site, period, gbps and optionally protection
 *   (none | 1+1); one row per site pair and period.
 * - JSON: an array of { aSiteId, zSiteId, period, gbps, protection? } (or { forecast: [...] }).
 * - The DEMANDS section of an SNDlib native file (one period, Gbps = the demand value × scale).
 * Errors name file, line and field (`file:line: field: problem`).
 */
import { parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { PROTECTION_CLASSES, type ForecastDemand, type ProtectionClass } from '../domain/planning.js';
import { ImportContext } from './build.js';
import { LineIndex } from './lines.js';
import { parseSndlibDesign } from './sndlib-design.js';

const COLUMNS = ['a_site', 'z_site', 'period', 'gbps'] as const;

function row(ctx: ImportContext, line: number, a: string, z: string, periodText: string, gbpsText: string, protText: string | undefined): ForecastDemand | null {
  let ok = true;
  if (a.length === 0) {
    ctx.error(line, 'a_site', 'empty');
    ok = false;
  }
  if (z.length === 0) {
    ctx.error(line, 'z_site', 'empty');
    ok = false;
  }
  if (ok && a === z) {
    ctx.error(line, 'z_site', `same site as a_site (${a})`);
    ok = false;
  }
  const period = Number(periodText);
  if (!Number.isInteger(period) || period < 1) {
    ctx.error(line, 'period', `must be an integer >= 1, got "${periodText}"`);
    ok = false;
  }
  const gbps = Number(gbpsText);
  if (gbpsText.trim() === '' || !Number.isFinite(gbps) || gbps < 0) {
    ctx.error(line, 'gbps', `must be a number >= 0, got "${gbpsText}"`);
    ok = false;
  }
  const protection = (protText === undefined || protText === '' ? 'none' : protText) as ProtectionClass;
  if (!(PROTECTION_CLASSES as readonly string[]).includes(protection)) {
    ctx.error(line, 'protection', `must be one of ${PROTECTION_CLASSES.join(', ')}, got "${protText}"`);
    ok = false;
  }
  return ok ? { aSiteId: a, zSiteId: z, period, gbps, protection } : null;
}

/** Parses a forecast CSV (comma-separated, header row, "#" comment lines and blank lines skipped). */
export function parseForecastCsv(fileName: string, text: string): ForecastDemand[] {
  const ctx = new ImportContext(fileName, 'json');
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const out: ForecastDemand[] = [];
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const cells = t.split(',').map((c) => c.trim());
    if (header === null) {
      header = cells.map((c) => c.toLowerCase());
      for (const col of COLUMNS) if (!header.includes(col)) ctx.error(i + 1, col, `missing column (header needs ${COLUMNS.join(', ')}[, protection])`);
      return;
    }
    const h = header;
    if (cells.length !== h.length) {
      ctx.error(i + 1, 'row', `${cells.length} cells, the header has ${h.length}`);
      return;
    }
    const get = (c: string): string | undefined => (h.includes(c) ? cells[h.indexOf(c)] : undefined);
    const r = row(ctx, i + 1, get('a_site') ?? '', get('z_site') ?? '', get('period') ?? '', get('gbps') ?? '', get('protection'));
    if (r) out.push(r);
  });
  if (header === null) ctx.error(1, 'header', 'empty file');
  ctx.throwIfIssues();
  return out;
}

/** Parses a forecast JSON document. */
export function parseForecastJson(fileName: string, text: string): ForecastDemand[] {
  const ctx = new ImportContext(fileName, 'json');
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (root === undefined || errors.length > 0) {
    ctx.error(lines.lineAt(errors[0]?.offset ?? 0), 'json', 'not valid JSON');
    ctx.throwIfIssues();
  }
  let arr = root as JsonNode;
  if (arr.type === 'object') {
    const f = arr.children?.find((p) => p.children?.[0].value === 'forecast')?.children?.[1];
    if (f === undefined) ctx.error(lines.lineAt(arr.offset), 'forecast', 'expected an array of demands or { "forecast": [...] }');
    else arr = f;
  }
  ctx.throwIfIssues();
  if (arr.type !== 'array') ctx.error(lines.lineAt(arr.offset), 'forecast', 'must be an array');
  ctx.throwIfIssues();
  const out: ForecastDemand[] = [];
  (arr.children ?? []).forEach((item, k) => {
    const line = lines.lineAt(item.offset);
    if (item.type !== 'object') {
      ctx.error(line, `forecast[${k}]`, 'must be an object');
      return;
    }
    const field = (name: string): JsonNode | undefined => item.children?.find((p) => p.children?.[0].value === name)?.children?.[1];
    const str = (name: string): string => {
      const n = field(name);
      return n === undefined ? '' : String(n.value);
    };
    const prot = field('protection');
    const r = row(ctx, line, str('aSiteId'), str('zSiteId'), str('period'), field('gbps')?.type === 'number' ? str('gbps') : `${field('gbps')?.value ?? ''}`, prot === undefined ? undefined : String(prot.value));
    if (r) out.push(r);
  });
  ctx.throwIfIssues();
  return out;
}

/**
 * Forecast from an SNDlib file's DEMANDS: one row per demand in the given period, Gbps = value ×
 * gbpsPerUnit; site ids are the node ids as parseSndlibNetwork slugs them only when they are
 * already slug-safe, so pass siteIdOf to map them.
 */
export function forecastFromSndlib(fileName: string, text: string, opts: { period?: number; gbpsPerUnit?: number; siteIdOf?: (nodeId: string) => string } = {}): ForecastDemand[] {
  const inst = parseSndlibDesign(fileName, text);
  const id = opts.siteIdOf ?? ((n: string) => n);
  return inst.demands.map((d) => ({ aSiteId: id(d.source), zSiteId: id(d.target), period: opts.period ?? 1, gbps: d.value * (opts.gbpsPerUnit ?? 1), protection: 'none' as const }));
}
