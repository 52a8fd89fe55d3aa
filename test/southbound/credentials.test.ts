/**
 * Device logins for the NETCONF driver: from the environment or a secrets file, per site or one for all;
 * every error names the file and the field, never a value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CredentialsError, loadCredentials } from '../../src/services/southbound/directory.js';

const SECRET = 'S3cr3t-device-password';

test('environment: LIGHTPATH_DEVICES_PASSWORD (and the user name, default lightpath); none without a password', () => {
  assert.deepEqual(loadCredentials({ LIGHTPATH_DEVICES_PASSWORD: SECRET }), { default: { username: 'lightpath', password: SECRET } });
  assert.deepEqual(loadCredentials({ LIGHTPATH_DEVICES_PASSWORD: SECRET, LIGHTPATH_DEVICES_USERNAME: 'ops' }), { default: { username: 'ops', password: SECRET } });
  assert.deepEqual(loadCredentials({ LIGHTPATH_DEVICES_USERNAME: 'ops' }), { default: null });
});

test('secrets file: one login for all and per-site logins; the file wins over the environment; errors never show a secret', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-creds-'));
  const file = (name: string, body: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, body, { mode: 0o600 });
    return p;
  };
  try {
    const both = file('both.json', JSON.stringify({ username: 'u', password: SECRET, sites: { 'bbb-pop': { username: 'b', password: 'other' } } }));
    assert.deepEqual(loadCredentials({ LIGHTPATH_DEVICES_PASSWORD: 'env' }, both), { default: { username: 'u', password: SECRET }, sites: { 'bbb-pop': { username: 'b', password: 'other' } } });
    const sitesOnly = file('sites.json', JSON.stringify({ sites: { 'bbb-pop': { username: 'b', password: SECRET } } }));
    assert.deepEqual(loadCredentials({}, sitesOnly), { default: null, sites: { 'bbb-pop': { username: 'b', password: SECRET } } });

    const bad: [string, RegExp][] = [
      [file('nojson.json', `{"password": "${SECRET}"`), /nojson\.json: cannot read the device secrets \(not JSON\)/],
      [path.join(dir, 'absent.json'), /absent\.json: cannot read the device secrets \(ENOENT\)/],
      [file('nouser.json', JSON.stringify({ password: SECRET })), /nouser\.json: no credentials/],
      [file('badsite.json', JSON.stringify({ sites: { x: { username: 'x', password: 42, note: SECRET } } })), /badsite\.json: sites\.x: needs a username and a password/],
      [file('badsites.json', JSON.stringify({ sites: [SECRET] })), /badsites\.json: sites must be an object/],
    ];
    for (const [p, re] of bad) {
      assert.throws(
        () => loadCredentials({}, p),
        (err: unknown) => err instanceof CredentialsError && re.test(err.message) && !err.message.includes(SECRET),
        p,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
