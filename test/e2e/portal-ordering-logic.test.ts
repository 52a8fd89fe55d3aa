/**
 * The portal's ordering-side logic without a browser: the SSE parser, order tracking from events,
 * span utilisation, the quote form against the server's own spec parser, the price book form and
 * money formats. Oracles are brute force or the server's code; fast-check seeds are fixed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCircuitSpec } from '../../src/domain/products.js';
import type { LightpathEvent, Order, PriceBook, Service } from '../../web/src/api/ordering-types.js';
import type { NetworkCollection, SpanFeature } from '../../web/src/api/types.js';
import { buildModel, serverLiveState, withLiveState } from '../../web/src/network/model.js';
import { createSseParser } from '../../web/src/events/sse.js';
import type { SseMessage } from '../../web/src/events/sse.js';
import { bookOfForm, formOfBook } from '../../web/src/operator/pricebook.js';
import { spectrumUtilisation } from '../../web/src/operator/utilisation.js';
import { specOfForm } from '../../web/src/order/form.js';
import type { OrderForm } from '../../web/src/order/form.js';
import { applyEvent, isSettled, startTracking } from '../../web/src/order/progress.js';
import { formatAvailability, formatMoney, formatShare, moneyInput, parseMoney } from '../../web/src/ui/format.js';

describe('SSE parser', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', '{', '}', '"', 'é', '1'), maxLength: 12 });
  const message = fc.record({ event: fc.option(fc.constantFrom('order.completed', 'service.activated', 'x.y'), { nil: null }), id: fc.option(fc.integer({ min: 1, max: 1e9 }).map(String), { nil: null }), lines: fc.array(text, { minLength: 1, maxLength: 3 }) });

  it('recovers every message whatever the line endings, comments and chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (msgs, eol, cuts, comments) => {
        let wire = comments ? `: lightpath events${eol}retry: 3000${eol}${eol}` : '';
        const expected: SseMessage[] = [];
        let lastId: string | null = null;
        for (const m of msgs) {
          if (comments) wire += `: heartbeat${eol}`;
          if (m.id !== null) {
            wire += `id: ${m.id}${eol}`;
            lastId = m.id;
          }
          if (m.event !== null) wire += `event:${m.event}${eol}`;
          for (const l of m.lines) wire += `data: ${l}${eol}`;
          wire += eol;
          expected.push({ event: m.event ?? 'message', data: m.lines.join('\n'), id: lastId });
        }
        const got: SseMessage[] = [];
        const parser = createSseParser((m) => got.push(m));
        let at = 0;
        for (let i = 0; at < wire.length; i++) {
          const n = cuts[i % cuts.length];
          parser.feed(wire.slice(at, at + n));
          at += n;
        }
        assert.deepEqual(got, expected);
        assert.equal(parser.lastEventId(), lastId);
        assert.equal(parser.retryMs(), comments ? 3000 : null);
      }),
      { seed: 6101, numRuns: 400 },
    );
  });

  it('does not dispatch a message before its blank line', () => {
    const got: SseMessage[] = [];
    const parser = createSseParser((m) => got.push(m));
    parser.feed('id: 7\nevent: order.completed\ndata: {"a":1}\n');
    assert.equal(got.length, 0);
    parser.feed('\n');
    assert.deepEqual(got, [{ event: 'order.completed', data: '{"a":1}', id: '7' }]);
  });
});

describe('order tracking from events', () => {
  const order = (state: Order['state']): Order => ({
    id: 'ord_1',
    tenantId: 'acme',
    action: 'add',
    state,
    serviceId: 'svc_1',
    quoteId: 'quo_1',
    optionId: 'opt1',
    spec: { product: 'wave', aSite: 'a', zSite: 'z', bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null },
    failureReason: null,
    start: null,
    end: null,
    holdExpiresAt: null,
    seriesId: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    completedAt: null,
  });
  const ev = (id: number, type: string, kind: string, subject: string, data: unknown): LightpathEvent => ({ id, type, occurredAt: '2026-01-01T00:00:00Z', tenantId: 'acme', subject: { kind, id: subject }, data });
  const life = (): LightpathEvent[] => [
    ev(0, 'order.acknowledged', 'order', 'ord_1', order('acknowledged')),
    ev(0, 'order.inProgress', 'order', 'ord_1', order('inProgress')),
    ev(0, 'order.completed', 'order', 'ord_1', order('completed')),
    ev(0, 'service.activated', 'service', 'svc_1', {}),
  ];
  const noise = fc.record({ type: fc.constantFrom('order.completed', 'order.failed', 'service.down', 'service.activated'), kind: fc.constantFrom('order', 'service'), subject: fc.constantFrom('ord_2', 'svc_2', 'svc_9') });

  it('ends active whatever unrelated events interleave and however much is replayed', () => {
    fc.assert(
      fc.property(fc.array(noise, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), fc.nat({ max: 4 }), (others, slots, replay) => {
        // Interleave our four events with the noise, keeping each sequence's own order; ids ascend.
        const mine = life();
        const stream: LightpathEvent[] = [];
        let m = 0;
        let o = 0;
        for (let i = 0; m < mine.length || o < others.length; i++) {
          const takeMine = o >= others.length || (m < mine.length && (slots[i % Math.max(1, slots.length)] ?? 0) % 2 === 0);
          if (takeMine) stream.push({ ...mine[m++] });
          else {
            const x = others[o++];
            stream.push(ev(0, x.type, x.kind, x.subject, order('failed')));
          }
        }
        stream.forEach((e, i) => (e.id = i + 1));
        // A reconnect may deliver a prefix again before continuing.
        const delivered = [...stream.slice(0, replay), ...stream];
        let t = startTracking(order('acknowledged'));
        for (const e of delivered) t = applyEvent(t, e);
        assert.equal(t.order.state, 'completed');
        assert.equal(t.serviceState, 'active');
        assert.ok(isSettled(t));
        assert.deepEqual(t.log.map((l) => l.text), ['Order acknowledged', 'Activation in progress', 'Order completed', 'Service active']);
      }),
      { seed: 6102, numRuns: 300 },
    );
  });

  it('ignores the service\'s earlier events when following a later order on it', () => {
    const disconnect = { ...order('acknowledged'), id: 'ord_2', action: 'delete' as const };
    let t = startTracking(disconnect);
    t = applyEvent(t, ev(3, 'service.activated', 'service', 'svc_1', {}));
    assert.equal(t.serviceState, null, 'the activation belongs to the add order');
    t = applyEvent(t, ev(9, 'order.acknowledged', 'order', 'ord_2', disconnect));
    t = applyEvent(t, ev(10, 'order.completed', 'order', 'ord_2', { ...disconnect, state: 'completed' }));
    t = applyEvent(t, ev(11, 'service.disconnected', 'service', 'svc_1', {}));
    assert.equal(t.serviceState, 'terminated');
    assert.ok(isSettled(t));
  });

  it('is not settled before the service event, nor moved back by a stale snapshot', () => {
    let t = startTracking(order('acknowledged'));
    t = applyEvent(t, ev(5, 'order.completed', 'order', 'ord_1', order('completed')));
    assert.equal(isSettled(t), false, 'completed but the service is not yet active');
    t = applyEvent(t, ev(6, 'order.inProgress', 'order', 'ord_1', order('inProgress')));
    assert.equal(t.order.state, 'completed');
    t = applyEvent(t, ev(7, 'service.activated', 'service', 'svc_1', {}));
    assert.ok(isSettled(t));
  });
});

describe('spectrum utilisation', () => {
  it('equals a brute-force count of distinct held slots per span', () => {
    const spanArb = fc.record({ fiberPairs: fc.integer({ min: 1, max: 3 }), slotCount: fc.integer({ min: 1, max: 40 }), hasLs: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(spanArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ state: fc.constantFrom('active', 'down', 'terminated', 'reserved'), segs: fc.array(fc.record({ spans: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fp: fc.integer({ min: -1, max: 3 }), start: fc.integer({ min: -2, max: 45 }), slots: fc.integer({ min: 1, max: 8 }) }), { maxLength: 4 }) }), { maxLength: 8 }),
        (rawSpans, rawServices) => {
          const spans = rawSpans.map((s, i) => ({
            type: 'Feature',
            id: `s${i}`,
            geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
            properties: { featureType: 'span', id: `s${i}`, aSiteId: 'a', zSiteId: 'z', lengthKm: 1, measuredLatencyUs: null, latencyUs: 4.9, srlgIds: [], cables: [], lineSystem: s.hasLs ? { fiberPairs: s.fiberPairs, slotCount: s.slotCount, slotWidthGhz: 12.5, startFrequencyGhz: 191300 } : null },
          })) as unknown as SpanFeature[];
          const services = rawServices.map((r, i) => ({
            id: `svc${i}`,
            state: r.state,
            design: { paths: [{ role: 'working', siteIds: [], spanIds: [], lengthKm: 0, latencyUs: 0, wave: { lineRateGbps: 100, segments: r.segs.map((g) => ({ spanIds: g.spans.map((k) => `s${k % (rawSpans.length + 1)}`), fiberPair: g.fp, startSlot: g.start, slots: g.slots })) } }] },
          })) as unknown as Service[];
          const got = spectrumUtilisation(spans, services);
          for (const [i, s] of rawSpans.entries()) {
            if (!s.hasLs) {
              assert.equal(got.has(`s${i}`), false);
              continue;
            }
            const held = new Set<string>();
            for (const r of rawServices) {
              if (r.state === 'terminated') continue;
              for (const g of r.segs) {
                if (!g.spans.some((k) => k % (rawSpans.length + 1) === i)) continue;
                for (let k = g.start; k < g.start + g.slots; k++) if (g.fp >= 0 && g.fp < s.fiberPairs && k >= 0 && k < s.slotCount) held.add(`${g.fp}:${k}`);
              }
            }
            assert.equal(got.get(`s${i}`), held.size / (s.fiberPairs * s.slotCount));
          }
        },
      ),
      { seed: 6103, numRuns: 300 },
    );
  });
});

describe('live span state from the server', () => {
  const spanOf = (id: string, live: Record<string, unknown>): SpanFeature =>
    ({
      type: 'Feature',
      id,
      geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
      properties: { featureType: 'span', id, aSiteId: 'a', zSiteId: 'z', lengthKm: 1, measuredLatencyUs: null, latencyUs: 4.9, srlgIds: [], cables: [], lineSystem: null, ...live },
    }) as unknown as SpanFeature;
  const collection = (spans: SpanFeature[]): NetworkCollection => ({ type: 'FeatureCollection', name: 'n', features: spans }) as unknown as NetworkCollection;

  it('reads slots and failures, and says when an older server reports neither', () => {
    const live = serverLiveState(
      buildModel(collection([
        spanOf('s1', { failed: true, utilisation: 0.25, usedSlots: 3, totalSlots: 12 }),
        spanOf('s2', { failed: false, utilisation: null, usedSlots: null, totalSlots: null }),
      ])),
    );
    assert.deepEqual([...(live.utilisation ?? [])], [['s1', 0.25]]);
    assert.deepEqual([...(live.failedSpans ?? [])], ['s1']);
    const old = serverLiveState(buildModel(collection([spanOf('s1', {})])));
    assert.equal(old.utilisation, null);
    assert.equal(old.failedSpans, null);
  });

  it('keeps the generation (no refit) when only live state changed, and hides what the viewer should not see', () => {
    const first = buildModel(collection([spanOf('s1', { failed: false, utilisation: 0, usedSlots: 0, totalSlots: 8 })]));
    const again = buildModel(collection([spanOf('s1', { failed: true, utilisation: 0.5, usedSlots: 4, totalSlots: 8 })]), first);
    assert.equal(again.generation, first.generation);
    assert.notEqual(buildModel(collection([spanOf('s2', {})]), first).generation, first.generation);
    const customer = withLiveState(again, { utilisation: null, failedSpans: new Set(['s1']) });
    assert.equal(customer.generation, first.generation);
    assert.equal('utilisation' in customer.spans[0].properties, false, 'no heat for customers');
    assert.equal(customer.spans[0].properties.failed, true);
  });
});

describe('quote form', () => {
  const formArb = fc.record({
    product: fc.constantFrom('wave', 'ethernet', 'cloud-connect', 'dark-fiber'),
    from: fc.constantFrom(null, 'sea-dc1', 'elk-dc1'),
    to: fc.constantFrom(null, 'sea-dc1', 'elk-dc1'),
    bandwidthGbps: fc.constantFrom('', '0', '1', '10', '100', '399', '400', '401', '800', '2.5', 'abc', ' 100 '),
    protection: fc.constantFrom('unprotected', 'protected-1+1', 'restorable'),
    maxLatencyMs: fc.constantFrom('', '0', '0.0000001', '16.5', '1000', '1000.001', '-3', 'x', ' 25 '),
  }) as fc.Arbitrary<OrderForm>;

  it('accepts exactly what the server would accept, and sends the same spec', () => {
    fc.assert(
      fc.property(formArb, (f) => {
        const mine = specOfForm(f);
        // The request a careless client would send, judged by the server's own parser.
        const naive: Record<string, unknown> = { product: f.product, aSite: f.from, zSite: f.to, protection: f.protection };
        if (f.product !== 'dark-fiber') naive.bandwidthGbps = f.bandwidthGbps.trim() === '' ? undefined : Number(f.bandwidthGbps);
        naive.maxLatencyUs = f.maxLatencyMs.trim() === '' ? null : Number(f.maxLatencyMs) * 1000;
        const server = parseCircuitSpec(naive);
        if ('spec' in mine) {
          assert.ok('spec' in server, `server rejects ${JSON.stringify(naive)}`);
          assert.deepEqual(mine.spec, server.spec);
        } else {
          assert.ok(mine.errors.length > 0);
          assert.ok(!('spec' in server), `form rejected what the server accepts: ${JSON.stringify(f)} -> ${mine.errors.join('; ')}`);
        }
      }),
      { seed: 6104, numRuns: 1000 },
    );
  });
});

describe('money and price book', () => {
  it('dollar text round-trips to the cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (minor) => {
        assert.equal(parseMoney(moneyInput(minor)), minor);
        assert.equal(parseMoney(formatMoney(minor)), minor, formatMoney(minor));
      }),
      { seed: 6105, numRuns: 500 },
    );
    for (const bad of ['', '-1', '1.234', 'abc', '1e3', '.5', '1..2']) assert.equal(parseMoney(bad), null, bad);
    assert.equal(parseMoney('1.5'), 150);
    assert.equal(parseMoney('$1,234.50'), 123450);
  });

  it('a price book survives the form unchanged', () => {
    const price = fc.record({ fixedMonthlyMinor: fc.integer({ min: 0, max: 1e12 }), perKmMonthlyMinor: fc.integer({ min: 0, max: 1e12 }), perGbpsMonthlyMinor: fc.integer({ min: 0, max: 1e12 }) });
    fc.assert(
      fc.property(price, price, price, price, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 744 }), (w, e, c, d, protect, rest, hours) => {
        const book: PriceBook = { currency: 'USD', products: { wave: { ...w }, ethernet: { ...e }, 'cloud-connect': { ...c }, 'dark-fiber': { ...d } }, protectPathPercent: protect, restorableSurchargePercent: rest, hoursPerMonth: hours };
        assert.deepEqual(bookOfForm(formOfBook(book)), { book });
      }),
      { seed: 6106, numRuns: 200 },
    );
  });

  it('rejects out-of-range percentages and hours with a message each', () => {
    const book: PriceBook = { currency: 'USD', products: { wave: { fixedMonthlyMinor: 1, perKmMonthlyMinor: 2, perGbpsMonthlyMinor: 3 }, ethernet: { fixedMonthlyMinor: 1, perKmMonthlyMinor: 2, perGbpsMonthlyMinor: 3 }, 'cloud-connect': { fixedMonthlyMinor: 1, perKmMonthlyMinor: 2, perGbpsMonthlyMinor: 3 }, 'dark-fiber': { fixedMonthlyMinor: 1, perKmMonthlyMinor: 2, perGbpsMonthlyMinor: 3 } }, protectPathPercent: 100, restorableSurchargePercent: 20, hoursPerMonth: 730 };
    const f = { ...formOfBook(book), protectPathPercent: '1001', hoursPerMonth: '0' };
    const r = bookOfForm(f);
    assert.ok('errors' in r);
    assert.equal(r.errors.length, 2);
  });
});

describe('availability and share formats', () => {
  it('availability reads back within its rounding and never shows 100 % below 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.9, max: 1, noNaN: true }), (a) => {
        const shown = formatAvailability(a);
        const v = Number(shown.replace(/[^\d.]/g, ''));
        const decimals = (shown.split('.')[1] ?? '').replace(/[^\d]/g, '').length;
        if (a >= 1) assert.equal(shown, '100 %');
        else {
          assert.ok(decimals >= 3 && decimals <= 6);
          assert.ok(Math.abs(v - a * 100) <= 0.5 * 10 ** -decimals + 1e-9, `${shown} for ${a}`);
        }
      }),
      { seed: 6107, numRuns: 500 },
    );
  });

  it('shares show one decimal below 10 % and whole percent above', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (s) => {
        const shown = formatShare(s);
        const v = Number(shown.replace(/[^\d.]/g, ''));
        assert.ok(Math.abs(v - s * 100) <= (shown.includes('.') ? 0.05 : 0.5) + 1e-9, `${shown} for ${s}`);
      }),
      { seed: 6108, numRuns: 500 },
    );
  });
});
