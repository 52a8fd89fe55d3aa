/**
 * Test harness for the portal's end-to-end tests: the real server on loopback with a fresh data
 * directory, the built web app it serves, and Debian's Chromium driven by playwright-core.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../support/shared.js';

/** Screenshots of each run land here (gitignored). */
export const artifactsDir = path.join(repoRoot, 'artifacts', 'e2e');

/** Debian's Chromium unless LIGHTPATH_CHROMIUM points elsewhere; never a downloaded browser. */
export const chromiumPath = process.env.LIGHTPATH_CHROMIUM ?? '/usr/bin/chromium';

/** Fail early, with the fix in the message, when something the tests need is missing. */
export function checkPrerequisites(): void {
  if (process.env.LIGHTPATH_E2E_URL === undefined) {
    if (!fs.existsSync(path.join(repoRoot, 'web', 'dist', 'index.html'))) {
      throw new Error('web/dist/index.html is missing: run `npm run build:web` before the end-to-end tests');
    }
    if (!fs.existsSync(path.join(repoRoot, 'bin', 'lightpath.js'))) throw new Error('bin/lightpath.js is missing: the server is needed for the end-to-end tests');
  }
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set LIGHTPATH_CHROMIUM`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(baseUrl: string, child: ChildProcess | null, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child !== null && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready within 60 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A running server: its base URL and a stop function. */
export interface RunningServer {
  baseUrl: string;
  stop: () => Promise<void>;
}

/** Start `lightpath serve` on a free loopback port with an empty data dir (the built-in network loads). */
export async function startServer(): Promise<RunningServer> {
  const external = process.env.LIGHTPATH_E2E_URL;
  if (external !== undefined) {
    const baseUrl = external.replace(/\/+$/, '');
    await waitReady(baseUrl, null, () => '');
    return { baseUrl, stop: async () => {} };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-e2e-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/lightpath.js', 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: repoRoot,
    // Always a fresh embedded store, even when CI points the suite at a PostgreSQL server.
    env: { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitReady(baseUrl, child, () => output);
  } catch (e) {
    child.kill();
    throw e;
  }
  const printedKey = /\b(lp_[A-Za-z0-9_-]{20,})/.exec(output);
  if (!printedKey) {
    child.kill();
    throw new Error(`the server did not print its first-start operator key:\n${output}`);
  }
  e2eApiKey = printedKey[1];
  return {
    baseUrl,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // A server that ignores SIGTERM must not hang the test run.
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(force);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium; WebGL through SwiftShader since CI machines have no GPU. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
}

/** True for URLs that stay on this machine. */
export function isLocalUrl(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  try {
    const u = new URL(url);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Operator API key: LIGHTPATH_E2E_API_KEY for an external server, else the key a fresh server prints
 * once on first start (set by startServer; a live binding, so importers see it once the server runs).
 */
export let e2eApiKey: string | null = process.env.LIGHTPATH_E2E_API_KEY ?? null;

/** Headers for direct API calls from the test. */
export function apiHeaders(): Record<string, string> {
  return e2eApiKey === null ? {} : { authorization: `Bearer ${e2eApiKey}` };
}

/** Make the page start signed in with e2eApiKey (where the portal keeps it), when there is one. */
export async function signInPage(page: Page): Promise<void> {
  if (e2eApiKey !== null) await page.addInitScript({ content: `sessionStorage.setItem('lightpath.apiKey', ${JSON.stringify(e2eApiKey)});` });
}

/** Record every request the page makes, and page errors, for the offline and no-crash checks. */
export function watchPage(page: Page): { requests: string[]; errors: string[] } {
  const seen = { requests: [] as string[], errors: [] as string[] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

/** Create an API key through POST /v1/keys with the operator key (returns the secret, shown once). */
export async function createApiKey(baseUrl: string, tenantId: string, role: 'operator' | 'customer'): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/keys`, {
    method: 'POST',
    headers: { ...apiHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, role, name: `e2e ${role} ${tenantId}` }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/keys -> HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** A JSON API call with a key; fails the test (with the answer) on anything but 2xx. */
export async function apiCall<T>(baseUrl: string, method: string, p: string, key: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${p} -> HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A desktop-sized page, watched for requests and errors, signed in with the key. */
export async function openSignedInPage(browser: Browser, key: string): Promise<{ page: Page; watched: { requests: string[]; errors: string[] } }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  const watched = watchPage(page);
  await signInPageWith(page, key);
  return { page, watched };
}

/** Make the page start signed in with the given key (where the portal keeps it). */
export async function signInPageWith(page: Page, key: string): Promise<void> {
  // Only on the portal's own documents: about:blank and data: pages have no storage to write.
  await page.addInitScript({ content: `if (location.protocol.startsWith('http')) sessionStorage.setItem('lightpath.apiKey', ${JSON.stringify(key)});` });
}
