import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/engine/planning/model.js';
import { readCbcAnswer } from '../../src/solver/cbc.js';

// A tiny model: minimise 3 x + 2 y + 10 (offset) with x + y >= 1.5, x, y integer.
function tiny(): ReturnType<ModelBuilder['build']> {
  const b = new ModelBuilder('tiny');
  const x = b.addVar('x', { cost: 3, type: 'integer', ub: 5 });
  const y = b.addVar('y', { cost: 2, type: 'integer', ub: 5 });
  b.addRow('r', [x, y], [1, 1], '>=', 1.5);
  b.addObjectiveOffset(10);
  return b.build();
}

test('CBC answer: the incumbent is read by column name, with the objective constant added back', () => {
  // The lines CBC 2.10.8 (Debian coinor-cbc) prints and writes for a proven optimum.
  const log = 'Result - Optimal solution found\n\nObjective value:                4.00000000\nEnumerated nodes:               0\n';
  const sol = 'Optimal - objective value 4.00000000\n      1 y                        2                       2\n';
  const r = readCbcAnswer(tiny(), log, sol);
  assert.equal(r.status, 'optimal');
  assert.equal(r.objective, 14);
  assert.deepEqual(Array.from(r.x ?? []), [0, 2]);
  assert.equal(r.gap, 0);
});

test('CBC answer: stopped on time without an integer solution is no plan (not the LP relaxation it writes)', () => {
  // As CBC 2.10.8 reported the built-in build-out stopped after 15 s: its solution file then holds
  // the continuous relaxation, which is not a plan.
  const log = 'Result - Stopped on time limit\n\nNo feasible solution found\nLower bound:                    3.000\nEnumerated nodes:               7\n';
  const sol = 'Stopped on time (no integer solution - continuous used) - objective value 3.00000000\n      0 x                      0.5                       3\n      1 y                        1                       2\n';
  const r = readCbcAnswer(tiny(), log, sol);
  assert.equal(r.status, 'time-limit');
  assert.equal(r.x, null);
  assert.equal(r.objective, null);
  assert.equal(r.bound, 13);
  assert.equal(r.gap, null);
});
