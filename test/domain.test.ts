import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greatCircleKm, spanLatencyUs, FIBER_LATENCY_US_PER_KM } from '../src/domain/network.js';

test('great-circle distance Chicago–New York is about 1,145 km', () => {
  // Independent figure: published O'Hare–JFK distance is 1,190 km; downtown to downtown ≈ 1,145 km.
  const km = greatCircleKm(41.8781, -87.6298, 40.7128, -74.006);
  assert.ok(Math.abs(km - 1145) < 10, `got ${km}`);
});

test('latency derives from length at 4.9 µs/km unless measured', () => {
  assert.equal(spanLatencyUs({ lengthKm: 100, measuredLatencyUs: null }), 100 * FIBER_LATENCY_US_PER_KM);
  assert.equal(spanLatencyUs({ lengthKm: 100, measuredLatencyUs: 777 }), 777);
});
