/**
 * The OpenAPI document as an independent validator reads it: Redocly CLI's recommended rules (run
 * offline from node_modules) must find no error and no warning, and every operation carries a unique
 * operationId (what generated clients name their methods after).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pgliteDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices } from '../../src/services/index.js';

interface OpenApiDoc {
  openapi: string;
  servers?: unknown[];
  paths: Record<string, Record<string, { operationId?: string }>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('OpenAPI document', () => {
  let db: Db;
  let app: LightpathApp;
  let doc: OpenApiDoc;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-openapi-'));
  before(async () => {
    db = await pgliteDriver.open();
    app = await buildApp({ services: createServices(db), logger: false, webDir: null });
    doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDoc;
  });
  after(async () => {
    await app.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every operation has a unique operationId', () => {
    const seen = new Map<string, string>();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        assert.ok(op.operationId, `${m.toUpperCase()} ${p} has no operationId`);
        assert.match(op.operationId, /^[a-z][A-Za-z]+$/, `${m.toUpperCase()} ${p}`);
        assert.ok(!seen.has(op.operationId), `${op.operationId} is used by ${seen.get(op.operationId)} and ${m.toUpperCase()} ${p}`);
        seen.set(op.operationId, `${m.toUpperCase()} ${p}`);
      }
    }
    assert.ok(seen.size >= 50, `only ${seen.size} operations`);
  });

  test('Redocly CLI (recommended rules) finds no error and no warning', () => {
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    const cli = path.resolve('node_modules/@redocly/cli/bin/cli.js');
    const r = spawnSync(process.execPath, [cli, 'lint', file, '--extends=recommended', '--format=json'], {
      encoding: 'utf8',
      timeout: 120_000,
      // Offline: no telemetry, no update check.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1' },
    });
    const out = r.stdout.slice(r.stdout.indexOf('{'));
    const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    assert.equal(report.totals.errors, 0, problems.join('\n'));
    assert.equal(report.totals.warnings, 0, problems.join('\n'));
    assert.equal(r.status, 0, r.stderr);
  });

  test('the portal\'s API types are what this document generates (scripts/gen-web-types.mjs, run by npm run build)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-web-types.mjs', '--check'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
  });
});
