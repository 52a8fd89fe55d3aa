/**
 * The "when" part of Quote & order: start (UTC, with local time beside), presets, length or end,
 * a hold, and an optional weekly recurrence with a preview of its occurrences.
 */
import { DURATIONS, START_PRESETS, bookingOfWhen, formatLocal, formatUtc, parseUtcInput, toUtcInput } from './when.js';
import type { WhenForm } from './when.js';
import { WEEKDAYS, WEEKDAY_LABEL, weeklyOccurrences } from './rrule.js';
import { useNow } from './useNow.js';

function LocalBeside({ utc }: { utc: string }) {
  const ms = parseUtcInput(utc);
  return <span className="muted small when-local">{ms === null ? '' : `= ${formatLocal(ms)} local`}</span>;
}

/** The when picker. */
export function WhenPicker({ value, onChange }: { value: WhenForm; onChange: (w: WhenForm) => void }) {
  const now = useNow(30_000);
  const set = (patch: Partial<WhenForm>) => onChange({ ...value, ...patch });
  const r = bookingOfWhen(value, now);
  const preview = 'booking' in r && r.recurring && r.booking.recurrence !== undefined
    ? weeklyOccurrences(r.startMs, value.days, Number(value.count), r.booking.recurrence.durationSeconds)
    : [];
  return (
    <fieldset className="when">
      <legend>When</legend>
      <div className="when-presets" role="group" aria-label="Start presets (UTC)">
        {START_PRESETS.map((p) => (
          <button key={p.id} type="button" className="chip" onClick={() => {
            const at = p.at(Date.now());
            set({ start: at === null ? '' : toUtcInput(at) });
          }}>
            {p.label}
          </button>
        ))}
      </div>
      <label>
        Start (UTC)
        <input type="datetime-local" step={60} value={value.start} onChange={(e) => set({ start: e.target.value })} />
      </label>
      {value.start === '' ? <span className="muted small when-local">now</span> : <LocalBeside utc={value.start} />}
      <div className="form-row">
        <label>
          Duration
          <select value={value.duration} onChange={(e) => set({ duration: e.target.value })}>
            {DURATIONS.filter((d) => !value.repeat || (d.id !== 'open' && d.id !== 'until')).map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        {value.duration === 'until' && !value.repeat && (
          <label>
            End (UTC)
            <input type="datetime-local" step={60} value={value.end} onChange={(e) => set({ end: e.target.value })} />
          </label>
        )}
      </div>
      {value.duration === 'until' && !value.repeat && <LocalBeside utc={value.end} />}
      {'booking' in r && !r.recurring && (
        <p className="muted small when-summary" data-testid="when-summary">
          {formatUtc(r.startMs)} → {r.endMs === null ? 'open-ended' : formatUtc(r.endMs)}
        </p>
      )}

      <label className="toggle">
        <input type="checkbox" checked={value.repeat} onChange={(e) => set({ repeat: e.target.checked, duration: e.target.checked && (value.duration === 'open' || value.duration === 'until') ? '1d' : value.duration })} /> Repeat weekly
      </label>
      {value.repeat && (
        <div className="when-repeat">
          <div className="weekday-row" role="group" aria-label="Repeat on">
            {WEEKDAYS.map((d) => (
              <label key={d} className="weekday">
                <input type="checkbox" checked={value.days.includes(d)} onChange={(e) => set({ days: e.target.checked ? [...value.days, d] : value.days.filter((x) => x !== d) })} />
                {WEEKDAY_LABEL[d]}
              </label>
            ))}
          </div>
          <label>
            Occurrences
            <input type="number" min={1} max={366} step={1} value={value.count} onChange={(e) => set({ count: e.target.value })} />
          </label>
          {'booking' in r && r.booking.recurrence !== undefined && (
            <p className="muted small">
              <code>{r.booking.recurrence.rrule}</code> from {formatUtc(r.startMs)}
              {preview.length > 1 ? `; last ${formatUtc(preview[preview.length - 1].startMs)}` : ''}
            </p>
          )}
        </div>
      )}

      <label className="toggle">
        <input type="checkbox" checked={value.hold} onChange={(e) => set({ hold: e.target.checked })} /> Hold first, commit later
      </label>
      {value.hold && (
        <label>
          Hold for (minutes)
          <input type="text" inputMode="decimal" value={value.holdMinutes} onChange={(e) => set({ holdMinutes: e.target.value })} />
        </label>
      )}
    </fieldset>
  );
}
