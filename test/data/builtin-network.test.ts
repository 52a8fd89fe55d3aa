import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinNetwork, BUILTIN_NETWORK_NAME } from '../../src/data/builtin-network.js';
import { DEFAULT_LINE_SYSTEM, SITE_KINDS, SRLG_KINDS } from '../../src/domain/network.js';
import type { Network, Site, Span } from '../../src/domain/network.js';
import { validateNetwork } from '../../src/domain/validate.js';

// Oracles here are independent of the builder: distances use 3-D unit vectors instead of the
// domain's haversine, connectivity is brute force (remove each span, BFS), and the market/region
// tables come from the issue, not from the data files.

const net: Network = builtinNetwork();
const sitesById = new Map(net.sites.map((s) => [s.id, s]));
const isPop = (id: string): boolean => sitesById.get(id)?.kind === 'pop';
const isDataCenter = (s: Site): boolean => s.kind === 'datacenter' || s.kind === 'cloud-onramp';
const intercity = net.spans.filter((s) => isPop(s.aSiteId) && isPop(s.zSiteId));
const metro = net.spans.filter((s) => !(isPop(s.aSiteId) && isPop(s.zSiteId)));

const EARTH_KM = 6371.0088;

/** Great-circle km via the angle between 3-D unit vectors (atan2 of |cross| and dot). */
function vectorKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const v = (lat: number, lon: number): [number, number, number] => {
    const la = (lat * Math.PI) / 180;
    const lo = (lon * Math.PI) / 180;
    return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)];
  };
  const [ax, ay, az] = v(lat1, lon1);
  const [bx, by, bz] = v(lat2, lon2);
  const cross = Math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
  return EARTH_KM * Math.atan2(cross, ax * bx + ay * by + az * bz);
}

function siteKm(a: Site, z: Site): number {
  return vectorKm(a.lat, a.lon, z.lat, z.lon);
}

function polylineKm(span: Span): number {
  const c = span.geometry.coordinates;
  let km = 0;
  for (let i = 1; i < c.length; i++) km += vectorKm(c[i - 1][1], c[i - 1][0], c[i][1], c[i][0]);
  return km;
}

function site(id: string): Site {
  const s = sitesById.get(id);
  assert.ok(s, `unknown site ${id}`);
  return s;
}

