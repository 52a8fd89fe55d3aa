/**
 * Bulk transfers: the tenant's transfers (operators: everyone's) and, for the one picked, its schedule as
 * a chart (rate per 15-minute slot, stacked by path, deadline and expected completion marked). Reloaded
 * on `transfer.*` events, so a re-plan after another admission or a cut shows up by itself.
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage, getJson } from '../api/client.js';
import type { Transfer } from '../api/ordering-types.js';
import { formatUtc } from '../calendar/when.js';
import { useRefreshOn } from '../events/useEvents.js';
import { formatMoney } from '../ui/format.js';
import { PATH_COLOURS, layoutSchedule } from './chart.js';

const W = 320;
const H = 140;
const LEFT = 34;
const BOTTOM = 16;

type ListState = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Transfer[] };

function useTransfers(): ListState {
  const [state, setState] = useState<ListState>({ state: 'loading' });
  const tick = useRefreshOn((e) => e.type.startsWith('transfer.'));
  useEffect(() => {
    const ctl = new AbortController();
    getJson<{ items: Transfer[] }>('/v1/transfers?limit=200', ctl.signal)
      .then((p) => setState({ state: 'ready', items: p.items }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setState((cur) => (cur.state === 'ready' ? cur : { state: 'error', message: errorMessage(e) }));
      });
    return () => ctl.abort();
  }, [tick]);
  return state;
}

export function ScheduleChart({ transfer }: { transfer: Transfer }) {
  const layout = useMemo(() => layoutSchedule(transfer, W - LEFT, H - BOTTOM), [transfer]);
  return (
    <figure className="transfer-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`Schedule of ${transfer.id}: Gbps per 15-minute slot (UTC)`} data-testid="transfer-chart" data-max-gbps={layout.maxGbps}>
        <text x={LEFT - 4} y={9} className="strip-label" textAnchor="end">
          {layout.maxGbps}
        </text>
        <text x={LEFT - 4} y={H - BOTTOM} className="strip-label" textAnchor="end">
          0
        </text>
        <g transform={`translate(${LEFT} 0)`}>
          <line x1={0} x2={layout.width} y1={layout.height} y2={layout.height} className="tl-grid" />
          {layout.ticks.map((t) => (
            <text key={t.x} x={t.x} y={H - 3} className="strip-label" textAnchor="middle">
              {t.label}
            </text>
          ))}
          {layout.bars.map((b) => (
            <rect
              key={`${b.slotStart}-${b.pathId}`}
              className="transfer-bar"
              data-slot-start={b.slotStart}
              data-path={b.pathId}
              data-rate-gbps={b.rateGbps}
              x={b.x}
              y={b.y}
              width={b.width}
              height={b.height}
              fill={PATH_COLOURS[b.pathIndex % PATH_COLOURS.length]}
            >
              <title>{`${formatUtc(Date.parse(b.slotStart))}: ${b.rateGbps} Gbps on ${b.pathId}`}</title>
            </rect>
          ))}
          <line data-testid="transfer-deadline" x1={layout.deadlineX} x2={layout.deadlineX} y1={0} y2={layout.height} className="transfer-deadline" />
          <line data-testid="transfer-completion" x1={layout.completionX} x2={layout.completionX} y1={0} y2={layout.height} className="transfer-completion" />
        </g>
      </svg>
      <figcaption>
        <ul className="transfer-legend">
          {transfer.paths.map((p, i) => (
            <li key={p.id}>
              <span className="swatch" style={{ background: PATH_COLOURS[i % PATH_COLOURS.length] }} /> {p.sites.join(' → ')}
            </li>
          ))}
          <li>
            <span className="swatch transfer-deadline-swatch" /> deadline, <span className="swatch transfer-completion-swatch" /> expected completion
          </li>
        </ul>
        {transfer.waves.length > 0 && (
          <ul className="transfer-waves" data-testid="transfer-waves">
            {transfer.waves.map((w) => (
              <li key={w.id}>
                Wave lit for this transfer: {w.sites.join(' → ')}, {w.capacityGbps}G{w.modeId ? ` (${w.modeId})` : ''} at {w.centerFrequencyGhz} GHz
                {w.gsnrDb !== null ? `, GSNR ${w.gsnrDb} dB` : ''}; lit {w.lit.map((r) => `${formatUtc(Date.parse(r.start))}–${formatUtc(Date.parse(r.end))}`).join(', ') || 'no longer'}
              </li>
            ))}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}

export function TransfersPanel({ selectedId, onSelect }: { selectedId: string | null; onSelect: (id: string) => void }) {
  const list = useTransfers();
  if (list.state === 'loading') return <p>Loading transfers…</p>;
  if (list.state === 'error') return <p role="alert">Could not load transfers: {list.message}</p>;
  const shown = list.items.find((t) => t.id === selectedId) ?? list.items[0] ?? null;
  return (
    <section className="transfers" aria-labelledby="transfers-h">
      <h2 id="transfers-h">Bulk transfers</h2>
      {list.items.length === 0 && <p>No transfers yet. Ask for one with POST /v1/transfers or `lightpath transfer create`.</p>}
      <ul className="transfer-list">
        {list.items.map((t) => (
          <li key={t.id}>
            <button type="button" className={t.id === shown?.id ? 'transfer-item selected' : 'transfer-item'} data-transfer-id={t.id} aria-pressed={t.id === shown?.id} onClick={() => onSelect(t.id)}>
              {t.aSite} → {t.zSite}: {t.volumeTB} TB <span className={`state-badge state-${t.state}`}>{t.state}</span>
            </button>
          </li>
        ))}
      </ul>
      {shown !== null && (
        <div className="transfer-detail" data-testid="transfer-detail" data-transfer-id={shown.id}>
          <dl>
            <dt>Deadline</dt>
            <dd>{formatUtc(Date.parse(shown.deadline))}</dd>
            <dt>Expected completion</dt>
            <dd data-testid="transfer-eta">{formatUtc(Date.parse(shown.expectedCompletion))}</dd>
            <dt>Delivered</dt>
            <dd>
              {shown.deliveredTB.toFixed(3)} of {shown.volumeTB} TB
            </dd>
            <dt>Price</dt>
            <dd>{formatMoney(shown.price.amountMinor)}</dd>
          </dl>
          <ScheduleChart transfer={shown} />
        </div>
      )}
    </section>
  );
}
