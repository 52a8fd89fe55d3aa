/**
 * A quoted wave's GSNR (0.1 nm) after each span, as bars, with the mode's threshold and the
 * operator's planning margin as lines; a regenerator starts a new segment (the GSNR recovers).
 * The same numbers follow as a table, for screen readers and for copying.
 */
import type { DesignPath } from '../api/ordering-types.js';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { formatDb } from '../ui/format.js';
import { GSNR_BAR_COLOUR, THRESHOLD_COLOUR, gsnrBars, gsnrRange } from './chart.js';

const W = 320;
const H = 140;
const PAD = { left: 34, right: 6, top: 8, bottom: 18 };

export function GsnrChart({ path, model, label }: { path: DesignPath; model: NetworkModel; label: string }) {
  const bars = gsnrBars(path);
  if (bars.length === 0) return null;
  const { minDb, maxDb } = gsnrRange(bars);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (db: number) => PAD.top + plotH * (1 - (db - minDb) / (maxDb - minDb));
  const bw = plotW / bars.length;
  const spanName = (id: string) => {
    const s = model.spanById.get(id);
    return s === undefined ? id : `${siteName(model, s.properties.aSiteId)} – ${siteName(model, s.properties.zSiteId)}`;
  };
  // Threshold and planning lines per segment (each segment may run its own mode).
  const segs = [...new Set(bars.map((b) => b.segment))].map((seg) => {
    const idx = bars.flatMap((b, i) => (b.segment === seg ? [i] : []));
    return { seg, x0: PAD.left + idx[0] * bw, x1: PAD.left + (idx[idx.length - 1] + 1) * bw, bar: bars[idx[0]] };
  });
  return (
    <figure className="gsnr-chart" aria-label={label} data-bars={bars.length}>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: lowest ${formatDb(Math.min(...bars.map((b) => b.gsnr01nmDb)))}`}>
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} stroke="#9ca3af" />
        {[minDb, (minDb + maxDb) / 2, maxDb].map((v) => (
          <text key={v} x={PAD.left - 3} y={y(v) + 3} fontSize="9" textAnchor="end" fill="#4b5563">
            {Math.round(v)}
          </text>
        ))}
        {bars.map((b, i) => (
          <rect key={`${b.segment}-${b.spanId}`} className="gsnr-bar" data-span-id={b.spanId} data-gsnr-db={b.gsnr01nmDb} x={PAD.left + i * bw + 1} y={y(b.gsnr01nmDb)} width={Math.max(1, bw - 2)} height={Math.max(0, H - PAD.bottom - y(b.gsnr01nmDb))} fill={GSNR_BAR_COLOUR}>
            <title>{`${spanName(b.spanId)}: GSNR ${formatDb(b.gsnr01nmDb)}`}</title>
          </rect>
        ))}
        {segs.slice(1).map((s) => (
          <line key={`regen-${s.seg}`} className="gsnr-regen" x1={s.x0} x2={s.x0} y1={PAD.top} y2={H - PAD.bottom} stroke="#111827" strokeDasharray="2 2">
            <title>regenerator</title>
          </line>
        ))}
        {segs.map((s) => (
          <g key={s.seg}>
            <line className="gsnr-threshold" x1={s.x0} x2={s.x1} y1={y(s.bar.requiredOsnrDb)} y2={y(s.bar.requiredOsnrDb)} stroke={THRESHOLD_COLOUR} strokeWidth="2" />
            <line x1={s.x0} x2={s.x1} y1={y(s.bar.plannedDb)} y2={y(s.bar.plannedDb)} stroke={THRESHOLD_COLOUR} strokeWidth="1" strokeDasharray="4 3" />
          </g>
        ))}
        <text x={PAD.left + 2} y={H - 4} fontSize="9" fill="#4b5563">
          span 1 → {bars.length} (dB, 0.1 nm)
        </text>
      </svg>
      <figcaption className="muted small">
        GSNR after each span (bars); the mode&apos;s threshold (red) and threshold + margin (dashed red); a regenerator (dotted) starts a new segment.
      </figcaption>
      <table className="gsnr-table small">
        <thead>
          <tr>
            <th scope="col">Span</th>
            <th scope="col">GSNR</th>
            <th scope="col">Threshold</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={`${b.segment}-${b.spanId}`} data-span-id={b.spanId}>
              <td>{spanName(b.spanId)}</td>
              <td>{formatDb(b.gsnr01nmDb)}</td>
              <td>{formatDb(b.requiredOsnrDb)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
