/** Shared fixtures of the southbound and device tests: small networks, the YANG models, Debian's python. */
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { createServices, startBackground, stopServices, type Services } from '../../src/services/index.js';
import { InventoryService } from '../../src/services/inventory.js';
import { loadTinyNetwork, operator } from '../ordering/support.js';
import type { Network, Site, Span } from '../../src/domain/network.js';
import { DEFAULT_LINE_SYSTEM } from '../../src/domain/network.js';
import type { WaveInput } from '../../src/southbound/openroadm/mapping.js';
import { sharedData } from '../support/shared.js';

/** The OpenROADM 18.0 models in ../shared. */
export const YANG_DIR = sharedData('openroadm', 'model');

/** Debian's python3 (python3-ncclient is installed for it), else whatever python3 is on PATH. */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export const USER = 'netconf-test';
export const PASSWORD = 'emulator-secret';

export function site(id: string, kind: Site['kind'], lon = 0): Site {
  return { id, name: id, kind, lat: 40, lon, metro: null, cloudProvider: null, cloudRegion: null };
}

export function span(id: string, a: string, z: string, fiberPairs = 1): Span {
  return { id, aSiteId: a, zSiteId: z, lengthKm: 100, measuredLatencyUs: null, geometry: { type: 'LineString', coordinates: [[0, 40], [1, 40]] }, srlgIds: [], cables: [], lineSystem: { ...DEFAULT_LINE_SYSTEM, fiberPairs } };
}

/**
 * dc-a — pop-a — pop-b — pop-c — dc-c, plus pop-b — amp-x — pop-c (an amplifier site) and a second
 * fiber pair on pop-a—pop-b.
 */
export function smallNetwork(): Network {
  return {
    name: 'small',
    sites: [site('dca-dc1', 'datacenter', 0), site('aaa-pop', 'pop', 1), site('bbb-pop', 'pop', 2), site('ccc-pop', 'pop', 3), site('ccc-dc1', 'cloud-onramp', 4), site('xxx-amp', 'amplifier', 2.5)],
    spans: [span('dca-aaa', 'dca-dc1', 'aaa-pop'), span('aaa-bbb', 'aaa-pop', 'bbb-pop', 2), span('bbb-ccc', 'bbb-pop', 'ccc-pop'), span('ccc-dcc', 'ccc-pop', 'ccc-dc1'), span('bbb-xxx', 'bbb-pop', 'xxx-amp'), span('xxx-ccc', 'xxx-amp', 'ccc-pop')],
    srlgs: [],
  };
}

/** A wave on the default grid (191.3 THz + 12.5 GHz slots), as the planner computes its centre. */
export function wave(spanIds: string[], startSlot: number, opts: { rate?: number; slots?: number; format?: string; fiberPair?: number } = {}): WaveInput {
  const slots = opts.slots ?? 6;
  return {
    lineRateGbps: opts.rate ?? 400,
    format: opts.format ?? 'DP-16QAM',
    slots,
    widthGhz: slots * 12.5,
    regeneratorSiteIds: [],
    segments: [{ spanIds, fiberPair: opts.fiberPair ?? 0, startSlot, slots, centerFrequencyGhz: DEFAULT_LINE_SYSTEM.startFrequencyGhz + (startSlot + slots / 2) * DEFAULT_LINE_SYSTEM.slotWidthGhz }],
  };
}

/** Polls fn until it gives a value (not null, undefined or false); fails the test after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Emulated devices for the network `load` puts in the store (YANG-validating, 4 transponders per shelf, 2 SRGs of 4
 * add/drop ports per ROADM) and the services driving them over NETCONF, registered and reachable.
 */
export async function netconfSetup(db: Db, load: (db: Db) => Promise<void>): Promise<{ fleet: Fleet; services: Services }> {
  await load(db);
  const network = await new InventoryService(db).getNetwork();
  const fleet = await Fleet.start(network, { username: USER, password: PASSWORD, yangDir: YANG_DIR, xpondersPerShelf: 4, portsPerSrg: 4 });
  const services = createServices(db, {
    netconf: { credentials: { default: { username: USER, password: PASSWORD } }, layout: { xpondersPerShelf: 4, portsPerSrg: 4 }, monitorOptions: { delayMs: 50, maxDelayMs: 200, refreshMs: 100 } },
    workerPollMs: 20,
    workerConcurrency: 16,
  });
  await services.devices.register(operator, fleet.devices.map((d) => ({ siteId: d.siteId, nodeId: d.nodeId, kind: d.kind, host: d.host, port: d.port, model: d.model })));
  startBackground(services);
  await until('every device reachable', async () => (await services.devices.list()).every((d) => d.reachable === true));
  return { fleet, services };
}

/** What a netconfSuite's tests get: the store, the devices and the services driving them. */
export interface NetconfSetup {
  db: Db;
  fleet: Fleet;
  services: Services;
}

/** A suite per store over the tiny network's devices (netconfSetup), torn down after it. */
export function netconfSuite(title: string, body: (setup: () => NetconfSetup) => void): void {
  for (const driver of testDrivers()) {
    describe(`${title} (${driver.name})`, () => {
      let s: NetconfSetup;
      before(async () => {
        const db = await driver.open();
        s = { db, ...(await netconfSetup(db, loadTinyNetwork)) };
      });
      after(async () => {
        await stopServices(s.services);
        await s.fleet.stop();
        await s.db.close();
      });
      body(() => s);
    });
  }
}