/** Sites reachable from start over the given spans, skipping the span with id `cut`. */
function reachable(start: string, spans: readonly Span[], cut: string | null): Set<string> {
  const adj = new Map<string, string[]>();
  for (const s of spans) {
    if (s.id === cut) continue;
    adj.set(s.aSiteId, [...(adj.get(s.aSiteId) ?? []), s.zSiteId]);
    adj.set(s.zSiteId, [...(adj.get(s.zSiteId) ?? []), s.aSiteId]);
  }
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const next of adj.get(at) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

test('network has a name and the issue minimums: 60 POPs, 90 intercity spans', () => {
  assert.equal(net.name, BUILTIN_NETWORK_NAME);
  assert.ok(BUILTIN_NETWORK_NAME.trim().length > 0);
  const pops = net.sites.filter((s) => s.kind === 'pop');
  assert.ok(pops.length >= 60, `${pops.length} POPs`);
  assert.ok(intercity.length >= 90, `${intercity.length} intercity spans`);
  for (const p of pops) {
    assert.equal(p.name, `${p.metro} POP`);
    assert.match(p.id, /^[a-z]{3}-pop$/);
  }
});

// The markets the issue names, mapped to the metro whose POP serves them.
const NAMED_MARKETS: Readonly<Record<string, string>> = {
  'Northern Virginia': 'Washington',
  'Silicon Valley': 'San Jose',
  Dallas: 'Dallas',
  Chicago: 'Chicago',
  Phoenix: 'Phoenix',
  Atlanta: 'Atlanta',
  Columbus: 'Columbus',
  Hillsboro: 'Portland',
  'Council Bluffs': 'Omaha',
};

test('at least 20 data-center / on-ramp sites across at least 8 of the named AI markets', () => {
  const metros = new Set(Object.values(NAMED_MARKETS));
  const inMarkets = net.sites.filter((s) => isDataCenter(s) && s.metro !== null && metros.has(s.metro));
  assert.ok(inMarkets.length >= 20, `${inMarkets.length} sites in named markets`);
  const covered = Object.keys(NAMED_MARKETS).filter((m) => inMarkets.some((s) => s.metro === NAMED_MARKETS[m]));
  assert.ok(covered.length >= 8, `markets covered: ${covered.join(', ')}`);
});

test('every data center and on-ramp has a short metro span to the POP of its metro', () => {
  const dcs = net.sites.filter(isDataCenter);
  assert.ok(dcs.length >= 24);
  for (const dc of dcs) {
    const uplinks = net.spans.filter((s) => {
      const other = s.aSiteId === dc.id ? s.zSiteId : s.zSiteId === dc.id ? s.aSiteId : null;
      return other !== null && isPop(other) && site(other).metro === dc.metro;
    });
    assert.equal(uplinks.length, 1, `${dc.id} uplinks`);
    assert.ok(uplinks[0].lengthKm < 80, `${dc.id} uplink ${uplinks[0].lengthKm} km is not a metro span`);
  }
  // Metro spans join a data center to its own metro only.
  for (const s of metro) assert.equal(site(s.aSiteId).metro, site(s.zSiteId).metro, s.id);
});

// Region → metro the provider publicly associates it with (from the issue).
const CLOUD_REGIONS: Readonly<Record<string, string>> = {
  'aws/us-east-1': 'Washington',
  'aws/us-east-2': 'Columbus',
  'aws/us-west-1': 'San Jose',
  'aws/us-west-2': 'Portland',
  'gcp/us-central1': 'Omaha',
  'gcp/us-east1': 'Charleston',
  'gcp/us-east4': 'Washington',
  'gcp/us-east5': 'Columbus',
  'gcp/us-west1': 'The Dalles',
  'gcp/us-west2': 'Los Angeles',
  'gcp/us-west3': 'Salt Lake City',
  'gcp/us-west4': 'Las Vegas',
  'gcp/us-south1': 'Dallas',
  'azure/eastus': 'Washington',
  'azure/westus': 'San Jose',
  'azure/westus2': 'Quincy',
  'azure/westus3': 'Phoenix',
  'azure/centralus': 'Des Moines',
  'azure/northcentralus': 'Chicago',
  'azure/southcentralus': 'San Antonio',
};

test('cloud on-ramps use real region codes in the metros those regions serve', () => {
  const onramps = net.sites.filter((s) => s.kind === 'cloud-onramp');
  assert.ok(onramps.length >= 10);
  for (const s of onramps) {
    const key = `${s.cloudProvider}/${s.cloudRegion}`;
    assert.ok(key in CLOUD_REGIONS, `${s.id}: unknown region ${key}`);
    assert.equal(s.metro, CLOUD_REGIONS[key], `${s.id} (${key})`);
  }
  assert.deepEqual(new Set(onramps.map((s) => s.cloudProvider)), new Set(['aws', 'gcp', 'azure']));
  for (const s of net.sites.filter((x) => x.kind !== 'cloud-onramp')) {
    assert.equal(s.cloudProvider, null, s.id);
    assert.equal(s.cloudRegion, null, s.id);
  }
});

test('passes domain validation', () => {
  assert.deepEqual(validateNetwork(net), []);
});

test('ids are unique, references resolve, kinds are known, coordinates lie in the contiguous US', () => {
  for (const list of [net.sites, net.spans, net.srlgs, net.spans.flatMap((s) => s.cables)]) {
    const ids = list.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length);
  }
  const srlgIds = new Set(net.srlgs.map((g) => g.id));
  for (const s of net.sites) {
    assert.ok((SITE_KINDS as readonly string[]).includes(s.kind));
    assert.ok(s.lat > 24 && s.lat < 49.5 && s.lon > -125 && s.lon < -66, `${s.id} outside the contiguous US`);
  }
  for (const g of net.srlgs) assert.ok((SRLG_KINDS as readonly string[]).includes(g.kind));
  for (const s of net.spans) {
    assert.ok(sitesById.has(s.aSiteId) && sitesById.has(s.zSiteId), s.id);
    assert.notEqual(s.aSiteId, s.zSiteId);
    assert.ok(s.lengthKm > 0, s.id);
    for (const g of s.srlgIds) assert.ok(srlgIds.has(g), `${s.id}: ${g}`);
    for (const [lon, lat] of s.geometry.coordinates) {
      assert.ok(lat > 24 && lat < 49.5 && lon > -125 && lon < -66, `${s.id} geometry outside the contiguous US`);
    }
  }
});

