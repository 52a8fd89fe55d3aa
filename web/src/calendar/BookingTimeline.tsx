/**
 * The customer's bookings on a time axis: one bar per service over its window, coloured by state,
 * with a line at now; click a bar to open the service.
 */
import { useMemo } from 'react';
import type { Service } from '../api/ordering-types.js';
import { layoutTimeline, timelineRange } from './timeline.js';
import type { TimelineItem } from './timeline.js';
import { useNow } from './useNow.js';
import { formatUtc } from './when.js';

const WIDTH = 330;
const LANE_PX = 16;
const AXIS_PX = 16;

/** Services with a window as timeline items (ones from servers without the calendar start at creation). */
export function timelineItems(services: readonly Service[], label: (s: Service) => string): TimelineItem[] {
  return services.map((s) => ({
    id: s.id,
    startMs: Date.parse(s.start ?? s.createdAt),
    endMs: s.end === undefined || s.end === null ? (s.state === 'terminated' || s.state === 'ended' ? Date.parse(s.updatedAt) : null) : Date.parse(s.end),
    state: s.state,
    label: label(s),
  }));
}

export interface BookingTimelineProps {
  services: readonly Service[];
  label: (s: Service) => string;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** The timeline; an empty list draws nothing. */
export function BookingTimeline({ services, label, selectedId, onSelect }: BookingTimelineProps) {
  const now = useNow(60_000);
  const layout = useMemo(() => {
    const items = timelineItems(services, label);
    return layoutTimeline(items, timelineRange(items, now), WIDTH, now);
  }, [services, label, now]);
  if (layout.bars.length === 0) return null;
  const height = layout.lanes * LANE_PX + AXIS_PX;
  return (
    <section className="timeline" aria-labelledby="timeline-h">
      <h3 id="timeline-h">Bookings over time</h3>
      <svg className="timeline-svg" viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="group" aria-label="Bookings timeline (UTC)">
        {layout.ticks.map((t) => (
          <g key={t.ms}>
            <line x1={t.x} x2={t.x} y1={0} y2={layout.lanes * LANE_PX} className="tl-grid" />
            <text x={t.x} y={height - 4} className="strip-label" textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        {layout.bars.map((b) => {
          const it = b.item;
          const text = `${it.label}: ${it.state}, ${formatUtc(it.startMs)} → ${it.endMs === null ? 'open-ended' : formatUtc(it.endMs)}`;
          return (
            <g
              key={it.id}
              className={`tl-bar tl-${it.state}${it.id === selectedId ? ' selected' : ''}`}
              role="button"
              tabIndex={0}
              aria-label={text}
              aria-pressed={it.id === selectedId}
              data-booking-id={it.id}
              data-state={it.state}
              onClick={() => onSelect(it.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(it.id);
                }
              }}
            >
              <title>{text}</title>
              <rect x={b.x} y={b.lane * LANE_PX + 2} width={b.width} height={LANE_PX - 4} rx={3} />
              {b.clippedRight && <path d={`M${b.x + b.width - 1} ${b.lane * LANE_PX + 3} l5 5 l-5 5 z`} className="tl-arrow" />}
            </g>
          );
        })}
        {layout.nowX !== null && (
          <g className="tl-now" data-testid="timeline-now">
            <line x1={layout.nowX} x2={layout.nowX} y1={0} y2={layout.lanes * LANE_PX} />
            <text x={layout.nowX + 2} y={9}>
              now
            </text>
          </g>
        )}
      </svg>
      <ul className="tl-legend small" aria-hidden="true">
        {['held', 'scheduled', 'reserved', 'active', 'down', 'ended'].map((s) => (
          <li key={s}>
            <span className={`tl-swatch tl-${s}`} /> {s}
          </li>
        ))}
      </ul>
    </section>
  );
}
