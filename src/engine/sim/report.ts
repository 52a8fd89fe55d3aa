/**
 * Renderings of simulation results that are pure string building: CSV rows and an SVG chart of
 * blocking against load for a sweep. The CLI writes them; nothing here touches a file.
 */
import type { SimulationResult } from './simulator.js';

/** Column headers of resultsToCsv. */
export const RESULT_CSV_HEADER = [
  'policy', 'load_erlang', 'k', 'slots', 'compat', 'seed', 'warmup', 'requests', 'blocked',
  'request_blocking', 'request_blocking_ci95', 'bandwidth_blocking', 'bandwidth_blocking_ci95',
  'mean_utilisation', 'mean_fragmentation',
];

/** One CSV row per result (RFC 4180 quoting is unnecessary: no field holds commas or quotes). */
export function resultsToCsv(results: readonly SimulationResult[]): string {
  const rows = [RESULT_CSV_HEADER.join(',')];
  for (const r of results) {
    rows.push([
      r.policy, r.loadErlang, r.k, r.slotCount, r.compat, r.seed, r.warmupRequests, r.requests, r.blockedRequests,
      r.requestBlocking.mean, r.requestBlocking.halfWidth, r.bandwidthBlocking.mean, r.bandwidthBlocking.halfWidth,
      r.meanUtilisation, r.meanFragmentation,
    ].join(','));
  }
  return rows.join('\n') + '\n';
}

/** Per-span utilisation and fragmentation of each result, one CSV row per (result, span). */
export function spansToCsv(results: readonly SimulationResult[]): string {
  const rows = ['policy,load_erlang,span_id,utilisation,fragmentation'];
  for (const r of results) {
    for (const s of r.spans) rows.push(`${r.policy},${r.loadErlang},${csvField(s.spanId)},${s.utilisation},${s.fragmentation}`);
  }
  return rows.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * SVG line chart of request blocking (%) against load, one line per policy, with 95% CI bars.
 * Linear axes; points are sorted by load.
 */
export function sweepChartSvg(results: readonly SimulationResult[], title = 'Request blocking vs load'): string {
  const width = 720;
  const height = 440;
  const m = { left: 64, right: 160, top: 40, bottom: 52 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const byPolicy = new Map<string, SimulationResult[]>();
  for (const r of results) {
    const list = byPolicy.get(r.policy) ?? [];
    list.push(r);
    byPolicy.set(r.policy, list);
  }
  const loads = results.map((r) => r.loadErlang);
  let xMin = Math.min(...loads);
  let xMax = Math.max(...loads);
  if (xMin === xMax) { xMin -= 1; xMax += 1; }
  const yTop = Math.max(1e-9, ...results.map((r) => r.requestBlocking.mean + (Number.isFinite(r.requestBlocking.halfWidth) ? r.requestBlocking.halfWidth : 0))) * 100;
  const yMax = niceCeil(yTop);
  const x = (v: number): number => m.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (pct: number): number => m.top + plotH - (pct / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${m.left}" y="24" font-size="15">${xmlEscape(title)}</text>`);
  parts.push(`<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="black"/>`);
  parts.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="black"/>`);
  for (let i = 0; i <= 5; i++) {
    const pct = (yMax * i) / 5;
    parts.push(`<line x1="${m.left - 4}" y1="${y(pct).toFixed(1)}" x2="${m.left + plotW}" y2="${y(pct).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${(y(pct) + 4).toFixed(1)}" text-anchor="end">${fmt(pct)}%</text>`);
  }
  for (const v of [...new Set(loads)].sort((a, b) => a - b)) {
    parts.push(`<text x="${x(v).toFixed(1)}" y="${m.top + plotH + 18}" text-anchor="middle">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">offered load (Erlang)</text>`);
  parts.push(`<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">request blocking</text>`);
  let idx = 0;
  for (const [policy, list] of byPolicy) {
    const color = PALETTE[idx % PALETTE.length];
    const pts = [...list].sort((a, b) => a.loadErlang - b.loadErlang);
    const coords = pts.map((r) => `${x(r.loadErlang).toFixed(1)},${y(r.requestBlocking.mean * 100).toFixed(1)}`).join(' ');
    parts.push(`<polyline data-policy="${xmlEscape(policy)}" fill="none" stroke="${color}" stroke-width="2" points="${coords}"/>`);
    for (const r of pts) {
      const cx = x(r.loadErlang);
      const hw = Number.isFinite(r.requestBlocking.halfWidth) ? r.requestBlocking.halfWidth : 0;
      const lo = Math.max(0, r.requestBlocking.mean - hw) * 100;
      const hi = (r.requestBlocking.mean + hw) * 100;
      parts.push(`<line x1="${cx.toFixed(1)}" y1="${y(lo).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(hi).toFixed(1)}" stroke="${color}"/>`);
      parts.push(`<circle cx="${cx.toFixed(1)}" cy="${y(r.requestBlocking.mean * 100).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = m.top + 16 + idx * 18;
    parts.push(`<line x1="${m.left + plotW + 16}" y1="${ly - 4}" x2="${m.left + plotW + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${m.left + plotW + 42}" y="${ly}">${xmlEscape(policy)}</text>`);
    idx++;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
}
