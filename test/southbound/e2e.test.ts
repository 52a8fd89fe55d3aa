/**
 * End to end on loopback, as an operator runs it: `lightpath import` a network, `lightpath devices
 * serve --from-store --register` (emulated OpenROADM devices, YANG-validated), `lightpath serve
 * --driver netconf`, then over HTTP: an order is configured on every ROADM of its path (and only
 * those) and becomes active; `lightpath devices cut SPAN` (the emulator's control socket) becomes a
 * device failure within 2 s, the wave is restored and its configuration moves; `devices repair SPAN`
 * brings it back; a
 * disconnect removes it; `kill -9` of the server in the middle of an activation, then a restart:
 * the devices and the store agree (the audit is clean) and the order has an outcome.
 *
 * What is on the devices is read here with our own NETCONF session and compared with the service's
 * design (path sites), independently of the driver.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toProjectJson } from '../../src/export/json.js';
import { NetconfClient } from '../../src/southbound/netconf/client.js';
import { childText, children } from '../../src/southbound/netconf/xml.js';
import { call, startServer, type ServerProcess } from '../support/chaos.js';
import { YANG_DIR, smallNetwork, until } from './support.js';

const bin = path.resolve('bin/lightpath.js');
const USER = 'lightpath';
const PASSWORD = 'e2e-device-secret';
const env = { LIGHTPATH_DEVICES_USERNAME: USER, LIGHTPATH_DEVICES_PASSWORD: PASSWORD, LIGHTPATH_JOB_LEASE_SECONDS: '2' };

interface Device {
  siteId: string;
  kind: string;
  host: string;
  port: number;
}

let tmp = '';
let control = '';
let devicesProc: ChildProcessWithoutNullStreams;
let devices: Device[] = [];
let server: ServerProcess;
let opKey = '';
let custKey = '';

/** Sites whose device runs a cross-connect of the circuit. */
async function sitesCarrying(circuitId: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of devices) {
    const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
    try {
      const dev = (await c.getConfig('running')).find((e) => e.name === 'org-openroadm-device');
      const mine = dev ? [...children(dev, 'roadm-connections'), ...children(dev, 'interface')].filter((e) => childText(e, 'circuit-id') === circuitId) : [];
      if (mine.length) out.push(d.siteId);
    } finally {
      await c.close();
    }
  }
  return out.sort();
}

/** Raise times (ms since the epoch) of the loss-of-signal alarms a device has active. */
async function alarmRaiseTimes(siteId: string): Promise<number[]> {
  const d = devices.find((x) => x.siteId === siteId)!;
  const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
  try {
    const list = (await c.get('<active-alarm-list xmlns="http://org/openroadm/alarm"/>')).find((e) => e.name === 'active-alarm-list');
    return list ? children(list, 'activeAlarms').map((a) => Date.parse(childText(a, 'raiseTime') ?? '')) : [];
  } finally {
    await c.close();
  }
}

const api = (method: string, p: string, body?: unknown, key = opKey) => call(server.url, key, method, p, body);

async function design(serviceId: string): Promise<{ siteIds: string[]; spanIds: string[] }> {
  const r = await api('GET', `/v1/services/${serviceId}`);
  return (r.json as { design: { paths: { siteIds: string[]; spanIds: string[] }[] } }).design.paths[0];
}

const deviceSites = (p: { siteIds: string[] }) => p.siteIds.filter((s) => devices.some((d) => d.siteId === s)).sort();

async function auditClean(): Promise<boolean> {
  const r = await api('GET', '/v1/devices/audit');
  return r.status === 200 && (r.json as { clean: boolean }).clean;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-southbound-e2e-'));
  const file = path.join(tmp, 'small.json');
  fs.writeFileSync(file, JSON.stringify(toProjectJson(smallNetwork())));
  const dataDir = path.join(tmp, 'data');
  control = path.join(tmp, 'devices.sock');
  execFileSync(process.execPath, [bin, 'import', file, '--data-dir', dataDir], { env: { ...process.env, DATABASE_URL: '' } });
  devicesProc = spawn(process.execPath, [bin, '--json', 'devices', 'serve', '--from-store', '--register', '--data-dir', dataDir, '--yang-dir', YANG_DIR, '--username', USER, '--control', control], { env: { ...process.env, ...env, DATABASE_URL: '' } });
  devices = await new Promise<Device[]>((resolve, reject) => {
    let out = '';
    let err = '';
    devicesProc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    devicesProc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve((JSON.parse(out) as { items: Device[] }).items);
      } catch {
        /* not all of it yet */
      }
    });
    devicesProc.once('exit', (code) => reject(new Error(`devices serve exited ${code}: ${err}`)));
  });
  server = await startServer({ dataDir }, env, ['--driver', 'netconf']);
  opKey = server.firstKey!;
  const k = await api('POST', '/v1/keys', { tenantId: 'acme', role: 'customer' });
  custKey = String((k.json as { key: string }).key);
  await until('every device reachable', async () => {
    const r = await api('GET', '/v1/devices');
    const items = (r.json as { items: { reachable: boolean | null }[] } | null)?.items ?? [];
    return items.length === devices.length && items.every((d) => d.reachable === true);
  });
});

