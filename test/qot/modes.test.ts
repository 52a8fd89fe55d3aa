/**
 * Transceiver modes: the OpenROADM catalog transcription checked field by field against the
 * published JSON (../shared/data/openroadm); chooseMode against a direct reading of the thresholds;
 * regenerator placement proven minimal against brute force over every subset (fast-check).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { OPENROADM_MODES, TRANSCEIVER_MODES, chooseMode, penaltyDb } from '../../src/domain/transceiver-modes.js';
import { placeRegenerators, placeRegeneratorsByInverseSnr } from '../../src/engine/qot/regenerators.js';
import { sharedData } from '../support/shared.js';

interface CatalogMode {
  'openroadm-operational-mode-id': string;
  'baud-rate': string;
  'line-rate': string;
  'payload-rate-identity': string;
  'modulation-format': string;
  'channel-width': string;
  'min-TX-osnr': string;
  'min-RX-osnr-tolerance': string;
  penalties: { 'parameter-and-unit': string; 'up-to-boundary': string; 'penalty-value': string }[];
}

test('OpenROADM catalog transcription matches operational-modes-catalog-18_0-optical-spec-9_0.json', () => {
  const doc = JSON.parse(fs.readFileSync(sharedData('openroadm', 'operational-modes-catalog-18_0-optical-spec-9_0.json'), 'utf8'));
  const modes = doc.input['operational-mode-info']['xponders-pluggables']['xponder-pluggable-openroadm-operational-mode'] as CatalogMode[];
  assert.equal(OPENROADM_MODES.length, modes.length);
  for (const m of modes) {
    const t = OPENROADM_MODES.find((x) => x.id === m['openroadm-operational-mode-id']);
    assert.ok(t, m['openroadm-operational-mode-id']);
    assert.equal(t!.baudRateGbd, Number(m['baud-rate']));
    assert.equal(t!.lineRateGbps, Number(m['line-rate']));
    assert.equal(`R${t!.payloadGbps}G`, /R\d+G/.exec(m['payload-rate-identity'])![0]);
    assert.equal(t!.modulation, m['modulation-format']);
    assert.equal(t!.channelWidthGhz, Number(m['channel-width']));
    assert.equal(t!.minTxOsnrDb, Number(m['min-TX-osnr']));
    assert.equal(t!.minRxOsnrDb, Number(m['min-RX-osnr-tolerance']));
    const steps = (unit: string) => m.penalties.filter((p) => p['parameter-and-unit'] === unit).map((p) => ({ upTo: Number(p['up-to-boundary']), penaltyDb: Number(p['penalty-value']) }));
    assert.deepEqual(t!.cdPenalty, steps('CD-ps/nm'));
    assert.deepEqual(t!.pmdPenalty, steps('PMD-ps'));
    assert.deepEqual(t!.pdlPenalty, steps('PDL-dB'));
  }
  assert.ok(OPENROADM_MODES.some((m) => m.payloadGbps === 800), 'an 800G mode');
});

test('penalty steps: up to each boundary its penalty, beyond the last infeasible', () => {
  const steps = [{ upTo: 4000, penaltyDb: 0 }, { upTo: 12000, penaltyDb: 0.5 }];
  assert.equal(penaltyDb(steps, 0), 0);
  assert.equal(penaltyDb(steps, 4000), 0);
  assert.equal(penaltyDb(steps, 4001), 0.5);
  assert.equal(penaltyDb(steps, 12001), Infinity);
  assert.equal(penaltyDb([], 1e9), 0);
});

test('chooseMode keeps exactly the modes whose GSNR covers RX OSNR + penalties + margin, fewest carriers then least spectrum first', () => {
  fc.assert(
    fc.property(fc.double({ min: 5, max: 35, noNaN: true }), fc.integer({ min: 0, max: 30000 }), fc.double({ min: 0, max: 40, noNaN: true }), fc.double({ min: 0, max: 6, noNaN: true }), fc.constantFrom(100, 200, 400, 800, 1200), fc.double({ min: 0, max: 3, noNaN: true }), (gsnr, cd, pmd, pdl, gbps, margin) => {
      const cands = TRANSCEIVER_MODES.map((mode) => ({ mode, gsnr01nmDb: gsnr, cdPsPerNm: cd, pmdPs: pmd, pdlDb: pdl }));
      const got = chooseMode(cands, gbps, margin);
      // Oracle: read each table directly.
      const direct = (steps: { upTo: number; penaltyDb: number }[], v: number) => (steps.length === 0 ? 0 : (steps.find((s) => v <= s.upTo)?.penaltyDb ?? Infinity));
      const feasible = TRANSCEIVER_MODES.filter((m) => gsnr >= m.minRxOsnrDb + direct(m.cdPenalty, cd) + direct(m.pmdPenalty, pmd) + direct(m.pdlPenalty, pdl) + margin);
      if (new Set(got.map((g) => g.mode.id)).size !== feasible.length) return false;
      for (let k = 1; k < got.length; k++) {
        const a = got[k - 1];
        const b = got[k];
        if (a.carriers > b.carriers || (a.carriers === b.carriers && a.spectrumGhz > b.spectrumGhz)) return false;
      }
      return got.every((g) => g.marginDb >= 0 && g.carriers * g.mode.payloadGbps >= gbps);
    }),
    { numRuns: 300 },
  );
});

/** Brute force: every subset of regenerator-capable sites, smallest that closes every segment. */
function bruteForce(n: number, can: boolean[], closes: (i: number, j: number) => boolean): number | null {
  const cand = [];
  for (let i = 1; i < n; i++) if (can[i]) cand.push(i);
  let best: number | null = null;
  for (let mask = 0; mask < 1 << cand.length; mask++) {
    const sites = [0, ...cand.filter((_, k) => mask & (1 << k)), n];
    if (sites.slice(1).every((j, k) => closes(sites[k], j))) {
      const c = sites.length - 2;
      if (best === null || c < best) best = c;
    }
  }
  return best;
}

test('regenerator placement is minimal (brute force over all subsets) and every segment closes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 1e-4, max: 0.02, noNaN: true }), { minLength: 1, maxLength: 11 }),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      fc.double({ min: 8, max: 24, noNaN: true }),
      (hops, can, threshold) => {
        const n = hops.length;
        const canRegen = can.map((c, i) => c && i > 0 && i < n);
        const term = 1e-3;
        const closes = (i: number, j: number) => term + hops.slice(i, j).reduce((s, h) => s + h, 0) <= 10 ** (-threshold / 10);
        const plan = placeRegeneratorsByInverseSnr(hops, canRegen, term, threshold, 0);
        const brute = bruteForce(n, canRegen, closes);
        if (brute === null) return plan === null;
        if (plan === null || plan.sites.length !== brute) return false;
        return plan.sites.every((s) => canRegen[s]) && plan.segments.every(([i, j]) => closes(i, j)) && plan.segments[0][0] === 0 && plan.segments[plan.segments.length - 1][1] === n;
      },
    ),
    { numRuns: 400 },
  );
});

test('regenerators: amplifier huts never host one; impossible paths return null', () => {
  // Sites 0..3; site 2 is a hut. Each single hop closes, any two hops do not.
  const closes = (i: number, j: number) => j - i <= 1;
  assert.equal(placeRegenerators(3, (i) => i !== 2, closes), null);
  assert.deepEqual(placeRegenerators(3, () => true, closes)?.sites, [1, 2]);
  assert.deepEqual(placeRegenerators(3, () => true, (i, j) => j - i <= 3)?.sites, []);
});