test('POPs are distinct places at least 40 km apart', () => {
  const pops = net.sites.filter((s) => s.kind === 'pop');
  for (let i = 0; i < pops.length; i++) {
    for (let j = i + 1; j < pops.length; j++) {
      assert.ok(siteKm(pops[i], pops[j]) >= 40, `${pops[i].id} and ${pops[j].id} too close`);
    }
  }
});

test('POP coordinates reproduce published city-to-city great-circle distances', () => {
  // Published great-circle distances between city centres: New York–Los Angeles 2,445 mi,
  // Boston–Washington 394 mi, San Francisco–Los Angeles 347 mi.
  const cases: [string, string, number][] = [
    ['nyc-pop', 'lax-pop', 2445 * 1.609344],
    ['bos-pop', 'was-pop', 394 * 1.609344],
    ['sfo-pop', 'lax-pop', 347 * 1.609344],
  ];
  for (const [a, z, km] of cases) {
    const got = siteKm(site(a), site(z));
    assert.ok(Math.abs(got - km) / km < 0.01, `${a}–${z}: ${got.toFixed(1)} km vs ${km.toFixed(1)} km`);
  }
});

test('the whole network is connected', () => {
  const all = reachable(net.sites[0].id, net.spans, null);
  assert.equal(all.size, net.sites.length);
});

test('POPs are 2-edge-connected: every POP survives any single intercity span cut', () => {
  const popIds = net.sites.filter((s) => s.kind === 'pop').map((s) => s.id);
  assert.equal(reachable(popIds[0], intercity, null).size, popIds.length);
  for (const cut of intercity) {
    const seen = reachable(popIds[0], intercity, cut.id);
    const lost = popIds.filter((p) => !seen.has(p));
    assert.deepEqual(lost, [], `cutting ${cut.id} isolates ${lost.join(', ')}`);
  }
});

test('the oracle detects a bridge: a stub POP hanging on one span is not 2-edge-connected', () => {
  // Guards the test above against passing vacuously.
  const stub: Span = { ...intercity[0], id: 'stub', aSiteId: intercity[0].aSiteId, zSiteId: 'stub-pop' };
  const seen = reachable(intercity[0].aSiteId, [...intercity, stub], 'stub');
  assert.ok(!seen.has('stub-pop'));
});

test('route length is at least the great-circle distance and at most twice it', () => {
  for (const s of net.spans) {
    const gc = siteKm(site(s.aSiteId), site(s.zSiteId));
    assert.ok(s.lengthKm >= gc, `${s.id}: ${s.lengthKm} km < great circle ${gc.toFixed(1)} km`);
    assert.ok(s.lengthKm <= 2 * gc, `${s.id}: ${s.lengthKm} km > 2 × great circle ${gc.toFixed(1)} km`);
  }
});

test('route length is consistent with the drawn geometry', () => {
  for (const s of intercity) {
    // The geometry follows the corridor; the fiber is a little longer than the drawn line, never shorter.
    const ratio = s.lengthKm / polylineKm(s);
    assert.ok(ratio >= 1 && ratio <= 1.15, `${s.id}: length / polyline = ${ratio.toFixed(3)}`);
  }
  for (const s of metro) {
    const ratio = s.lengthKm / siteKm(site(s.aSiteId), site(s.zSiteId));
    assert.ok(ratio >= 1 && ratio <= 1.5, `${s.id}: length / great circle = ${ratio.toFixed(3)}`);
  }
});

test('geometry starts and ends at the span’s sites', () => {
  for (const s of net.spans) {
    const c = s.geometry.coordinates;
    const a = site(s.aSiteId);
    const z = site(s.zSiteId);
    assert.deepEqual(c[0], [a.lon, a.lat], `${s.id} start`);
    assert.deepEqual(c[c.length - 1], [z.lon, z.lat], `${s.id} end`);
  }
});

