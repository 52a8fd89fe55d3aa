/**
 * The fleet of the built-in network and `lightpath devices serve` as a user runs it, including a
 * kill -9 of the emulator process in the middle of a session: the client reports a clean error
 * and the managed session reconnects when the emulator is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { toProjectJson } from '../../src/export/json.js';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { NetconfSessionClosedError } from '../../src/southbound/netconf/client.js';
import { ManagedSession } from '../../src/southbound/netconf/reconnect.js';
import { children } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';
import { PASSWORD, USER, smallNetwork } from '../southbound/support.js';

test('built-in network: a ROADM per POP with a degree per fiber pair of its DWDM spans, a shelf per data center and on-ramp', async () => {
  const b = builtinNetwork();
  const warnings: string[] = [];
  const fleet = await Fleet.start(b, { username: USER, password: PASSWORD, warn: (m) => warnings.push(m), xpondersPerShelf: 2, portsPerSrg: 2 });
  try {
    assert.match(warnings.join(), /structurally only/, 'without YANG models the fleet says so');
    assert.equal(fleet.validator.kind, 'structural');
    const pops = b.sites.filter((s) => s.kind === 'pop');
    const shelves = b.sites.filter((s) => s.kind === 'datacenter' || s.kind === 'cloud-onramp');
    assert.equal(fleet.devices.filter((d) => d.kind === 'roadm').length, pops.length);
    assert.equal(fleet.devices.filter((d) => d.kind === 'xpdr').length, shelves.length);
    assert.equal(new Set(fleet.devices.map((d) => d.port)).size, fleet.devices.length, 'one port each');
    for (const p of pops) {
      const fps = b.spans.filter((s) => (s.aSiteId === p.id || s.zSiteId === p.id) && s.lineSystem).reduce((n, s) => n + s.lineSystem!.fiberPairs, 0);
      const running = fleet.device(p.id)!.device.getConfig('running', null);
      assert.equal(children(running[0], 'degree').length, fps, p.id);
    }
    // A cut raises LOS at both ends of the span (every fiber pair); a repair clears it.
    const s = b.spans.find((x) => pops.some((p) => p.id === x.aSiteId) && pops.some((p) => p.id === x.zSiteId))!;
    const r = fleet.cut(s.id);
    assert.equal(r.ports.length, 2 * s.lineSystem!.fiberPairs);
    assert.equal(fleet.device(s.aSiteId)!.device.activeAlarms().length, s.lineSystem!.fiberPairs);
    fleet.repair(s.id);
    assert.equal(fleet.device(s.zSiteId)!.device.activeAlarms().length, 0);
    assert.throws(() => fleet.cut('no-such-span'), /unknown span/);
  } finally {
    await fleet.stop();
  }
});

const bin = path.resolve('bin/lightpath.js');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A run of `n` consecutive free ports below Linux's ephemeral range (32768–60999 by default), so
 * that no other test's listen(0) or outgoing connection can take one of them between this check and
 * the emulator's listen, nor while the emulator is killed and started again on the same ports. A
 * single listen(0) port was not enough: the next ports of the run were ephemeral and one was taken.
 */
async function freePortRun(n: number): Promise<number> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
}

/** Starts `lightpath devices serve --json` and resolves with the device table. */
function serve(args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; table: { items: { siteId: string; host: string; port: number; nodeId: string }[]; validation: string } }> {
  const proc = spawn(process.execPath, [bin, '--json', 'devices', 'serve', ...args], { env: { ...process.env, LIGHTPATH_DEVICES_PASSWORD: PASSWORD } });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve({ proc, table: JSON.parse(out) });
      } catch {
        /* not all of it yet */
      }
    });
    proc.on('exit', (code) => reject(new Error(`devices serve exited ${code}: ${err}`)));
  });
}

test('devices serve prints the table; kill -9 mid-session gives a clean error, and the session comes back with the emulator', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-devices-'));
  const file = path.join(tmp, 'small.json');
  fs.writeFileSync(file, JSON.stringify(toProjectJson(smallNetwork())));
  const base = await freePortRun(smallNetwork().sites.length); // at least one port per device
  const first = await serve(['--network', file, '--base-port', String(base), '--username', USER]);
  const items = first.table.items;
  assert.deepEqual(items.map((i) => i.port), items.map((_, i) => base + i), 'ports from --base-port');
  assert.equal(first.table.validation, 'structural');
  const roadm = items.find((i) => i.siteId === 'bbb-pop')!;
  const managed = new ManagedSession({ host: roadm.host, port: roadm.port, username: USER, password: PASSWORD, rpcTimeoutMs: 5000 }, { delayMs: 50, maxDelayMs: 200 });
  const disconnected = new Promise<Error>((r) => managed.once('disconnected', r));
  let c: Awaited<ReturnType<typeof managed.session>>;
  try {
    c = await managed.session();
    assert.ok((await c.getConfig('running', `<org-openroadm-device xmlns="${NS.device}"><info/></org-openroadm-device>`)).length === 1);
    // Stopped first, so the request is surely in flight when the kill lands: on a loaded machine this
    // process can be descheduled between sending it and the kill, and the emulator would answer.
    first.proc.kill('SIGSTOP');
    const inFlight = c.get();
    first.proc.kill('SIGKILL');
    const err = await inFlight.then(() => null, (e: unknown) => e);
    assert.ok(err instanceof NetconfSessionClosedError, `a clean session error, got ${String(err)}`);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${roadm.port}`));
    assert.ok((await disconnected) instanceof NetconfSessionClosedError);
    await assert.rejects(c.getConfig(), NetconfSessionClosedError, 'the dead session stays dead');
  } catch (err) {
    // A failed check must not leave the session reconnecting (and this test file running) forever.
    await managed.close();
    first.proc.kill('SIGKILL');
    throw err;
  }
  const second = await serve(['--network', file, '--base-port', String(base), '--username', USER]);
  try {
    const again = await managed.session();
    assert.notEqual(again, c);
    const info = await again.getConfig('running', `<org-openroadm-device xmlns="${NS.device}"><info/></org-openroadm-device>`);
    assert.match(JSON.stringify(info), /ROADM-bbb-pop/);
  } finally {
    await managed.close();
    second.proc.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
