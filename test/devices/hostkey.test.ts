/**
 * Host keys: ssh2's ed25519 generator yields a key its own parser rejects about once in 256 draws
 * (mscdex/ssh2#1390), which made a fleet fail to start now and then. Every key generateHostKey returns
 * must start an SSH server; 1,500 draws would meet a bad one with probability 1 - (255/256)^1500 ≈ 99.7%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ssh2 from 'ssh2';
import { generateHostKey } from '../../src/devices/emulator/server.js';

test('every generated host key starts an SSH server', () => {
  for (let i = 0; i < 1500; i++) {
    const key = generateHostKey();
    assert.doesNotThrow(() => new ssh2.Server({ hostKeys: [key] }), `key ${i}`);
  }
});
