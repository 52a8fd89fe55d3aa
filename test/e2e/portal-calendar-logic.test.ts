/**
 * The portal's calendar logic without a browser: the when picker (UTC inputs, presets, windows,
 * holds), weekly RRULEs, the bookings timeline's layout and the availability strip. Oracles: the
 * server's own booking parser (which expands RRULEs with the `rrule` library), brute-force walks
 * over days and hours, and a sweep over window boundaries. fast-check seeds are fixed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_HOLD_SECONDS } from '../../src/domain/calendar.js';
import { parseBooking } from '../../src/services/ordering/booking.js';
import type { AvailabilityOverTime, Order } from '../../web/src/api/ordering-types.js';
import { WEEKDAYS, firstOccurrenceMs, weeklyOccurrences, weeklyRule } from '../../web/src/calendar/rrule.js';
import type { Weekday } from '../../web/src/calendar/rrule.js';
import { segmentAt, startForClick, stripSegments } from '../../web/src/calendar/strip.js';
import { MIN_BAR_PX, assignLanes, layoutTimeline, ticks, timelineRange } from '../../web/src/calendar/timeline.js';
import type { TimelineItem } from '../../web/src/calendar/timeline.js';
import { DURATIONS, EMPTY_WHEN, START_PRESETS, bookingOfWhen, formatCountdown, formatUtc, nextWeekdayAt, parseUtcInput, toUtcInput } from '../../web/src/calendar/when.js';
import type { WhenForm } from '../../web/src/calendar/when.js';
import { applyEvent, startTracking } from '../../web/src/order/progress.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-12-03T12:57:31.250Z, a Thursday, off the minute on purpose. */
const NOW = Date.UTC(2026, 11, 3, 12, 57, 31, 250);
const nowArb = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) });
const daysArb = fc.subarray([...WEEKDAYS], { minLength: 1 }).chain((d) => fc.shuffledSubarray(d, { minLength: d.length, maxLength: d.length }));
const weekdayOf = (ms: number): Weekday => WEEKDAYS[(new Date(ms).getUTCDay() + 6) % 7];

describe('when picker: UTC inputs and presets', () => {
  it('reads back every minute it writes, and refuses times that do not exist', () => {
    fc.assert(fc.property(nowArb, (ms) => {
      const m = Math.floor(ms / MIN) * MIN;
      assert.equal(parseUtcInput(toUtcInput(m)), m);
    }), { seed: 1401, numRuns: 500 });
    for (const bad of ['2026-02-31T09:00', '2026-13-01T00:00', '2026-12-07T24:00', '2026-12-07 09:00', '2026-12-07T09:00Z', '']) assert.equal(parseUtcInput(bad), null, bad);
    assert.equal(parseUtcInput('2028-02-29T23:59'), Date.UTC(2028, 1, 29, 23, 59));
  });

  it('finds the next weekday at an hour: the first such hour after now, by walking hour by hour', () => {
    fc.assert(fc.property(nowArb, fc.constantFrom(...WEEKDAYS), fc.integer({ min: 0, max: 23 }), (now, day, hour) => {
      let t = Math.floor(now / HOUR) * HOUR;
      while (!(t > now && weekdayOf(t) === day && new Date(t).getUTCHours() === hour)) t += HOUR;
      assert.equal(nextWeekdayAt(now, day, hour), t);
    }), { seed: 1402, numRuns: 300 });
  });

  it('offers presets in the future (or now), on the hour, and the Monday one on a Monday at 09:00 UTC', () => {
    fc.assert(fc.property(nowArb, (now) => {
      for (const p of START_PRESETS) {
        const at = p.at(now);
        if (p.id === 'now') assert.equal(at, null);
        else {
          assert.ok(at !== null && at > now && at - now <= 8 * DAY, `${p.id} from ${new Date(now).toISOString()}`);
          assert.equal(at % HOUR, 0);
        }
      }
      const mon = START_PRESETS.find((p) => p.id === 'monday-9')?.at(now) as number;
      assert.equal(formatUtc(mon).slice(0, 3), 'Mon');
      assert.ok(formatUtc(mon).endsWith('09:00 UTC'));
    }), { seed: 1403, numRuns: 200 });
  });

  it('counts a hold down as m:ss and h:mm:ss', () => {
    assert.equal(formatCountdown(600_000), '10:00');
    assert.equal(formatCountdown(59_001), '1:00');
    assert.equal(formatCountdown(59_000), '0:59');
    assert.equal(formatCountdown(3_600_000 + 61_000), '1:01:01');
    assert.equal(formatCountdown(-5), '0:00');
  });
});

