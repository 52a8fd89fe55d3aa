/**
 * ULIDs drawn from a pooled cryptographic random source. The ulid package asks its PRNG for one
 * number per character, which by default is one crypto call (a system call) each: 16 per id, a
 * measurable share of an order's CPU. Here the bytes come from a 4 KiB buffer refilled in one call.
 */
import crypto from 'node:crypto';
import { ulid } from 'ulid';

const pool = Buffer.alloc(4096);
let next = pool.length;

function pooledRandom(): number {
  if (next >= pool.length) {
    crypto.randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 256;
}

/** A new ULID (time-ordered, 80 random bits). */
export function newUlid(): string {
  return ulid(undefined, pooledRandom);
}
