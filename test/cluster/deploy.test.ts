/**
 * deploy/ is meant to be copied as it is: HAProxy must accept its configuration (`haproxy -c`), and
 * systemd its unit (`systemd-analyze verify`, on an instance of the template). The cluster test
 * (cluster.test.ts) runs HAProxy and PgBouncer from these same files, with only addresses changed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../support/shared.js';

const deploy = path.join(repoRoot, 'deploy');
const haproxy = fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : null;

describe('deploy/', () => {
  test('HAProxy accepts haproxy.cfg and checks /readyz on three replicas', { skip: haproxy ? false : 'haproxy is not installed (apt-get install haproxy)' }, () => {
    const r = spawnSync(haproxy as string, ['-c', '-f', path.join(deploy, 'haproxy.cfg')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const cfg = fs.readFileSync(path.join(deploy, 'haproxy.cfg'), 'utf8');
    assert.match(cfg, /http-check send meth GET uri \/readyz/);
    assert.equal(cfg.match(/^\s*server r\d .* check$/gm)?.length, 3);
  });

  test('the systemd unit is a valid template', { skip: fs.existsSync('/usr/bin/systemd-analyze') ? false : 'systemd-analyze is not installed' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-unit-'));
    try {
      // verify wants an instance and an executable that exists: the unit as shipped, pointed at this node.
      const unit = fs.readFileSync(path.join(deploy, 'lightpath@.service'), 'utf8').replace('/usr/bin/node', process.execPath).replace(/^(User|Group)=.*$/gm, '');
      fs.writeFileSync(path.join(dir, 'lightpath@8081.service'), unit);
      const r = spawnSync('/usr/bin/systemd-analyze', ['verify', '--man=no', path.join(dir, 'lightpath@8081.service')], { encoding: 'utf8' });
      const complaints = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('lightpath@8081') && !/EnvironmentFile|Failed to prepare filename|No such file/.test(l));
      assert.deepEqual(complaints, []);
      assert.match(unit, /TimeoutStopSec=15/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