/** A random picker state. */
const whenArb: fc.Arbitrary<WhenForm> = fc.record({
  startOffsetMin: fc.option(fc.integer({ min: -3, max: 60 * 24 * 120 }), { nil: null }),
  duration: fc.constantFrom(...DURATIONS.map((d) => d.id)),
  endOffsetMin: fc.integer({ min: -60, max: 60 * 24 * 60 }),
  hold: fc.boolean(),
  holdMinutes: fc.oneof(fc.constantFrom('10', '0.5', '0', '-1', 'x', '', '1e9'), fc.integer({ min: 1, max: 600 }).map(String)),
  repeat: fc.boolean(),
  days: fc.subarray([...WEEKDAYS]),
  count: fc.oneof(fc.integer({ min: 1, max: 30 }).map(String), fc.constantFrom('0', '367', '2.5', '')),
}).map((r) => ({
  ...EMPTY_WHEN,
  start: r.startOffsetMin === null ? '' : toUtcInput(NOW + r.startOffsetMin * MIN),
  duration: r.duration,
  end: toUtcInput(NOW + (r.startOffsetMin ?? 0) * MIN + r.endOffsetMin * MIN),
  hold: r.hold,
  holdMinutes: r.holdMinutes,
  repeat: r.repeat,
  days: r.days,
  count: r.count,
}));

describe('when picker: what it sends is what the server books', () => {
  it('sends only bookings the server accepts, with the windows the picker previews (server: parseBooking with the rrule library)', () => {
    let accepted = 0;
    let recurring = 0;
    fc.assert(fc.property(whenArb, (w) => {
      const r = bookingOfWhen(w, NOW);
      if ('errors' in r) {
        assert.ok(r.errors.length > 0);
        return;
      }
      accepted++;
      const body = { product: 'wave', ...r.booking, ...(r.holdSeconds !== null ? { hold: true, holdSeconds: r.holdSeconds } : {}) };
      const { booking } = parseBooking(body, NOW, { allowHold: true });
      assert.equal(booking.holdSeconds, r.holdSeconds);
      if (r.holdSeconds !== null) assert.ok(r.holdSeconds >= 1 && r.holdSeconds <= MAX_HOLD_SECONDS);
      if (r.recurring) {
        recurring++;
        const rec = r.booking.recurrence;
        assert.ok(rec !== undefined);
        const mine = weeklyOccurrences(r.startMs, w.days, Number(w.count), rec.durationSeconds);
        assert.deepEqual(booking.windows.map((x) => [x.startMs, x.endMs]), mine.map((x) => [x.startMs, x.endMs]));
        assert.equal(r.startMs, mine[0].startMs);
      } else {
        assert.equal(booking.windows.length, 1);
        assert.deepEqual([booking.windows[0].startMs, booking.windows[0].endMs], [r.startMs, r.endMs]);
        const preset = DURATIONS.find((d) => d.id === w.duration);
        if (preset?.id === 'open') assert.equal(r.endMs, null);
        else if (preset?.seconds != null) assert.equal((r.endMs as number) - r.startMs, preset.seconds * 1000);
      }
    }), { seed: 1404, numRuns: 600 });
    assert.ok(accepted > 100 && recurring > 20, `enough cases reached the server's parser (${accepted}, ${recurring} recurring)`);
  });

  it('explains what is wrong instead of sending it', () => {
    const errs = (patch: Partial<WhenForm>) => {
      const r = bookingOfWhen({ ...EMPTY_WHEN, ...patch }, NOW);
      return 'errors' in r ? r.errors.join(' ') : '';
    };
    assert.match(errs({ start: toUtcInput(NOW - 2 * HOUR) }), /past/);
    assert.match(errs({ start: '2026-02-31T09:00' }), /date and time/);
    assert.match(errs({ duration: 'until', end: toUtcInput(NOW - HOUR) }), /after the start/);
    assert.match(errs({ hold: true, holdMinutes: '0' }), /Hold/);
    assert.match(errs({ repeat: true, days: [], duration: '1h' }), /weekdays/);
    assert.match(errs({ repeat: true, days: ['MO'], duration: 'open' }), /length/);
    assert.match(errs({ repeat: true, days: ['MO'], duration: '1h', count: '0' }), /Occurrences/);
    assert.match(errs({ repeat: true, days: ['FR', 'SA'], duration: '1w', count: '2' }), /end before the next/);
    // Now and open-ended send nothing: the server's defaults.
    const r = bookingOfWhen(EMPTY_WHEN, NOW);
    assert.ok('booking' in r);
    assert.deepEqual(r.booking, {});
  });
});

