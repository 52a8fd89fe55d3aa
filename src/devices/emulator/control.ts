/**
 * The emulator's fault-injection channel: `lightpath devices serve` listens on a Unix socket (mode 0600:
 * only its owner may cut fibers) for the lines `cut SPAN` / `repair SPAN`, the same as on its standard
 * input, and answers each with one JSON line; `lightpath devices cut SPAN` / `repair SPAN` are the client.
 * A physical fault is not a NETCONF operation, so it does not go through the devices' own sessions.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FaultResult } from './fleet.js';

/** One answer on the channel. */
export type ControlReply = ({ ok: true; action: 'cut' | 'repair' } & FaultResult) | { ok: false; error: string };

/** Where `devices serve` listens and `devices cut` connects unless told otherwise. */
export function defaultControlPath(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return process.env.LIGHTPATH_DEVICES_CONTROL || path.join(os.tmpdir(), `lightpath-devices-${uid}.sock`);
}

/** Runs one command line against the fleet's fault injection. */
export function runControlLine(line: string, fault: { cut(spanId: string): FaultResult; repair(spanId: string): FaultResult }): ControlReply {
  const [verb, spanId] = line.trim().split(/\s+/);
  try {
    if (verb !== 'cut' && verb !== 'repair') throw new Error(`unknown command ${JSON.stringify(verb ?? '')} (cut SPAN, repair SPAN)`);
    if (!spanId) throw new Error(`${verb} needs a span id`);
    return { ok: true, action: verb, ...(verb === 'cut' ? fault.cut(spanId) : fault.repair(spanId)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** True when something answers on the socket (another emulator), false for a stale file. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Listens on `socketPath` (a stale socket file left by a killed emulator is replaced; a live one is an
 * error: two emulators would not know whose fleet a cut is for). Resolves with a close function.
 */
export async function serveControl(socketPath: string, handle: (line: string) => ControlReply): Promise<() => Promise<void>> {
  if (fs.existsSync(socketPath)) {
    if (await answers(socketPath)) throw Object.assign(new Error(`another device emulator listens on ${socketPath}`), { code: 'EADDRINUSE' });
    fs.rmSync(socketPath, { force: true });
  }
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    open.add(sock);
    sock.once('close', () => open.delete(sock));
    const rl = createInterface({ input: sock });
    rl.on('line', (line) => {
      if (line.trim()) sock.write(JSON.stringify(handle(line)) + '\n');
    });
    sock.on('error', () => sock.destroy());
  });
  // Created 0600 from the start: no window in which another user could connect.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
      fs.rmSync(socketPath, { force: true });
    });
}

/** Sends one command to a running emulator and returns its answer. */
export function sendControl(socketPath: string, line: string, timeoutMs = 10_000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socketPath);
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no answer from the device emulator on ${socketPath} in ${timeoutMs} ms`));
    }, timeoutMs);
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      c.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ControlReply);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    c.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    c.once('connect', () => c.write(line.replace(/\n/g, ' ') + '\n'));
  });
}
