/**
 * The emulator's fault-injection socket: commands answered as JSON lines, owner-only, a stale socket
 * (an emulator killed with -9) replaced, a live one refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runControlLine, sendControl, serveControl } from '../../src/devices/emulator/control.js';
import type { FaultResult } from '../../src/devices/emulator/fleet.js';

const calls: string[] = [];
const fake = {
  cut: (spanId: string): FaultResult => {
    if (spanId !== 's1') throw new RangeError(`unknown span ${spanId}`);
    calls.push(`cut ${spanId}`);
    return { spanId, ports: [{ nodeId: 'ROADM-a', siteId: 'a', circuitPack: 'DEG1', port: 'DEG1-TTP-TXRX', degree: 1 }] };
  },
  repair: (spanId: string): FaultResult => {
    calls.push(`repair ${spanId}`);
    return { spanId, ports: [] };
  },
};

test('command lines: cut and repair reach the fleet; anything else is an error naming the commands', () => {
  calls.length = 0;
  assert.deepEqual(runControlLine('  cut   s1 ', fake), { ok: true, action: 'cut', ...fake.cut('s1') });
  assert.deepEqual(runControlLine('repair s1', fake), { ok: true, action: 'repair', spanId: 's1', ports: [] });
  assert.deepEqual(calls, ['cut s1', 'cut s1', 'repair s1']);
  assert.deepEqual(runControlLine('cut s9', fake), { ok: false, error: 'unknown span s9' });
  assert.deepEqual(runControlLine('cut', fake), { ok: false, error: 'cut needs a span id' });
  assert.match((runControlLine('explode s1', fake) as { error: string }).error, /unknown command "explode" \(cut SPAN, repair SPAN\)/);
});

test('the socket answers each command, is owner-only, replaces a stale file and refuses to share a live one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-control-'));
  const sock = path.join(dir, 'devices.sock');
  try {
    // A stale socket: a process that listened on it and was killed with -9 (the file stays).
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`]);
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(fs.existsSync(sock), 'the killed listener left its socket file');

    const close = await serveControl(sock, (line) => runControlLine(line, fake));
    try {
      assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
      assert.deepEqual(await sendControl(sock, 'cut s1'), { ok: true, action: 'cut', ...fake.cut('s1') });
      assert.deepEqual(await sendControl(sock, 'cut nowhere'), { ok: false, error: 'unknown span nowhere' });
      await assert.rejects(serveControl(sock, () => ({ ok: false, error: 'second' })), /another device emulator listens/);
      assert.deepEqual(await sendControl(sock, 'repair s1'), { ok: true, action: 'repair', spanId: 's1', ports: [] }, 'the first keeps serving');
    } finally {
      await close();
    }
    assert.ok(!fs.existsSync(sock), 'closing removes the socket');
    await assert.rejects(sendControl(sock, 'cut s1'), { code: 'ENOENT' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
