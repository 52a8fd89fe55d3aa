/**
 * InFlightHolds against a model that keeps every hold forever with its commit time: a read must see
 * exactly the holds still in flight plus those committed after it started (the rest it sees in its
 * snapshot), however reads, plans and commits interleave. KeyedGate: one holder per key at a time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InFlightHolds, KeyedGate, type PlannedHold, type ReadTicket } from '../../src/services/ordering/inflight.js';

const hold = (resourceId: string, lo: number, kind: PlannedHold['kind'] = 'spectrum'): PlannedHold => ({ kind, resourceId, sub: 0, lo, hi: lo + 1 });

describe('InFlightHolds', () => {
  test('a hold is visible while in flight, and after commit only to reads that started before it', () => {
    const h = new InFlightHolds();
    const early = h.beginRead();
    const token = h.add([hold('s1', 0), hold('t1', 0, 'trunk')]);
    const during = h.beginRead();
    assert.deepEqual(h.overlay(during, 'spectrum').held.map((r) => r.resourceId), ['s1']);
    assert.deepEqual([...h.overlay(during, 'spectrum').trunkUnits], [['t1', [[0, 1]]]]);
    assert.equal(h.overlay(during, 'strand').held.length, 0, 'other kinds are not mixed in');
    h.settle(token, true);
    const late = h.beginRead();
    assert.equal(h.overlay(early, 'spectrum').held.length, 1, 'committed after the read was sent: the snapshot may miss it');
    assert.equal(h.overlay(during, 'spectrum').held.length, 1);
    assert.equal(h.overlay(late, 'spectrum').held.length, 0, 'committed before the read was sent: the snapshot has it');
    h.endRead(late);
    h.endRead(early);
    assert.equal(h.size, 1, 'still kept: a read that could miss it is outstanding');
    h.endRead(during);
    assert.equal(h.size, 0, 'collected once no read can miss it');
  });

  test('a hold whose write did not commit disappears at once and wakes its waiters', async () => {
    const h = new InFlightHolds();
    const t = h.beginRead();
    const token = h.add([hold('s1', 3)]);
    const o = h.overlay(t, 'spectrum');
    let woke = false;
    const waiting = h.whenSettled(o.entries).then(() => (woke = true));
    await Promise.resolve();
    assert.equal(woke, false);
    h.settle(token, false);
    await waiting;
    assert.equal(woke, true);
    assert.equal(h.overlay(t, 'spectrum').held.length, 0);
    h.endRead(t);
    assert.equal(h.size, 0);
  });

  test('matches the model under random interleavings (property)', () => {
    type Op = { op: 'read' } | { op: 'end'; k: number } | { op: 'add'; r: number } | { op: 'settle'; k: number; ok: boolean } | { op: 'check'; k: number };
    const ops = fc.array(
      fc.oneof(
        fc.constant<Op>({ op: 'read' }),
        fc.record({ op: fc.constant('end' as const), k: fc.nat(20) }),
        fc.record({ op: fc.constant('add' as const), r: fc.nat(5) }),
        fc.record({ op: fc.constant('settle' as const), k: fc.nat(20), ok: fc.boolean() }),
        fc.record({ op: fc.constant('check' as const), k: fc.nat(20) }),
      ),
      { maxLength: 80 },
    );
    fc.assert(
      fc.property(ops, (list) => {
        const h = new InFlightHolds();
        // Model: a clock that ticks on every commit; each hold remembers when it committed.
        let clock = 0;
        const reads: { t: ReadTicket; at: number; open: boolean }[] = [];
        const holds: { token: object; id: string; committedAt: number | null; failed: boolean }[] = [];
        for (const x of list) {
          if (x.op === 'read') reads.push({ t: h.beginRead(), at: clock, open: true });
          else if (x.op === 'end') {
            const r = reads.filter((y) => y.open)[x.k % Math.max(1, reads.length)];
            if (r) {
              r.open = false;
              h.endRead(r.t);
            }
          } else if (x.op === 'add') {
            const id = `h${holds.length}`;
            holds.push({ token: h.add([hold(id, x.r)]), id, committedAt: null, failed: false });
          } else if (x.op === 'settle') {
            const pending = holds.filter((y) => y.committedAt === null && !y.failed);
            const y = pending[x.k % Math.max(1, pending.length)];
            if (y) {
              if (x.ok) y.committedAt = ++clock;
              else y.failed = true;
              h.settle(y.token, x.ok);
            }
          } else {
            const open = reads.filter((y) => y.open);
            const r = open[x.k % Math.max(1, open.length)];
            if (!r) continue;
            const expected = holds.filter((y) => !y.failed && (y.committedAt === null || y.committedAt > r.at)).map((y) => y.id).sort();
            const seen = h.overlay(r.t, 'spectrum').held.map((y) => y.resourceId).sort();
            assert.deepEqual(seen, expected);
          }
        }
        // Nothing committed is kept once every read has ended.
        for (const r of reads.filter((y) => y.open)) h.endRead(r.t);
        assert.equal(h.size, holds.filter((y) => y.committedAt === null && !y.failed).length);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});

describe('KeyedGate', () => {
  test('one holder per key at a time, in arrival order; other keys pass freely', async () => {
    const gate = new KeyedGate();
    const log: string[] = [];
    const work = async (key: string, name: string, ms: number) => {
      const release = await gate.acquire(key);
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
      release();
    };
    await Promise.all([work('a', 'a1', 20), work('a', 'a2', 1), work('b', 'b1', 1), work('a', 'a3', 1)]);
    const a = log.filter((x) => x.startsWith('a'));
    assert.deepEqual(a, ['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
    assert.ok(log.indexOf('b1-') < log.indexOf('a1-'), 'key b did not wait for key a');
  });
});
