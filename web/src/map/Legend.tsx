/** Map legend: site kinds by shape and colour, span states, utilisation scale when present. */
import { AMPLIFIER_COLOUR, FAILED_COLOUR, SITE_STYLE, SPAN_COLOUR, UTILISATION_STOPS } from './palette.js';
import type { SiteKind, SiteShape } from './palette.js';

function ShapeIcon({ shape, colour }: { shape: SiteShape; colour: string }) {
  const common = { fill: colour, stroke: '#fff', strokeWidth: 1.5 };
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {shape === 'circle' && <circle cx="8" cy="8" r="6" {...common} />}
      {shape === 'square' && <rect x="2.5" y="2.5" width="11" height="11" {...common} />}
      {shape === 'diamond' && <polygon points="8,1 15,8 8,15 1,8" {...common} />}
      {shape === 'triangle' && <polygon points="8,2 14,13 2,13" {...common} />}
    </svg>
  );
}

function LineIcon({ colour, dashed }: { colour: string; dashed?: boolean }) {
  return (
    <svg width="22" height="10" viewBox="0 0 22 10" aria-hidden="true">
      <line x1="1" y1="5" x2="21" y2="5" stroke={colour} strokeWidth="3" strokeDasharray={dashed === true ? '4 3' : undefined} strokeLinecap="round" />
    </svg>
  );
}

function AmplifierIcon({ hollow }: { hollow: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="4" fill={hollow ? '#ffffff' : AMPLIFIER_COLOUR} stroke={AMPLIFIER_COLOUR} strokeWidth="1.5" />
    </svg>
  );
}

/** Legend for the kinds present in the network (all kinds when none are given). */
export function Legend({ kinds, hasUtilisation, hasFailures, amplifiers }: { kinds: ReadonlySet<SiteKind>; hasUtilisation: boolean; hasFailures: boolean; amplifiers?: { given: number; placed: number } }) {
  const shown = (Object.keys(SITE_STYLE) as SiteKind[]).filter((k) => kinds.size === 0 || kinds.has(k));
  const gradient = `linear-gradient(to right, ${UTILISATION_STOPS.map(([v, c]) => `${c} ${v * 100}%`).join(', ')})`;
  return (
    <section className="legend" aria-label="Map legend">
      <ul>
        {shown.map((k) => (
          <li key={k}>
            <ShapeIcon shape={SITE_STYLE[k].shape} colour={SITE_STYLE[k].colour} /> {SITE_STYLE[k].label}
            {k === 'pop' ? ' (ROADM)' : ''}
          </li>
        ))}
        {amplifiers !== undefined && amplifiers.given > 0 && (
          <li>
            <AmplifierIcon hollow={false} /> ILA hut (in-line amp)
          </li>
        )}
        {amplifiers !== undefined && amplifiers.placed > 0 && (
          <li>
            <AmplifierIcon hollow /> ILA hut, placed by rule (≤ 80 km apart; not in the inventory)
          </li>
        )}
        {!hasUtilisation && (
          <li>
            <LineIcon colour={SPAN_COLOUR} /> Fiber span
          </li>
        )}
        {hasFailures && (
          <li>
            <LineIcon colour={FAILED_COLOUR} dashed /> Failed span
          </li>
        )}
      </ul>
      {hasUtilisation && (
        <div className="legend-scale">
          <span>Utilisation</span>
          <span className="legend-gradient" style={{ background: gradient }} aria-hidden="true" />
          <span className="legend-scale-ends">
            <span>0 %</span>
            <span>100 %</span>
          </span>
        </div>
      )}
    </section>
  );
}