describe('weekly RRULE', () => {
  it('builds FREQ=WEEKLY;BYDAY=…;COUNT=n with the days Monday first, once each', () => {
    assert.equal(weeklyRule(['SA'], 12), 'FREQ=WEEKLY;BYDAY=SA;COUNT=12');
    assert.equal(weeklyRule(['FR', 'MO', 'WE', 'MO'], 3), 'FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=3');
    assert.throws(() => weeklyRule([], 3));
    assert.throws(() => weeklyRule(['MO'], 0));
  });

  it('lists the occurrences a day-by-day walk finds: every chosen weekday from the first, none skipped, same time of day', () => {
    fc.assert(fc.property(nowArb, daysArb, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 60, max: 3 * 86_400 }), (start, days, count, dur) => {
      const occ = weeklyOccurrences(start, days, count, dur);
      assert.equal(occ.length, count);
      const first = firstOccurrenceMs(start, days);
      assert.ok(first >= start && first - start < 7 * DAY && days.includes(weekdayOf(first)));
      // Brute force: every day from start on; keep the chosen weekdays.
      const want: number[] = [];
      for (let t = start; want.length < count; t += DAY) if (days.includes(weekdayOf(t))) want.push(t);
      assert.deepEqual(occ.map((o) => o.startMs), want);
      for (const o of occ) assert.equal(o.endMs - o.startMs, dur * 1000);
    }), { seed: 1405, numRuns: 300 });
  });
});

/** The most bookings overlapping at one instant: a sweep over every start and end (the lanes needed). */
function maxOverlap(items: readonly TimelineItem[]): number {
  const pts = items.flatMap((it) => [[it.startMs, 1], [it.endMs ?? Infinity, -1]] as [number, number][]);
  // Half-open: at an instant where one ends and one starts, the end counts first.
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let best = 0;
  for (const [, d] of pts) best = Math.max(best, (cur += d));
  return best;
}

const itemsArb = fc.array(
  fc.record({ s: fc.integer({ min: -10 * 24, max: 60 * 24 }), len: fc.option(fc.integer({ min: 1, max: 20 * 24 }), { nil: null }), state: fc.constantFrom('held', 'scheduled', 'active', 'ended') }),
  { maxLength: 25 },
).map((xs) => xs.map((x, i): TimelineItem => ({ id: `svc_${i}`, startMs: NOW + x.s * HOUR, endMs: x.len === null ? null : NOW + (x.s + x.len) * HOUR, state: x.state, label: `b${i}` })));

describe('bookings timeline layout', () => {
  it('never puts two overlapping bookings on one lane, and uses exactly as many lanes as bookings overlap at once', () => {
    fc.assert(fc.property(itemsArb, (items) => {
      const lanes = assignLanes(items);
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          if (lanes[i] !== lanes[j]) continue;
          const [a, b] = [items[i], items[j]];
          const overlap = a.startMs < (b.endMs ?? Infinity) && b.startMs < (a.endMs ?? Infinity);
          assert.ok(!overlap, `${a.id} and ${b.id} share lane ${lanes[i]}`);
        }
      }
      assert.equal(items.length === 0 ? 0 : Math.max(...lanes) + 1, maxOverlap(items));
    }), { seed: 1406, numRuns: 500 });
  });

  it('places bars inside the axis on their times, the now-line at now, ticks in order and apart', () => {
    fc.assert(fc.property(itemsArb, fc.integer({ min: 200, max: 1200 }), (items, width) => {
      const range = timelineRange(items, NOW);
      assert.ok(range.fromMs < NOW && range.toMs > NOW);
      const l = layoutTimeline(items, range, width, NOW);
      const span = range.toMs - range.fromMs;
      assert.ok(l.nowX !== null && Math.abs(l.nowX - ((NOW - range.fromMs) / span) * width) < 1e-9);
      const inRange = items.filter((it) => it.startMs < range.toMs && (it.endMs === null || it.endMs > range.fromMs));
      assert.equal(l.bars.length, inRange.length);
      for (const b of l.bars) {
        assert.ok(b.x >= 0 && b.width >= MIN_BAR_PX && b.x + b.width <= width + 1e-9, `${b.item.id} in [0, ${width}]`);
        const x0 = ((b.item.startMs - range.fromMs) / span) * width;
        if (!b.clippedLeft && b.width > MIN_BAR_PX) assert.ok(Math.abs(b.x - x0) < 1e-6);
        assert.equal(b.clippedRight, b.item.endMs === null || b.item.endMs > range.toMs);
      }
      // Every booking up to a year ahead is on the axis.
      for (const it of items) if ((it.endMs ?? it.startMs) < NOW + 300 * DAY) assert.ok(range.toMs >= (it.endMs ?? it.startMs));
      const t = ticks(range.fromMs, range.toMs, width);
      for (let i = 1; i < t.length; i++) assert.ok(t[i].x - t[i - 1].x >= 60 - 1e-9 && t[i].ms > t[i - 1].ms);
    }), { seed: 1407, numRuns: 300 });
  });
});

