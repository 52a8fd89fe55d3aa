/**
 * settleConfigs, on every driver: for each service listed, its device configuration becomes exactly
 * the transaction given (made active, the service's others and their ports gone) or nothing; services
 * not listed are left alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import * as sb from '../../src/store/southbound.js';

for (const driver of testDrivers()) {
  describe(`settleConfigs (${driver.name})`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
    });
    after(async () => {
      await db.close();
    });

    test("each listed service keeps exactly its transaction (active) or nothing, with the others' ports gone; others untouched", async () => {
      const txn = (serviceId: string, txnId: string) => ({ serviceId, txnId, design: { paths: [] }, sites: ['a'] });
      await sb.beginConfigs(db, [txn('s1', 'old1'), txn('s1', 'new1'), txn('s2', 'old2'), txn('s2', 'new2'), txn('s3', 'only3'), txn('s4', 'keep4')]);
      await sb.settleConfig(db, 's1', 'old1');
      await sb.settleConfig(db, 's4', 'keep4');
      await sb.beginConfigs(db, [txn('s1', 'new1'), txn('s4', 'next4')]);
      await sb.claimPortsMany(db, [
        { serviceId: 's1', txnId: 'old1', needs: [{ siteId: 'a', use: '0:a0', candidates: ['p1', 'p2'] }] },
        { serviceId: 's2', txnId: 'old2', needs: [{ siteId: 'a', use: '0:a0', candidates: ['p1', 'p2', 'p3'] }] },
      ]);
      await sb.settleConfigs(db, [
        { serviceId: 's1', txnId: 'new1' },
        { serviceId: 's2', txnId: 'new2' },
        { serviceId: 's3', txnId: null },
      ]);
      const rows = await sb.configsOfMany(db, ['s1', 's2', 's3', 's4']);
      const show = (id: string) => rows.get(id)!.map((r) => `${r.txnId}:${r.state}`).sort();
      assert.deepEqual(show('s1'), ['new1:active']);
      assert.deepEqual(show('s2'), ['new2:active']);
      assert.deepEqual(show('s3'), []);
      assert.deepEqual(show('s4'), ['keep4:active', 'next4:configuring'], 'a service not listed is left alone');
      const ports = await db.query<{ n: string }>('SELECT count(*) AS n FROM device_ports');
      assert.equal(Number(ports.rows[0].n), 0, "the settled services' old transactions took their ports with them");
      await sb.settleConfigs(db, []);
    });
  });
}
