import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testDrivers } from '../support/db.js';
import { sharedFiles } from '../support/shared.js';
import type { Db } from '../../src/store/db.js';
import { InventoryService } from '../../src/services/inventory.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { LightpathError } from '../../src/domain/errors.js';

const zoo = sharedFiles('topologyzoo', '.gml');

for (const driver of testDrivers()) {
  describe(`every Topology Zoo network imports into the store on ${driver.name}`, () => {
    let db: Db;
    let svc: InventoryService;
    before(async () => {
      db = await driver.open();
      svc = new InventoryService(db);
    });
    after(async () => db.close());

    test(`${zoo.length} files, counts reconciled with the file and the store`, async () => {
      assert.ok(zoo.length >= 262, `expected the 262 zoo files, found ${zoo.length}`);
      for (const file of zoo) {
        const text = fs.readFileSync(file, 'utf8');
        // Independent count of what the file declares.
        const nodes = (text.match(/^\s*node \[/gm) ?? []).length;
        const edges = (text.match(/^\s*edge \[/gm) ?? []).length;
        const name = path.basename(file);
        const before = await svc.counts();
        const outcome = await svc.importNetwork(TEST_OPERATOR, { fileName: name, text, replace: true }).catch((e: unknown) => e);
        if (outcome instanceof LightpathError) {
          // Drawn without a map (Ai3, Geant, ...) or no edge between two mapped nodes: nothing to
          // import, so the file is refused and the store keeps the previous network.
          assert.equal(outcome.code, 'validation-failed', `${name}: ${outcome.detail}`);
          assert.match(outcome.detail, /nothing to import/, name);
          assert.deepEqual(await svc.counts(), before, `${name}: a refused import writes nothing`);
          continue;
        }
        if (outcome instanceof Error) throw outcome;
        const { report, counts } = outcome as Awaited<ReturnType<InventoryService['importNetwork']>>;
        assert.equal(report.nodesInFile, nodes, `${name}: nodes`);
        assert.equal(report.edgesInFile, edges, `${name}: edges`);
        const skippedNodes = report.skipped.filter((s) => s.kind === 'node').length;
        const skippedEdges = report.skipped.filter((s) => s.kind === 'edge').length;
        assert.equal(report.sitesImported + skippedNodes, nodes, `${name}: every node imported or reported`);
        assert.equal(report.spansImported + skippedEdges + report.merged.length, edges, `${name}: every edge imported, merged or reported`);
        assert.equal(counts.sites, report.sitesImported, `${name}: store sites`);
        assert.equal(counts.spans, report.spansImported, `${name}: store spans`);
        for (const s of [...report.skipped, ...report.merged]) assert.ok(s.reason.length > 0, `${name}: a reason for ${s.id}`);
      }
    });
  });
}
