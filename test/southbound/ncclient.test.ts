/**
 * Interoperability with an independent NETCONF client: Debian's python3-ncclient (paramiko SSH,
 * its own framing and XML) reads the cross-connect our client configured on an emulated ROADM, at
 * the assigned frequency, and has an invalid edit refused with an rpc-error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { NetconfActivator } from '../../src/southbound/activator.js';
import { thzText } from '../../src/southbound/openroadm/mapping.js';
import { PASSWORD, PYTHON, USER, YANG_DIR, smallNetwork, wave } from './support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-ncclient-'));
let fleet: Fleet;
before(async () => {
  fleet = await Fleet.start(smallNetwork(), { username: USER, password: PASSWORD, yangDir: YANG_DIR, xpondersPerShelf: 4, portsPerSrg: 4 });
});
after(async () => {
  await fleet.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const SCRIPT = `
import json, sys
import xml.etree.ElementTree as ET
from ncclient import manager
from ncclient.operations.rpc import RPCError

host, port, user, password, order = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
out = {}
with manager.connect(host=host, port=port, username=user, password=password, hostkey_verify=False,
                     look_for_keys=False, allow_agent=False, timeout=30) as m:
    out["base11"] = ":base:1.1" in " ".join(m.server_capabilities)
    D = "http://org/openroadm/device"
    N = "http://org/openroadm/network-media-channel-interfaces"
    flt = '<org-openroadm-device xmlns="%s"><roadm-connections/><interface/></org-openroadm-device>' % D
    reply = m.get_config(source="running", filter=("subtree", flt))
    root = ET.fromstring(reply.xml.encode())
    nmc = {}
    for i in root.iter("{%s}interface" % D):
        f = i.find("{%s}nmc-ctp/{%s}frequency" % (N, N))
        if f is not None:
            nmc[i.find("{%s}name" % D).text] = f.text
    conns = []
    for c in root.iter("{%s}roadm-connections" % D):
        src = c.find("{%s}source/{%s}src-if" % (D, D)).text
        conns.append({"name": c.find("{%s}connection-name" % D).text, "src": src, "frequency": nmc.get(src),
                      "circuit": (c.find("{%s}circuit-id" % D).text if c.find("{%s}circuit-id" % D) is not None else None)})
    out["connections"] = [c for c in conns if c["circuit"] == order]
    bad = '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><org-openroadm-device xmlns="%s"><roadm-connections><connection-name>bogus</connection-name><source><src-if>no-such-interface</src-if></source><destination><dst-if>no-such-interface</dst-if></destination></roadm-connections></org-openroadm-device></config>' % D
    try:
        m.edit_config(target="running", config=bad)
        out["invalid"] = None
    except RPCError as e:
        out["invalid"] = {"tag": e.tag, "type": e.type, "path": e.path, "message": e.message}
    try:
        m.edit_config(target="candidate", config=bad.replace("no-such-interface", "still-missing"))
        m.commit()
        out["commit"] = None
    except RPCError as e:
        out["commit"] = {"tag": e.tag}
        m.discard_changes()
print(json.dumps(out))
`;

test('ncclient finds the cross-connect at the assigned frequency and gets rpc-errors for invalid edits', async () => {
  const act = new NetconfActivator(fleet.index, fleet.devices, { username: USER, password: PASSWORD });
  const spans = ['dca-aaa', 'aaa-bbb', 'bbb-ccc', 'ccc-dcc'];
  const w = wave(spans, 100);
  await act.activatePath('ord_NCC', { siteIds: ['dca-dc1', 'aaa-pop', 'bbb-pop', 'ccc-pop', 'ccc-dc1'], spanIds: spans, wave: w });
  await act.close();
  const script = path.join(tmp, 'nc.py');
  fs.writeFileSync(script, SCRIPT);
  const d = fleet.device('bbb-pop')!;
  // Asynchronously: the devices answer from this process's event loop.
  const r = await promisify(execFile)(PYTHON, [script, d.host, String(d.port), USER, PASSWORD, 'ord_NCC'], { encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout) as { base11: boolean; connections: { name: string; frequency: string }[]; invalid: { tag: string; type: string; path: string } | null; commit: { tag: string } | null };
  assert.equal(out.base11, true);
  assert.equal(out.connections.length, 2, 'both directions');
  // The frequency ncclient reads equals the design's centre, 191.3 THz + (100 + 6/2) x 12.5 GHz.
  for (const c of out.connections) assert.equal(Number(c.frequency), (191_300 + (100 + 3) * 12.5) / 1000);
  assert.equal(thzText(w.segments[0].centerFrequencyGhz), out.connections[0].frequency);
  assert.ok(out.invalid, 'the invalid edit of running is refused');
  assert.equal(out.invalid.tag, 'data-missing');
  assert.equal(out.invalid.type, 'application');
  assert.match(out.invalid.path, /roadm-connections/);
  assert.deepEqual(out.commit, { tag: 'data-missing' }, 'and so is the commit of an invalid candidate');
});
