/**
 * End-to-end against GNPy's own published outputs (oopt-gnpy commit d65865b8, tests/invocation/,
 * produced by tests/test_invocation.py):
 *  - transmission_main_example: gnpy-transmission-example on example-data/edfa_example_network.json
 *    with example-data/eqpt_config.json → "Final GSNR (0.1 nm): 31.17 dB", Site_B OSNR ASE (0.1 nm)
 *    33.29 dB, CD 1336.00 ps/nm, PMD 0.85 ps, latency 0.39 ms, Edfa1 NF 6.62 dB, gain 15.00 dB.
 *  - openroadm-v5-Stockholm-Gothenburg: Sweden_OpenROADMv5_example_network.json with
 *    eqpt_config_openroadm_ver5.json between trx_Stockholm and trx_Gothenburg → 19.18 dB (0.1 nm),
 *    GSNR (signal bw) 15.16 dB, OSNR ASE (0.1 nm) 21.84 dB, CD 8350.42 ps/nm, PMD 7.99 ps, PDL 3.74 dB.
 * GNPy prints values rounded to 0.01; we require agreement within 0.05 dB on GSNR (the target) and
 * to the printed rounding on the other quantities.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGnpyEquipment, parseGnpyTopology } from '../../src/import/gnpy.js';
import { mean } from '../../src/engine/qot/path.js';
import { runTransmission } from '../../src/engine/qot/transmission.js';
import { gnpyText } from './support.js';

function configs() {
  return ['std_medium_gain_advanced_config.json', 'Juniper-BoosterHG.json'].map((f) => ({ file: f, text: gnpyText('example-data', f) }));
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(4)} vs GNPy ${expected} (tolerance ${tol})`);
}

test('edfa_example_network + eqpt_config: final GSNR 31.17 dB (0.1 nm) as GNPy prints', () => {
  const eq = parseGnpyEquipment(gnpyText('example-data', 'eqpt_config.json'), 'eqpt_config.json', configs());
  const topo = parseGnpyTopology(gnpyText('example-data', 'edfa_example_network.json'), 'edfa_example_network.json', eq);
  const res = runTransmission(topo.network, eq, { missingConnectors: topo.missingConnectors });
  assert.equal(res.source, 'Site_A');
  assert.equal(res.destination, 'Site_B');
  assert.equal(res.receiver.gsnrDb.length, 76);
  const rx = res.receiver;
  close(mean(rx.gsnr01nmDb), 31.17, 0.05, 'GSNR 0.1 nm');
  close(mean(rx.gsnrDb), 27.09, 0.05, 'GSNR signal bw');
  close(mean(rx.osnrAse01nmDb), 33.29, 0.05, 'OSNR ASE 0.1 nm');
  close(mean(rx.osnrAseDb), 29.21, 0.05, 'OSNR ASE signal bw');
  close(mean(rx.cdPsPerNm), 1336.0, 0.005, 'CD');
  close(mean(rx.pmdPs), 0.85, 0.005, 'PMD');
  close(mean(rx.latencyUs) / 1e3, 0.39, 0.005, 'latency ms');
  const amp = topo.network.get('Edfa1');
  assert.equal(amp.kind, 'Edfa');
  if (amp.kind === 'Edfa') {
    close(amp.effectiveGainDb ?? NaN, 15.0, 0.005, 'Edfa1 gain');
    close(amp.deltaPDb ?? NaN, -2.0, 0.005, 'Edfa1 delta_p');
    close(mean(amp.last!.nfDb), 6.62, 0.005, 'Edfa1 NF');
    close(amp.last!.pinDbm, 1.81, 0.005, 'Edfa1 power in');
  }
});

test('Sweden OpenROADM v5, Stockholm → Gothenburg: final GSNR 19.18 dB (0.1 nm) as GNPy prints', () => {
  const eq = parseGnpyEquipment(gnpyText('example-data', 'eqpt_config_openroadm_ver5.json'), 'eqpt_config_openroadm_ver5.json');
  const topo = parseGnpyTopology(gnpyText('example-data', 'Sweden_OpenROADMv5_example_network.json'), 'Sweden_OpenROADMv5_example_network.json', eq);
  const res = runTransmission(topo.network, eq, { from: 'trx_Stockholm', to: 'trx_Gothenburg', missingConnectors: topo.missingConnectors });
  const fibers = res.path.filter((u) => topo.network.get(u).kind === 'Fiber');
  assert.equal(fibers.length, 6, 'GNPy: 6 fiber spans over 500 km');
  const rx = res.receiver;
  assert.equal(rx.gsnrDb.length, 96);
  close(mean(rx.gsnr01nmDb), 19.18, 0.05, 'GSNR 0.1 nm');
  close(mean(rx.gsnrDb), 15.16, 0.05, 'GSNR signal bw');
  close(mean(rx.osnrAse01nmDb), 21.84, 0.05, 'OSNR ASE 0.1 nm');
  close(mean(rx.osnrAseDb), 17.81, 0.05, 'OSNR ASE signal bw');
  close(mean(rx.cdPsPerNm), 8350.42, 0.005, 'CD');
  close(mean(rx.pmdPs), 7.99, 0.005, 'PMD');
  close(mean(rx.pdlDb), 3.74, 0.005, 'PDL');
  close(mean(rx.latencyUs) / 1e3, 2.45, 0.005, 'latency ms');
});

test('CORONET CONUS fully auto-designed (split fibers, boosters, preamps, ILAs, amplifier choice): Abilene → Albany', () => {
  // No published output exists for this pair; GNPy d65865b8's gnpy-transmission-example run on this
  // file and eqpt_config.json ("trx Abilene" "trx Albany") prints 36 fiber spans over 3277 km,
  // GSNR 13.70 dB (0.1 nm), 9.62 dB (signal bw), OSNR ASE 15.15 dB (0.1 nm).
  const eq = parseGnpyEquipment(gnpyText('example-data', 'eqpt_config.json'), 'eqpt_config.json', configs());
  const topo = parseGnpyTopology(gnpyText('example-data', 'CORONET_CONUS_Topology.json'), 'CORONET_CONUS_Topology.json', eq);
  const res = runTransmission(topo.network, eq, { from: 'trx Abilene', to: 'trx Albany', missingConnectors: topo.missingConnectors });
  const fibers = res.path.map((u) => topo.network.get(u)).filter((e) => e.kind === 'Fiber');
  assert.equal(fibers.length, 36);
  const km = fibers.reduce((s, f) => s + (f.kind === 'Fiber' ? f.params.lengthM : 0), 0) / 1e3;
  assert.equal(Math.round(km), 3277);
  close(mean(res.receiver.gsnr01nmDb), 13.7, 0.05, 'GSNR 0.1 nm');
  close(mean(res.receiver.gsnrDb), 9.62, 0.05, 'GSNR signal bw');
  close(mean(res.receiver.osnrAse01nmDb), 15.15, 0.05, 'OSNR ASE 0.1 nm');
});
