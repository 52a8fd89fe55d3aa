/**
 * The availability strip: for the next 30 days between the chosen ends, when the circuit fits
 * (green, with how many fit) and when it does not (red); click to start the booking there.
 */
import { useEffect, useMemo, useState } from 'react';
import type { KeyboardEvent, MouseEvent } from 'react';
import { errorMessage, isMissingRoute } from '../api/client.js';
import { fetchAvailabilityOverTime } from '../api/ordering.js';
import type { AvailabilityQuery } from '../api/ordering.js';
import type { AvailabilityOverTime } from '../api/ordering-types.js';
import { useRefreshOn } from '../events/useEvents.js';
import { segmentText, startForClick, stripSegments } from './strip.js';
import { ticks } from './timeline.js';

/** What the server covers by default (the next 30 days). */
const DAYS = 30;
const DAY_MS = 86_400_000;
const WIDTH = 330;
const HEIGHT = 22;

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'error'; message: string } | { state: 'done'; value: AvailabilityOverTime };

/** The circuit asked about (the server's default period: the next 30 days), and the start chosen. */
export interface AvailabilityStripProps extends Omit<AvailabilityQuery, 'from' | 'to'> {
  /** The start chosen now (ms), marked on the strip; null = now. */
  startMs: number | null;
  onPickStart: (ms: number | null) => void;
}

/** The strip; renders nothing on a server without the availability route. */
export function AvailabilityStrip({ aSite, zSite, product, bandwidthGbps, protection, maxLatencyUs, startMs, onPickStart }: AvailabilityStripProps) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  // Anyone's booking may change what fits: reload after each burst of order and service events.
  const tick = useRefreshOn((e) => e.type.startsWith('order.') || e.type.startsWith('service.'), 500);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    // From the server's now (its default), so a client clock ahead of it draws no past sliver as "no capacity".
    const q: AvailabilityQuery = { aSite, zSite, product, bandwidthGbps, protection, maxLatencyUs };
    setLoaded((cur) => (cur.state === 'done' ? cur : { state: 'loading' }));
    fetchAvailabilityOverTime(q, ctl.signal)
      .then((value) => setLoaded({ state: 'done', value }))
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        setLoaded(isMissingRoute(e) ? { state: 'missing' } : { state: 'error', message: errorMessage(e) });
      });
    return () => ctl.abort();
  }, [aSite, zSite, product, bandwidthGbps, protection, maxLatencyUs, tick, attempt]);

  const segments = useMemo(() => (loaded.state === 'done' ? stripSegments(loaded.value) : []), [loaded]);
  if (loaded.state === 'missing') return null;
  const fromMs = loaded.state === 'done' ? Date.parse(loaded.value.from) : 0;
  const toMs = loaded.state === 'done' ? Date.parse(loaded.value.to) : 0;
  const infeasible = segments.filter((s) => !s.feasible).length;

  const pick = (fraction: number) => onPickStart(startForClick(segments, fraction, fromMs, toMs, Date.now()));
  const onClick = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    pick((e.clientX - box.left) / box.width);
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    // Keyboard: step the start a day at a time.
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const cur = startMs ?? Date.now();
    const next = cur + (e.key === 'ArrowRight' ? DAY_MS : -DAY_MS);
    pick((Math.min(toMs, Math.max(fromMs, next)) - fromMs) / (toMs - fromMs));
  };
  const markX = startMs !== null && loaded.state === 'done' && startMs >= fromMs && startMs <= toMs ? ((startMs - fromMs) / (toMs - fromMs)) * WIDTH : null;

  return (
    <section className="avail-strip" aria-labelledby="avail-h">
      <h3 id="avail-h">Availability, next {loaded.state === 'done' ? Math.round((toMs - fromMs) / DAY_MS) : DAYS} days</h3>
      {loaded.state === 'loading' && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Checking capacity over time…
        </p>
      )}
      {loaded.state === 'error' && (
        <p className="error-box" role="alert">
          {loaded.message}{' '}
          <button type="button" className="link" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </p>
      )}
      {loaded.state === 'done' && (
        <>
          <svg
            className="strip-svg"
            viewBox={`0 0 ${WIDTH} ${HEIGHT + 14}`}
            width="100%"
            role="slider"
            tabIndex={0}
            aria-label="Availability over the next 30 days: click to start the booking there"
            aria-valuemin={fromMs}
            aria-valuemax={toMs}
            aria-valuenow={startMs ?? fromMs}
            aria-valuetext={startMs === null ? 'now' : new Date(startMs).toISOString()}
            data-infeasible={infeasible}
            onClick={onClick}
            onKeyDown={onKey}
          >
            {segments.map((s) => (
              <rect
                key={s.startMs}
                className={s.feasible ? 'strip-ok' : 'strip-no'}
                data-feasible={s.feasible}
                data-start={new Date(s.startMs).toISOString()}
                data-end={new Date(s.endMs).toISOString()}
                data-count={s.count ?? ''}
                x={s.x0 * WIDTH}
                y={0}
                width={Math.max(1, (s.x1 - s.x0) * WIDTH)}
                height={HEIGHT}
              >
                <title>{segmentText(s)}</title>
              </rect>
            ))}
            {ticks(fromMs, toMs, WIDTH, 70).map((t) => (
              <g key={t.ms}>
                <line x1={t.x} x2={t.x} y1={HEIGHT} y2={HEIGHT + 3} className="strip-tick" />
                <text x={t.x} y={HEIGHT + 12} className="strip-label" textAnchor="middle">
                  {t.label}
                </text>
              </g>
            ))}
            {markX !== null && <line x1={markX} x2={markX} y1={-2} y2={HEIGHT + 2} className="strip-mark" />}
          </svg>
          {infeasible === 0 ? (
            <p className="muted small">Fits throughout{segments.length === 1 && segments[0].count !== null ? ` (${segments[0].count >= 16 ? '16 or more' : segments[0].count} side by side)` : ''}. Click to choose the start.</p>
          ) : (
            <ul className="strip-list small" aria-label="Times without capacity">
              {segments.filter((s) => !s.feasible).slice(0, 6).map((s) => (
                <li key={s.startMs}>{segmentText(s)}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