after(async () => {
  await server?.stop();
  devicesProc?.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `lightpath devices cut|repair SPAN` as an operator types it: a process of its own. */
async function fault(action: 'cut' | 'repair', spanId: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [bin, '--json', 'devices', action, spanId, '--control', control], { encoding: 'utf8', timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('devices cut / repair reach the running emulator through its owner-only socket; an unknown span or no emulator is an error', async () => {
  assert.equal(fs.statSync(control).mode & 0o777, 0o600);
  const bad = await fault('cut', 'no-such-span');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not-found.*unknown span no-such-span/);
  const gone = await promisify(execFile)(process.execPath, [bin, 'devices', 'cut', 'bbb-ccc', '--control', path.join(tmp, 'nobody.sock')], { encoding: 'utf8' }).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
  assert.ok(gone && gone.code === 1 && /no device emulator listens/.test(gone.stderr), JSON.stringify(gone));
});

async function order(): Promise<{ orderId: string; serviceId: string }> {
  const r = await api('POST', '/v1/orders', { product: 'wave', aSite: 'dca-dc1', zSite: 'ccc-dc1', bandwidthGbps: 400, protection: 'restorable' }, custKey);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { orderId: String(r.json!.id), serviceId: String(r.json!.serviceId) };
}

test('order → NETCONF configuration on every ROADM of the path (and only those) → active; cut → device failure within 2 s → restored on the devices; repair; disconnect removes it', async (t) => {
  const clock = Date.now();
  const step = (what: string) => t.diagnostic(`${what} at ${Date.now() - clock} ms`);
  const { orderId, serviceId } = await order();
  await until('completed', async () => (await api('GET', `/v1/orders/${orderId}`)).json?.state === 'completed');
  const first = await design(serviceId);
  assert.deepEqual(await sitesCarrying(serviceId), deviceSites(first));
  assert.ok(await auditClean());
  step('active and audited');

  const cut = fault('cut', 'bbb-ccc');
  let seenAt = 0;
  const failure = await until('a device failure', async () => {
    const f = ((await api('GET', '/v1/failures?open=true')).json as { items: { id: string; spans: string[]; source: string }[] }).items.find((x) => x.spans.includes('bbb-ccc'));
    if (f) seenAt = Date.now();
    return f;
  });
  assert.equal(failure.source, 'device');
  const cutOut = await cut;
  assert.equal(cutOut.code, 0, cutOut.stderr);
  const cutDoc = JSON.parse(cutOut.stdout) as { action: string; ports: { siteId: string }[] };
  assert.deepEqual([...new Set(cutDoc.ports.map((p) => p.siteId))].sort(), ['bbb-pop', 'ccc-pop'], 'loss of signal at both ends');
  // Timed from the loss of signal on the devices (the earliest alarm's raise time), not from the start
  // of the CLI process, whose start-up on a loaded machine is no part of detection.
  const raisedAt = Math.min(...(await Promise.all(['bbb-pop', 'ccc-pop'].map(alarmRaiseTimes))).flat());
  const detectMs = seenAt - raisedAt;
  assert.ok(Number.isFinite(detectMs) && detectMs >= 0, `raise ${raisedAt}, seen ${seenAt}`);
  assert.ok(detectMs < 2000, `recorded ${detectMs} ms after the loss of signal`);
  const moved = await until('restored', async () => {
    const d = await design(serviceId);
    return !d.spanIds.includes('bbb-ccc') && d;
  });
  assert.ok(moved.siteIds.includes('xxx-amp'));
  step(`failure recorded after ${detectMs} ms; restored in the store`);
  await until('devices follow', auditClean);
  step('devices follow');
  assert.deepEqual(await sitesCarrying(serviceId), deviceSites(moved), 'configuration moved to the new path');

  assert.equal((await fault('repair', 'bbb-ccc')).code, 0);
  await until('repaired', async () => (await api('GET', `/v1/failures/${failure.id}`)).json?.repairedAt);
  await until('reverted', async () => (await design(serviceId)).spanIds.join() === first.spanIds.join());
  await until('devices back', auditClean);
  step('repaired and reverted on the devices');
  assert.deepEqual(await sitesCarrying(serviceId), deviceSites(first));

  const del = await api('DELETE', `/v1/services/${serviceId}`, undefined, custKey);
  step('disconnect accepted');
  assert.ok(del.status === 202 || del.status === 200, JSON.stringify(del.json));
  await until('terminated', async () => (await api('GET', `/v1/services/${serviceId}`)).json?.state === 'terminated');
  step('terminated');
  assert.deepEqual(await sitesCarrying(serviceId), []);
  assert.ok(await auditClean());
  step('audited');
  assert.ok(!server.stdout().includes(PASSWORD) && !server.stderr().includes(PASSWORD), 'the device password is never logged');
});

/** Waits until the device at a site runs an entry of the circuit (one session, polled). */
async function firstSight(siteId: string, circuitId: string, timeoutMs = 10_000): Promise<boolean> {
  const d = devices.find((x) => x.siteId === siteId)!;
  const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
  try {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const dev = (await c.getConfig('running', `<org-openroadm-device xmlns="http://org/openroadm/device"><interface><circuit-id>${circuitId}</circuit-id></interface></org-openroadm-device>`)).find((e) => e.name === 'org-openroadm-device');
      if (dev && children(dev, 'interface').length > 0) return true;
    }
    return false;
  } finally {
    await c.close();
  }
}

test('kill -9 of the server in the middle of an activation: after a restart the devices and the store agree', async (t) => {
  // Kill when the first ROADM has its part (the transponders come after the ROADMs), when the first
  // transponder has its part, and right after the order went in progress.
  const moments: { at: string | null }[] = [{ at: 'aaa-pop' }, { at: 'dca-dc1' }, { at: null }];
  const secrets = path.join(tmp, 'device-secrets.json');
  fs.writeFileSync(secrets, JSON.stringify({ username: USER, password: PASSWORD }), { mode: 0o600 });
  for (const [round, m] of moments.entries()) {
    const { orderId, serviceId } = await order();
    if (m.at) assert.ok(await firstSight(m.at, serviceId), `round ${round}: ${m.at} got its configuration`);
    else await until('in progress', async () => (await api('GET', `/v1/orders/${orderId}`)).json?.state !== 'acknowledged', 10_000);
    await server.kill();
    const partial = await sitesCarrying(serviceId);
    t.diagnostic(`round ${round}: killed at ${m.at ?? 'in progress'}; devices holding the order's configuration then: ${partial.join(' ') || 'none'}`);
    // After a restart the logins come from a secrets file instead of the environment.
    server = await startServer({ dataDir: path.join(tmp, 'data') }, { LIGHTPATH_JOB_LEASE_SECONDS: '2' }, ['--driver', 'netconf', '--device-secrets', secrets]);
    const settled = await until('settled after the restart', async () => {
      const o = (await api('GET', `/v1/orders/${orderId}`)).json;
      return o && (o.state === 'completed' || o.state === 'failed') && o;
    });
    assert.equal(settled.state, 'completed', `round ${round}: ${JSON.stringify(settled)}`);
    assert.deepEqual(await sitesCarrying(serviceId), deviceSites(await design(serviceId)), `round ${round}: configuration matches the design`);
    await until('audit clean', auditClean);
    const del = await api('DELETE', `/v1/services/${serviceId}`, undefined, custKey);
    assert.ok(del.status < 300);
    await until('terminated', async () => (await api('GET', `/v1/services/${serviceId}`)).json?.state === 'terminated');
    assert.deepEqual(await sitesCarrying(serviceId), []);
  }
  assert.ok(await auditClean());
  assert.ok(!server.stdout().includes(PASSWORD) && !server.stderr().includes(PASSWORD), 'the device password is never logged');
});
