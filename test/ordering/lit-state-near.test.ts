/**
 * A windowed lit-channel state built only for the spans a plan may use (buildLitState's `near`) must
 * judge every wave on those spans exactly as the state of the whole network does: the new wave's GSNR,
 * every neighbour's new GSNR and the worst neighbour. Random lit channels on the built-in network
 * (random paths, frequencies, modes and booking intervals), random in-flight waves, random windows and
 * routes; the oracle is the full state built from the same rows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CircuitSpec } from '../../src/domain/products.js';
import { TRANSCEIVER_MODES } from '../../src/domain/transceiver-modes.js';
import type { LightpathInput } from '../../src/engine/qot/index.js';
import type { ChannelRow } from '../../src/store/ordering.js';
import { buildNetworkView } from '../../src/services/ordering/network-view.js';
import { routeFor, routeSpanIds } from '../../src/services/ordering/planner.js';
import { buildLitState } from '../../src/services/ordering/lit-channels.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';

const view = buildNetworkView(builtinNetwork(), 1);
const pops = builtinNetwork()
  .sites.filter((s) => s.kind === 'pop')
  .map((s) => s.id);
const modes = TRANSCEIVER_MODES.filter((m) => m.baudRateGbd > 0).slice(0, 6);
const HOUR = 3_600_000;

function pathSpans(a: string, z: string, k: number): string[] | null {
  const spec: CircuitSpec = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null };
  const route = routeFor(view, spec, 3);
  if (!route || route.kind !== 'single') return null;
  const p = route.candidates[k % route.candidates.length];
  return p.spans.map((e) => view.spans[e].id);
}

const arbChannel = fc.record({
  a: fc.integer({ min: 0, max: pops.length - 1 }),
  z: fc.integer({ min: 0, max: pops.length - 1 }),
  k: fc.integer({ min: 0, max: 2 }),
  slot: fc.integer({ min: 0, max: 90 }),
  mode: fc.integer({ min: 0, max: modes.length - 1 }),
  fromH: fc.integer({ min: 0, max: 200 }),
  hours: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }),
});

describe('lit-channel state near a route', () => {
  test('judges waves on the route exactly as the state of the whole network does', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(arbChannel, { minLength: 5, maxLength: 60 }),
        fc.array(arbChannel, { maxLength: 3 }),
        fc.record({ a: fc.nat(pops.length - 1), z: fc.nat(pops.length - 1), fromH: fc.integer({ min: 0, max: 200 }), hours: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }), slot: fc.integer({ min: 0, max: 90 }) }),
        (channels, inflight, q) => {
          const rows: ChannelRow[] = [];
          let allocId = 1;
          channels.forEach((c, i) => {
            const spans = c.a === c.z ? null : pathSpans(pops[c.a], pops[c.z], c.k);
            if (!spans) return;
            const m = modes[c.mode];
            for (const spanId of spans) {
              rows.push({
                allocId: allocId++,
                spanId,
                sub: 0,
                lo: c.slot,
                hi: c.slot + 4,
                live: true,
                channel: { l: `lp${i}`, m: m.id, f: 191_325 + c.slot * 50 },
                orderId: `ord${i}`,
                role: 'working',
                fromMs: c.fromH * HOUR,
                untilMs: c.hours === null ? null : (c.fromH + c.hours) * HOUR,
                serviceId: null,
                trunkId: null,
              });
            }
          });
          const extra: LightpathInput[] = inflight.flatMap((c, i) => {
            const spans = c.a === c.z ? null : pathSpans(pops[c.a], pops[c.z], c.k);
            return spans ? [{ id: `inflight${i}`, spanIds: spans, frequencyHz: (191_337.5 + c.slot * 50) * 1e9, baudRateHz: modes[c.mode].baudRateGbd * 1e9 }] : [];
          });
          if (q.a === q.z) return;
          const spec: CircuitSpec = { product: 'wave', aSite: pops[q.a], zSite: pops[q.z], bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null };
          const route = routeFor(view, spec, 3);
          if (!route) return;
          const window = { fromMs: q.fromH * HOUR, toMs: q.hours === null ? null : (q.fromH + q.hours) * HOUR };
          const full = buildLitState(view, rows, window, null, extra);
          const near = buildLitState(view, rows, window, new Set(routeSpanIds(view, route)), extra);
          assert.ok(near.size <= full.size);
          const paths = route.kind === 'single' ? route.candidates : route.pairs.flat();
          for (const [pi, p] of paths.entries()) {
            const wave: LightpathInput = { id: `new${pi}`, spanIds: p.spans.map((e) => view.spans[e].id), frequencyHz: (191_331.25 + q.slot * 50) * 1e9, baudRateHz: 63.1e9, thresholdDb: 15 };
            const want = full.evaluate(wave);
            const got = near.evaluate(wave);
            assert.ok(Math.abs(want.gsnrDb - got.gsnrDb) < 1e-9, `GSNR ${got.gsnrDb} vs ${want.gsnrDb}`);
            assert.deepEqual([...got.neighbours.keys()].sort(), [...want.neighbours.keys()].sort());
            for (const [id, g] of want.neighbours) assert.ok(Math.abs((got.neighbours.get(id) as number) - g) < 1e-9, `neighbour ${id}: ${got.neighbours.get(id)} vs ${g}`);
            assert.equal(got.worst?.id ?? null, want.worst?.id ?? null);
            if (want.neighbours.size > 0) compared++;
          }
        },
      ),
      { seed: 20261203, numRuns: 120 },
    );
    // The property compared waves that had neighbours, not only empty lines.
    assert.ok(compared > 50, `only ${compared} waves with neighbours compared`);
  });
});
