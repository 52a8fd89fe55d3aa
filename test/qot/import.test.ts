/**
 * GNPy files → Lightpath: the topology converter on CORONET CONUS and GNPy's example networks
 * (every element accounted for: sites + folded/merged + skipped = elements), and the equipment
 * reader (the default EDFA configuration transcription, errors as file:line: field).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EDFA_CONFIG } from '../../src/engine/qot/default-edfa-config.js';
import { designNfDb } from '../../src/engine/qot/edfa.js';
import { ImportError } from '../../src/import/errors.js';
import { parseGnpyEquipment, parseGnpyNetwork, parseGnpyTopology } from '../../src/import/gnpy.js';
import { parseNetwork } from '../../src/import/index.js';
import { gnpyJson, gnpyText } from './support.js';

interface GnpyDoc {
  elements: { uid: string; type: string; params?: { length?: number; length_units?: string } }[];
  connections: unknown[];
}

function reconcile(file: string) {
  const text = gnpyText('example-data', file);
  const doc = JSON.parse(text) as GnpyDoc;
  const res = parseGnpyNetwork(file, text);
  const rep = res.report;
  assert.equal(rep.nodesInFile, doc.elements.length);
  assert.equal(rep.edgesInFile, doc.connections.length);
  // Every element is a site, or folded/merged into one, or skipped with a reason.
  const accounted = new Set([...rep.merged.map((m) => m.id), ...rep.skipped.map((s) => s.id)]);
  const siteElements = doc.elements.filter((e) => !accounted.has(e.uid));
  assert.equal(siteElements.length, rep.sitesImported, `${file}: sites`);
  assert.ok(siteElements.every((e) => e.type === 'Roadm' || e.type === 'Transceiver'));
  assert.equal(accounted.size + siteElements.length, doc.elements.length);
  return { res, doc };
}

test('CORONET CONUS: 75 ROADM sites, transceivers folded, 99 spans whose lengths are the fibers\' (both directions merged)', () => {
  const { res, doc } = reconcile('CORONET_CONUS_Topology.json');
  const roadms = doc.elements.filter((e) => e.type === 'Roadm').length;
  assert.equal(res.report.sitesImported, roadms);
  assert.equal(res.report.merged.filter((m) => m.reason.startsWith('transceiver')).length, 75);
  const fibers = doc.elements.filter((e) => e.type === 'Fiber');
  assert.equal(res.report.spansImported, fibers.length / 2);
  const km = fibers.reduce((s, f) => s + (f.params?.length ?? 0), 0);
  const spanKm = res.network.spans.reduce((s, sp) => s + sp.lengthKm, 0);
  assert.ok(Math.abs(2 * spanKm - km) < 1e-6, `${2 * spanKm} vs ${km}`);
  assert.equal(res.report.skipped.length, 0);
});

test('example networks reconcile: EDFA example (standalone transceivers as sites), mesh (fused and amplifiers folded), Sweden', () => {
  const edfa = reconcile('edfa_example_network.json');
  assert.equal(edfa.res.network.sites.length, 2);
  assert.equal(edfa.res.network.spans.length, 1);
  assert.equal(edfa.res.network.spans[0].lengthKm, 80);
  const mesh = reconcile('meshTopologyExampleV2.json');
  assert.equal(mesh.res.network.sites.length, 5);
  assert.ok(mesh.res.report.merged.some((m) => m.reason.startsWith('Fused')));
  const sweden = reconcile('Sweden_OpenROADMv5_example_network.json');
  assert.equal(sweden.res.network.sites.length, 15);
});

test('parseNetwork dispatches format "gnpy"', () => {
  const r = parseNetwork('CORONET_CONUS_Topology.json', gnpyText('example-data', 'CORONET_CONUS_Topology.json'), 'gnpy');
  assert.equal(r.report.format, 'gnpy');
  assert.equal(r.network.sites.length, 75);
});

test('the built-in default EDFA configuration is GNPy\'s tests/default_edfa_config.json', () => {
  const cfg = gnpyJson<{ f_min: number; f_max: number; dgt: number[]; gain_ripple: number[]; nf_ripple: number[] }>('tests', 'default_edfa_config.json');
  assert.equal(DEFAULT_EDFA_CONFIG.fMinHz, cfg.f_min);
  assert.equal(DEFAULT_EDFA_CONFIG.fMaxHz, cfg.f_max);
  assert.deepEqual([...DEFAULT_EDFA_CONFIG.dgt], cfg.dgt);
  assert.deepEqual([...DEFAULT_EDFA_CONFIG.gainRippleDb], cfg.gain_ripple);
  assert.deepEqual([...DEFAULT_EDFA_CONFIG.nfRippleDb], cfg.nf_ripple);
});

test('equipment: variable-gain NF model meets nf_min at gain_flatmax and nf_max at gain_min (GNPy estimate_nf_model)', () => {
  const eq = parseGnpyEquipment(gnpyText('example-data', 'eqpt_config.json'), 'eqpt_config.json', ['std_medium_gain_advanced_config.json', 'Juniper-BoosterHG.json'].map((f) => ({ file: f, text: gnpyText('example-data', f) })));
  for (const name of ['std_low_gain', 'std_medium_gain', 'std_high_gain']) {
    const a = eq.edfa.get(name)!;
    assert.equal(a.nf.kind, 'variable_gain');
    if (a.nf.kind !== 'variable_gain') continue;
    assert.ok(Math.abs(designNfDb(a, a.gainFlatmaxDb) - a.nf.nfMinDb) < 0.01);
    assert.ok(Math.abs(designNfDb(a, a.gainMinDb) - a.nf.nfMaxDb) < 0.01);
  }
  const dual = eq.edfa.get('medium+low_gain')!;
  assert.equal(dual.gainFlatmaxDb, 26 + 16);
  assert.equal(dual.pMaxDbm, 23);
  assert.equal(eq.si.fMaxHz, 195.1e12);
  assert.equal(eq.span.deltaPowerRangeDb[0], -2);
});

test('equipment and topology errors name file:line: field', () => {
  const bad = gnpyText('example-data', 'eqpt_config.json').replace('"nf_min": 5.5', '"nf_min": "x"');
  assert.throws(
    () => parseGnpyEquipment(bad, 'eq.json'),
    (e: unknown) => e instanceof ImportError && e.issues.some((i) => i.file === 'eq.json' && i.field.endsWith('nf_min') && i.line === bad.split('\n').findIndex((l) => l.includes('"nf_min": "x"')) + 1),
  );
  const eq = parseGnpyEquipment(gnpyText('example-data', 'eqpt_config.json'), 'eq.json', ['std_medium_gain_advanced_config.json', 'Juniper-BoosterHG.json'].map((f) => ({ file: f, text: gnpyText('example-data', f) })));
  const topo = gnpyText('example-data', 'edfa_example_network.json').replace('"type": "Fused"', '"type": "Fused"').replace('"type_variety": "SSMF"', '"type_variety": "NOPE"');
  assert.throws(() => parseGnpyTopology(topo, 't.json', eq), /t\.json:\d+: elements\[1\]\.type_variety: fiber type "NOPE" is not in the equipment library/);
  const raman = gnpyText('example-data', 'edfa_example_network.json').replace('"type": "Fiber"', '"type": "RamanFiber"');
  assert.throws(() => parseGnpyTopology(raman, 'r.json', eq), /RamanFiber is not supported/);
});
