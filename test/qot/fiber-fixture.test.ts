/**
 * GN model closed form against GNPy's own fixture (oopt-gnpy d65865b8, tests/test_science_utils.py
 * test_fiber, non-Raman parts): one 80 km SSMF span from tests/test_science_utils_fiber_config.json,
 * (a) 96 channels at 50 GHz (GNPy create_input_spectral_information(f_min=191.3e12, f_max=196.1e12,
 * roll_off=0.15, baud_rate=32e9, spacing=50e9, tx_power=1e-3)) → tests/test_fiber_fix_expected_results.csv;
 * (b) 5 flex-grid channels → tests/test_fiber_flex_expected_results.csv.
 *
 * The CSVs' "signal" column is the channel power at the span output (GNPy's pch: it predates the
 * model where NLI is carved out of the signal, so it equals launch power × span loss); "nli" is the
 * NLI power at the output. Both must agree to 1e-6 relative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fiber } from '../../src/engine/qot/fiber.js';
import { SpectralInformation } from '../../src/engine/qot/spectral-info.js';
import { parseGnpyFiberElement } from '../../src/import/gnpy.js';
import { gnpyText, maxRelError, readCsvColumns } from './support.js';

function fixtureFiber(): Fiber {
  return parseGnpyFiberElement(gnpyText('tests', 'test_science_utils_fiber_config.json'), 'test_science_utils_fiber_config.json');
}

test('fixed grid: 96 channels, signal and NLI within 1e-6 of GNPy', () => {
  const fiber = fixtureFiber();
  const si = SpectralInformation.uniform({ fMinHz: 191.3e12, fMaxHz: 196.1e12, spacingHz: 50e9, baudRateHz: 32e9, rollOff: 0.15, powerW: 1e-3, txOsnrDb: 40 });
  assert.equal(si.n, 96);
  fiber.propagate(si);
  const expected = readCsvColumns(gnpyText('tests', 'test_fiber_fix_expected_results.csv'));
  assert.equal(expected.nli.length, 96);
  const nli = Array.from({ length: si.n }, (_, i) => si.nliW(i));
  assert.ok(maxRelError(si.pchW, expected.signal) <= 1e-6, `signal rel err ${maxRelError(si.pchW, expected.signal)}`);
  assert.ok(maxRelError(nli, expected.nli) <= 1e-6, `nli rel err ${maxRelError(nli, expected.nli)}`);
});

test('flex grid: 32/42/64/42/32 GBd channels, signal and NLI within 1e-6 of GNPy', () => {
  const fiber = fixtureFiber();
  const freq = [0, 50e9, 150e9, 225e9, 275e9].map((d) => 191e12 + d);
  const slot = [37.5e9, 50e9, 75e9, 50e9, 37.5e9];
  const baud = [32e9, 42e9, 64e9, 42e9, 32e9];
  const pch = [0, -1e-4, 3e-4, -2e-4, 2e-4].map((d) => 1e-3 + d);
  const si = SpectralInformation.fromChannels(freq.map((f, i) => ({ frequencyHz: f, slotWidthHz: slot[i], baudRateHz: baud[i], rollOff: 0.15, powerW: pch[i] })));
  fiber.propagate(si);
  const expected = readCsvColumns(gnpyText('tests', 'test_fiber_flex_expected_results.csv'));
  const nli = Array.from({ length: si.n }, (_, i) => si.nliW(i));
  assert.ok(maxRelError(si.pchW, expected.signal) <= 1e-6, `signal rel err ${maxRelError(si.pchW, expected.signal)}`);
  assert.ok(maxRelError(nli, expected.nli) <= 1e-6, `nli rel err ${maxRelError(nli, expected.nli)}`);
});

test('CD, PMD and latency of the fixture span follow D·L, PMDc·√L and n·L/c', () => {
  const fiber = fixtureFiber();
  const si = SpectralInformation.uniform({ fMinHz: 193.0e12, fMaxHz: 193.1e12, spacingHz: 50e9, baudRateHz: 32e9, rollOff: 0.15, powerW: 1e-3 });
  fiber.propagate(si);
  // 16.7 ps/nm/km × 80 km = 1336 ps/nm = 1.336 s/m; 1.265e-15 s/√m × √80000 m; 80 km × 1.468 / c.
  assert.ok(Math.abs(si.cdSPerM[0] - 1.67e-5 * 80e3) < 1e-9);
  assert.ok(Math.abs(si.pmdS[0] - 1.265e-15 * Math.sqrt(80e3)) < 1e-20);
  assert.ok(Math.abs(si.latencyS[0] - (80e3 * 1.468) / 299792458) < 1e-12);
});
