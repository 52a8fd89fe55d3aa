/**
 * The `lightpath` command as a user runs it: separate processes on a temporary data directory.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedData } from '../support/shared.js';

const bin = path.resolve('bin/lightpath.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The embedded store is the subject here, even when CI sets DATABASE_URL for the suite.
const env = { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: '' };

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dir(name: string): string {
  return path.join(tmp, name);
}

describe('lightpath CLI', () => {
  test('import GML into an empty store loads only that network, reconciled with the file', () => {
    const file = sharedData('topologyzoo', 'Cogentco.gml');
    const r = run(['--data-dir', dir('zoo'), '--json', 'import', file]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      counts: { sites: number; spans: number };
      report: { nodesInFile: number; edgesInFile: number; sitesImported: number; spansImported: number; skipped: { kind: string }[]; merged: unknown[] };
    };
    const text = fs.readFileSync(file, 'utf8');
    const nodes = (text.match(/^\s*node \[/gm) ?? []).length;
    const edges = (text.match(/^\s*edge \[/gm) ?? []).length;
    const rep = out.report;
    assert.equal(rep.nodesInFile, nodes);
    assert.equal(rep.edgesInFile, edges);
    const skippedNodes = rep.skipped.filter((s) => s.kind === 'node').length;
    const skippedEdges = rep.skipped.filter((s) => s.kind === 'edge').length;
    assert.equal(rep.sitesImported + skippedNodes, nodes);
    assert.equal(rep.spansImported + skippedEdges + rep.merged.length, edges);
    assert.equal(out.counts.sites, rep.sitesImported);
    const sites = JSON.parse(run(['--data-dir', dir('zoo'), '--json', 'sites']).stdout) as { items: { id: string }[] };
    assert.equal(sites.items.length, rep.sitesImported, 'no built-in sites mixed in');
    // Human output is a table plus a summary line.
    assert.match(run(['--data-dir', dir('zoo'), 'spans']).stdout, new RegExp(`${out.counts.spans} spans`));
  });

  test('export json → import → export is lossless; GeoJSON export re-imports to the same network', () => {
    const a = run(['--data-dir', dir('builtin'), 'export', '--format', 'json']);
    assert.equal(a.status, 0, a.stderr);
    const file = path.join(tmp, 'net.json');
    fs.writeFileSync(file, a.stdout);
    assert.equal(run(['--data-dir', dir('copy'), 'import', file]).status, 0);
    const b = run(['--data-dir', dir('copy'), 'export', '--format', 'json']);
    assert.equal(b.stdout, a.stdout);
    const geo = path.join(tmp, 'net.geojson');
    assert.equal(run(['--data-dir', dir('builtin'), 'export', '--format', 'geojson', '-o', geo]).status, 0);
    assert.equal(run(['--data-dir', dir('geo'), 'import', geo]).status, 0);
    assert.equal(run(['--data-dir', dir('geo'), 'export', '--format', 'json']).stdout, a.stdout);
  });

  test('path prints the k best paths and a verified SRLG-diverse pair', () => {
    const r = run(['--data-dir', dir('builtin'), '--json', 'path', 'sea-pop', 'atl-pop', '--k', '3', '--diverse', 'srlg']);
    assert.equal(r.status, 0, r.stderr);
    const a = JSON.parse(r.stdout) as { paths: { latencyUs: number; spanIds: string[] }[]; lowerBoundLatencyUs: number; diverse: { status: string; paths: { spanIds: string[] }[] } };
    assert.equal(a.paths.length, 3);
    assert.ok(a.paths[0].latencyUs >= a.lowerBoundLatencyUs);
    assert.equal(a.diverse.status, 'found');
    assert.ok(a.diverse.paths[0].spanIds.every((s) => !a.diverse.paths[1].spanIds.includes(s)));
    const human = run(['--data-dir', dir('builtin'), 'path', 'sea-pop', 'atl-pop']);
    assert.match(human.stdout, /physical lower bound \d+\.\d+ ms/);
    assert.match(human.stdout, /sea-pop → .* → atl-pop/);
  });

  test('SNDlib and Net2Plan files import', () => {
    for (const [name, file] of [['sndlib', sharedData('sndlib', 'abilene.txt')], ['n2p', sharedData('net2plan', 'NSFNet_N14_E42.n2p')]]) {
      const r = run(['--data-dir', dir(name), '--json', 'import', file, '--format', name]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).counts.sites > 10);
    }
  });

  test('a malformed file fails with file:line, exit 1, and leaves the store empty', () => {
    const bad = path.join(tmp, 'truncated.gml');
    fs.writeFileSync(bad, fs.readFileSync(sharedData('topologyzoo', 'Abilene.gml'), 'utf8').slice(0, 1200));
    const r = run(['--data-dir', dir('bad'), 'import', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lightpath: validation-failed: /);
    assert.match(r.stderr, /truncated\.gml:\d+: /);
    // Nothing was written: the same store still takes an import as an empty one.
    const ok = run(['--data-dir', dir('bad'), '--json', 'import', sharedData('topologyzoo', 'Abilene.gml')]);
    assert.equal(ok.status, 0, ok.stderr);
    const missing = run(['--data-dir', dir('bad'), 'import', path.join(tmp, 'no-such-file.gml')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^lightpath: validation-failed: .*no-such-file/);
    const usage = run(['path', 'only-one-arg']);
    assert.equal(usage.status, 2);
  });

  test('beside a running server every command goes through its API, with the key its first start kept; a holder without a server is refused by name', async () => {
    const server = spawn(process.execPath, [bin, '--data-dir', dir('beside'), 'serve', '--empty', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const at = ['--data-dir', dir('beside')];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 120_000);
        server.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /Lightpath listening on (http:\/\/[^"\s]+)/.exec(buf);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        server.on('exit', (code) => reject(new Error(`server exited ${code}: ${buf}`)));
      });
      // First start prints the operator key once, on stderr (not in the log), and where it is kept: a
      // file only the owner can read.
      const key = /\b(lp_[A-Za-z0-9_-]{20,})/.exec(stderr)?.[1];
      assert.ok(key, `no first-start key in: ${stderr}`);
      const keyFile = path.join(dir('beside'), 'operator-key');
      assert.ok(stderr.includes(keyFile), 'the message names the key file');
      assert.equal(fs.readFileSync(keyFile, 'utf8').trim(), key);
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      assert.equal((await fetch(`${url}/v1/sites`)).status, 401);

      // The server holds the directory, and the CLI uses it instead of being refused.
      const empty = run([...at, '--json', 'sites']);
      assert.equal(empty.status, 0, empty.stderr);
      assert.deepEqual(JSON.parse(empty.stdout).items, []);
      const imported = run([...at, '--json', 'import', sharedData('topologyzoo', 'Abilene.gml')]);
      assert.equal(imported.status, 0, imported.stderr);
      const viaApi = (await (await fetch(`${url}/v1/sites?limit=1000`, { headers: { authorization: `Bearer ${key}` } })).json()) as { items: { id: string }[] };
      assert.equal(viaApi.items.length, JSON.parse(imported.stdout).counts.sites, 'the import landed in the server');

      const customer = run([...at, '--json', 'keys', 'create', '--tenant', 'acme', '--role', 'customer']);
      assert.equal(customer.status, 0, customer.stderr);
      const acmeKey = (JSON.parse(customer.stdout) as { key: string }).key;
      const [a, z] = [viaApi.items[0].id, viaApi.items[viaApi.items.length - 1].id];
      // As the customer: --key, then LIGHTPATH_SERVER + LIGHTPATH_KEY from another directory.
      const order = run([...at, '--key', acmeKey, '--json', 'order', 'create', 'wave', a, z, '--bandwidth', '100']);
      assert.equal(order.status, 0, order.stderr);
      const placed = JSON.parse(order.stdout) as { id: string; state: string; serviceId: string };
      assert.equal(placed.state, 'completed', 'the server activated the order and the command waited for it');
      const elsewhere = spawnSync(process.execPath, [bin, '--data-dir', dir('elsewhere'), '--json', 'services', 'list'], {
        encoding: 'utf8',
        env: { ...env, LIGHTPATH_SERVER: url, LIGHTPATH_KEY: acmeKey },
        timeout: 120_000,
      });
      assert.equal(elsewhere.status, 0, elsewhere.stderr);
      const services = JSON.parse(elsewhere.stdout) as { items: { id: string; tenantId: string }[] };
      assert.deepEqual(services.items.map((x) => [x.id, x.tenantId]), [[placed.serviceId, 'acme']]);
      assert.ok(!fs.existsSync(dir('elsewhere')), 'a command against a named server opens no store');
      // The customer key is a customer's: operator commands are refused by the server.
      const refused = run([...at, '--key', acmeKey, 'cut', 'x']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^lightpath: forbidden: /);
      const bad = run([...at, '--key', 'lp_not-a-key', 'sites']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^lightpath: unauthorized: /);

      // The CLI's requests are the server's: audited as API calls with the key that made them.
      const audit = (await (await fetch(`${url}/v1/audit?action=order.place`, { headers: { authorization: `Bearer ${key}` } })).json()) as { items: { actorKeyId: string; actorVia: string }[] };
      const acmeKeyId = (JSON.parse(customer.stdout) as { record: { id: string } }).record.id;
      assert.ok(audit.items.some((r) => r.actorKeyId === acmeKeyId && r.actorVia === 'api'), JSON.stringify(audit.items));
      const events = run([...at, '--json', 'events', '--types', 'order.inProgress,order.completed']);
      assert.equal(events.status, 0, events.stderr);
      assert.deepEqual((JSON.parse(events.stdout) as { items: { type: string }[] }).items.map((e) => e.type), ['order.inProgress', 'order.completed']);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    // Once the server is gone the directory is free again: the command opens the store itself.
    const later = run([...at, '--json', 'srlgs']);
    assert.equal(later.status, 0, later.stderr);

    // A process that holds the store without serving it (here a follower) is named, and nobody waits.
    const follower = spawn(process.execPath, [bin, ...at, 'events', '--follow', '--after', 'latest'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let followerErr = '';
    follower.stderr.on('data', (d: Buffer) => (followerErr += d.toString()));
    try {
      // Probe only once the follower holds the directory (its lock record names it): a probe started
      // earlier would hold the store itself and lock the follower out.
      const record = path.join(at[1], 'lightpath.lock');
      for (let i = 0; i < 900 && follower.exitCode === null; i++) {
        const text = fs.existsSync(record) ? fs.readFileSync(record, 'utf8') : '';
        if (text.includes(`"pid":${follower.pid}`)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(follower.exitCode, null, `the follower exited: ${followerErr}`);
      const holder = run([...at, 'sites']);
      assert.equal(holder.status, 3, holder.stderr);
      assert.match(holder.stderr, new RegExp(`^lightpath: store-locked: .*process ${follower.pid} .*lightpath events`));
    } finally {
      follower.kill('SIGTERM');
      await new Promise((r) => follower.once('exit', r));
    }
  });
  test('QoT policy, transit and quotes decided by physics from the command line', () => {
    const d = dir('qot');
    const show = run(['--data-dir', d, '--json', 'qot-policy']);
    assert.equal(show.status, 0, show.stderr);
    const before = JSON.parse(show.stdout) as { marginDb: number; maxUnamplifiedLossDb: number };
    // Changing one value keeps the other; the change persists.
    const set = run(['--data-dir', d, '--json', 'qot-policy', '--margin-db', String(before.marginDb + 1)]);
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { marginDb: before.marginDb + 1, maxUnamplifiedLossDb: before.maxUnamplifiedLossDb });
    assert.deepEqual(JSON.parse(run(['--data-dir', d, '--json', 'qot-policy']).stdout), { marginDb: before.marginDb + 1, maxUnamplifiedLossDb: before.maxUnamplifiedLossDb });
    assert.match(run(['--data-dir', d, 'qot-policy']).stdout, new RegExp(`GSNR margin ${before.marginDb + 1} dB`));

    // A data center is an endpoint until the operator opens it to transit.
    const site = (id: string) => (JSON.parse(run(['--data-dir', d, '--json', 'sites']).stdout) as { items: { id: string; transit: boolean }[] }).items.find((s) => s.id === id);
    assert.equal(site('sea-dc1')?.transit, false);
    assert.equal(run(['--data-dir', d, 'transit', 'sea-dc1', 'on']).status, 0);
    assert.equal(site('sea-dc1')?.transit, true);
    assert.match(run(['--data-dir', d, 'sites', '--kind', 'pop']).stdout, /yes \(ROADM\)/);
    assert.equal(run(['--data-dir', d, 'transit', 'sea-dc1', 'maybe']).status, 2);

    // A 400G quote states the mode, GSNR and margin it was planned with (at least the new policy margin).
    const q = run(['--data-dir', d, '--json', 'quote', 'wave', 'sea-pop', 'chi-pop', '--bandwidth', '400']);
    assert.equal(q.status, 0, q.stderr);
    const quote = JSON.parse(q.stdout) as { options: { qot?: { modeId: string; marginDb: number; policyMarginDb: number }[] }[] };
    assert.ok(quote.options.length > 0);
    for (const o of quote.options) {
      assert.ok(o.qot !== undefined && o.qot.length === 1);
      assert.equal(o.qot[0].policyMarginDb, before.marginDb + 1);
      assert.ok(o.qot[0].marginDb >= before.marginDb + 1 - 0.005);
    }
    assert.match(run(['--data-dir', d, 'quote', 'wave', 'sea-pop', 'chi-pop', '--bandwidth', '400']).stdout, /GSNR \d+\.\d\d dB, margin/);
    // 1+1 with a stated disjointness: the request keeps it, the options say what the legs share.
    const p = run(['--data-dir', d, '--json', 'quote', 'wave', 'sea-pop', 'chi-pop', '--bandwidth', '100', '--protection', 'protected-1+1', '--disjointness', 'node']);
    assert.equal(p.status, 0, p.stderr);
    const pq = JSON.parse(p.stdout) as { request: { disjointness?: string }; options: { sharing?: { disjointness: string; siteIds: string[] } }[] };
    assert.equal(pq.request.disjointness, 'node');
    for (const o of pq.options) assert.deepEqual(o.sharing?.siteIds, [], 'node-disjoint legs share no site');
    assert.equal(run(['--data-dir', d, 'quote', 'wave', 'sea-pop', 'chi-pop', '--bandwidth', '100', '--disjointness', 'nodes']).status, 2);
    // A single-homed data center (its other neighbours are endpoint-only) has no disjoint pair, and the refusal says why.
    const single = run(['--data-dir', d, 'order', 'create', 'wave', 'ash-dc2', 'chi-pop', '--bandwidth', '100', '--protection', 'protected-1+1']);
    assert.equal(single.status, 1);
    assert.match(single.stderr, /^lightpath: capacity-exhausted: .*ash-dc2 has one span a path can leave it by/);
  });
});