describe('availability strip', () => {
  const from = NOW;
  const to = NOW + 30 * DAY;
  /** Consecutive random intervals covering [from, to). */
  const availArb = fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 12 }).chain((ws) =>
    fc.array(fc.boolean(), { minLength: ws.length, maxLength: ws.length }).map((feasible): AvailabilityOverTime => {
      const total = ws.reduce((a, b) => a + b, 0);
      let acc = 0;
      const cuts = ws.map((w) => from + Math.round(((acc += w) / total) * (to - from)));
      const intervals = cuts.map((end, i) => ({ start: new Date(i === 0 ? from : cuts[i - 1]).toISOString(), end: new Date(end).toISOString(), feasible: feasible[i], count: feasible[i] ? i + 1 : 0 }));
      return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), intervals: intervals.filter((x) => x.start < x.end) };
    }),
  );

  it('covers the strip end to end with the server\'s intervals in order', () => {
    fc.assert(fc.property(availArb, (a) => {
      const segs = stripSegments(a);
      assert.equal(segs.length, a.intervals.length);
      assert.equal(segs[0].x0, 0);
      assert.equal(segs[segs.length - 1].x1, 1);
      for (let i = 1; i < segs.length; i++) assert.equal(segs[i].x0, segs[i - 1].x1);
      segs.forEach((s, i) => assert.equal(s.feasible, a.intervals[i].feasible));
    }), { seed: 1408, numRuns: 300 });
  });

  it('turns a click into a start on the hour inside the clicked interval (or now), never in the past', () => {
    fc.assert(fc.property(availArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -DAY, max: 2 * DAY }), (a, f, nowShift) => {
      const segs = stripSegments(a);
      const now = NOW + nowShift;
      const s = startForClick(segs, f, from, to, now);
      const clicked = from + f * (to - from);
      const seg = segmentAt(segs, f);
      assert.ok(seg !== null);
      if (s === null) {
        // Only a time not after now becomes "now".
        const floor = Math.max(Math.floor(clicked / HOUR) * HOUR, seg.startMs);
        assert.ok(floor <= now + HOUR, `null for ${new Date(clicked).toISOString()} (now ${new Date(now).toISOString()})`);
        return;
      }
      assert.ok(s > now);
      assert.ok(s >= seg.startMs && s < seg.endMs + 1, 'inside the clicked interval');
      assert.ok(s % HOUR === 0 || s === seg.startMs, 'on the hour unless the interval is shorter');
      assert.ok(s <= clicked || s - clicked < HOUR || s === seg.startMs, 'not later than the click');
    }), { seed: 1409, numRuns: 500 });
  });
});

describe('order tracking with holds', () => {
  const order = (state: Order['state']): Order => ({
    id: 'ord_1', tenantId: 'acme', action: 'add', state, serviceId: 'svc_1', quoteId: 'quo_1', optionId: 'opt-1',
    spec: { product: 'wave', aSite: 'a', zSite: 'z', bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null },
    start: '2026-12-07T09:00:00.000Z', end: null, holdExpiresAt: state === 'held' ? '2026-12-03T13:07:31.250Z' : null, seriesId: null,
    failureReason: null, createdAt: '2026-12-03T12:57:31.250Z', updatedAt: '2026-12-03T12:57:31.250Z', completedAt: null,
  });
  const ev = (id: number, type: string, data: unknown) => ({ id, type, occurredAt: '2026-12-03T12:58:00Z', tenantId: 'acme', subject: { kind: 'order', id: 'ord_1' }, data });

  it('moves from held to acknowledged on commit and never back', () => {
    let t = startTracking(order('held'));
    t = applyEvent(t, ev(1, 'order.held', order('held')));
    assert.equal(t.order.state, 'held');
    t = applyEvent(t, ev(2, 'order.acknowledged', order('acknowledged')));
    assert.equal(t.order.state, 'acknowledged');
    // A late snapshot of the hold (a replay after reconnect with a new id) does not undo the commit.
    t = applyEvent(t, ev(3, 'order.held', order('held')));
    assert.equal(t.order.state, 'acknowledged');
    assert.deepEqual(t.log.map((l) => l.text), ['Capacity held', 'Order acknowledged', 'Capacity held']);
  });

  it('ends a held order cancelled when its hold expires', () => {
    let t = startTracking(order('held'));
    t = applyEvent(t, ev(1, 'order.cancelled', { ...order('cancelled'), failureReason: 'hold-expired' }));
    assert.equal(t.order.state, 'cancelled');
    assert.equal(t.order.failureReason, 'hold-expired');
  });
});