test('intercity geometry runs through 1–6 towns in order, without zig-zags', () => {
  for (const s of intercity) {
    const c = s.geometry.coordinates;
    assert.ok(c.length >= 3 && c.length <= 8, `${s.id}: ${c.length - 2} waypoints`);
    const [zLon, zLat] = c[c.length - 1];
    for (let i = 1; i < c.length; i++) {
      const step = vectorKm(c[i - 1][1], c[i - 1][0], c[i][1], c[i][0]);
      assert.ok(step > 1 && step < 350, `${s.id}: segment ${i} is ${step.toFixed(0)} km`);
      // Each town is no farther from the far end than the one before, give or take a mountain
      // range (I-25 swings east round the Sangre de Cristo, 3 km farther from Denver): towns listed
      // out of order move tens or hundreds of km away and fail.
      const before = vectorKm(c[i - 1][1], c[i - 1][0], zLat, zLon);
      const after = vectorKm(c[i][1], c[i][0], zLat, zLon);
      assert.ok(after < before + 10, `${s.id}: waypoint ${i} moves ${(after - before).toFixed(0)} km away from ${s.zSiteId}`);
    }
  }
});

test('every SRLG is shared by at least two spans whose routes meet', () => {
  for (const g of net.srlgs) {
    const members = net.spans.filter((s) => s.srlgIds.includes(g.id));
    assert.ok(members.length >= 2, `${g.id} used by ${members.length} span(s)`);
    // Spans sharing a conduit or crossing must touch: link members that share a point and check one component.
    const key = (p: [number, number]): string => `${p[0]},${p[1]}`;
    const points = members.map((s) => new Set(s.geometry.coordinates.map(key)));
    const linked = new Set([0]);
    let grew = true;
    while (grew) {
      grew = false;
      for (let i = 0; i < members.length; i++) {
        if (linked.has(i)) continue;
        if ([...linked].some((j) => [...points[i]].some((p) => points[j].has(p)))) {
          linked.add(i);
          grew = true;
        }
      }
    }
    assert.equal(linked.size, members.length, `${g.id}: members do not meet`);
  }
  const multi = net.spans.filter((s) => s.srlgIds.length > 1).length;
  assert.ok(multi >= 1 && multi <= net.spans.length / 10, `${multi} spans in several SRLGs`);
});

test('cables and line systems are plausible', () => {
  for (const s of net.spans) {
    assert.ok(s.cables.length >= 1, s.id);
    let inUse = 0;
    for (const c of s.cables) {
      assert.ok(Number.isInteger(c.strandCount) && c.strandCount >= 12 && c.strandCount <= 1728, c.id);
      const share = c.strandsInUse / c.strandCount;
      assert.ok(share >= 0.1 && share <= 0.6, `${c.id}: ${(share * 100).toFixed(0)} % in use`);
      assert.equal(c.strandsInUse % 2, 0, `${c.id}: strands are used in pairs`);
      inUse += c.strandsInUse;
    }
    const ls = s.lineSystem;
    assert.ok(ls !== null, s.id);
    // The default grid; optics stated as the store keeps them: 0 dBm per channel, amplifier huts unknown (placed by the QoT model).
    assert.deepEqual({ ...ls, fiberPairs: DEFAULT_LINE_SYSTEM.fiberPairs }, { ...DEFAULT_LINE_SYSTEM, launchPowerDbm: 0, amplifierSitesKm: null }, s.id);
    assert.equal(s.fiberType, 'G.652.D', s.id);
    assert.equal(s.connectorLossDb, 0.5, s.id);
    assert.ok(ls.fiberPairs >= 1 && ls.fiberPairs <= 2, s.id);
    assert.ok(2 * ls.fiberPairs <= inUse, `${s.id}: lit pairs exceed strands in use`);
    assert.equal(s.measuredLatencyUs, null);
  }
  const intercityStrands = intercity.map((s) => Math.max(...s.cables.map((c) => c.strandCount)));
  assert.ok(intercityStrands.some((n) => n === 1728), 'some new 1,728-strand builds');
  assert.ok(intercityStrands.some((n) => n === 432), 'some older 432-strand routes');
});

test('deterministic, and each call returns an independent copy', () => {
  const a = builtinNetwork();
  const b = builtinNetwork();
  assert.deepEqual(a, b);
  assert.deepEqual(a, net);
  a.sites[0].lat = 0;
  a.spans[0].geometry.coordinates[0][0] = 0;
  a.spans[0].cables[0].strandsInUse = 0;
  a.srlgs[0].name = 'changed';
  a.spans.pop();
  assert.deepEqual(builtinNetwork(), b);
});
