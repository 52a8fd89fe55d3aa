/** The principal cache in front of API-key lookups: hits, expiry, revocation, bounds. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after } from 'node:test';
import type { Db } from '../../src/store/db.js';
import { pgliteDriver } from '../support/db.js';
import { authenticate, generateKey, hashKey, KeyService, PrincipalCache, principalCache } from '../../src/services/ordering/keys.js';
import { LightpathError } from '../../src/domain/errors.js';
import { operator } from './support.js';

/**
 * A real (embedded) key table with the given keys, behind a wrapper that counts how often a key is
 * looked up in the database: the cache's promise is "fewer lookups", so the count is what is tested.
 */
let shared: Promise<Db> | undefined;
async function realKeys(keys: Map<string, { id: string; tenantId: string; role: string }>) {
  shared ??= pgliteDriver.open();
  const db = await shared;
  await db.query('DELETE FROM api_keys');
  for (const [hash, k] of keys) {
    await db.query('INSERT INTO api_keys (id, tenant_id, role, key_hash, prefix) VALUES ($1, $2, $3, $4, $5)', [k.id, k.tenantId, k.role, hash, 'lp_x']);
  }
  let lookups = 0;
  const count = (sql: string): void => {
    if (sql.includes('FROM api_keys WHERE key_hash')) lookups++;
  };
  const q: Db = {
    kind: db.kind,
    description: db.description,
    query: (sql, params, opts) => (count(sql), db.query(sql, params, opts)),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params, opts) => (count(sql), tx.query(sql, params, opts)) })),
    close: async () => {},
  };
  return { q, lookups: () => lookups };
}

async function rejectsUnauthorized(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof LightpathError && err.code === 'unauthorized');
}

describe('principal cache', () => {
  after(async () => {
    if (shared) await (await shared).close();
  });
  test('a cached key costs no lookup until its entry expires', async () => {
    let now = 1_000;
    const cache = new PrincipalCache(5_000, 100, () => now);
    const key = generateKey();
    const db = await realKeys(new Map([[hashKey(key), { id: 'key_1', tenantId: 'alice', role: 'customer' }]]));
    const want = { tenantId: 'alice', role: 'customer', keyId: 'key_1' };
    assert.deepEqual(await authenticate(db.q, `Bearer ${key}`, cache), want);
    assert.deepEqual(await authenticate(db.q, `Bearer ${key}`, cache), want);
    assert.equal(db.lookups(), 1);
    now += 4_999;
    await authenticate(db.q, `Bearer ${key}`, cache);
    assert.equal(db.lookups(), 1);
    now += 1;
    await authenticate(db.q, `Bearer ${key}`, cache);
    assert.equal(db.lookups(), 2, 'an expired entry is looked up again');
  });

  test('unknown and malformed keys are never cached and always refused', async () => {
    const cache = new PrincipalCache();
    const db = await realKeys(new Map());
    for (let i = 0; i < 3; i++) await rejectsUnauthorized(authenticate(db.q, `Bearer ${generateKey()}`, cache));
    await rejectsUnauthorized(authenticate(db.q, 'Bearer nope', cache));
    await rejectsUnauthorized(authenticate(db.q, undefined, cache));
    assert.equal(db.lookups(), 3, 'malformed keys never reach the database');
    assert.equal(cache.size, 0);
  });

  test('a key revoked through KeyService stops working at once', async () => {
    const key = generateKey();
    const db = await realKeys(new Map([[hashKey(key), { id: 'key_rev', tenantId: 'alice', role: 'customer' }]]));
    principalCache.clear();
    await authenticate(db.q, `Bearer ${key}`);
    await authenticate(db.q, `Bearer ${key}`);
    assert.equal(db.lookups(), 1, 'the default cache served the second request');
    await new KeyService(db.q).revoke(operator, 'key_rev');
    await rejectsUnauthorized(authenticate(db.q, `Bearer ${key}`));
    principalCache.clear();
  });

  test('stays within maxEntries, evicting the oldest, and agrees with a plain map otherwise (random operations)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ op: fc.constant('set' as const), k: fc.integer({ min: 0, max: 12 }) }), fc.record({ op: fc.constant('forget' as const), k: fc.integer({ min: 0, max: 12 }) })), { maxLength: 60 }),
        (ops) => {
          const max = 5;
          const cache = new PrincipalCache(60_000, max, () => 0);
          // Oracle: insertion-ordered list of live keys with the same eviction rule.
          let model: number[] = [];
          for (const { op, k } of ops) {
            if (op === 'set') {
              model = model.filter((x) => x !== k);
              if (model.length >= max) model.shift();
              model.push(k);
              cache.set(`h${k}`, { tenantId: 't', role: 'customer', keyId: `key_${k}` });
            } else {
              model = model.filter((x) => x !== k);
              cache.forgetKey(`key_${k}`);
            }
            assert.ok(cache.size <= max);
          }
          assert.equal(cache.size, model.length);
          for (let k = 0; k <= 12; k++) assert.equal(cache.get(`h${k}`)?.keyId, model.includes(k) ? `key_${k}` : undefined);
        },
      ),
      { seed: 7310, numRuns: 200 },
    );
  });
});
