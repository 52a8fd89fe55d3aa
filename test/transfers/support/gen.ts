/** Small random transfer instances for oracle and property tests (seeded, so failures replay). */
import { Rng } from '../../../src/engine/sim/rng.js';
import type { TransferNetwork, TransferPath, TransferRequest } from '../../../src/engine/transfers/index.js';

export interface Instance {
  network: TransferNetwork;
  requests: TransferRequest[];
  /** Arrival slot of each request (non-decreasing). */
  arrivals: number[];
}

export interface GenOptions {
  links?: [number, number];
  horizon?: [number, number];
  requests?: [number, number];
  /** Different prices per path (makes the price guarantee bind). */
  prices?: boolean;
  maxRate?: boolean;
  /** Arrivals spread over time instead of all at slot 0. */
  spreadArrivals?: boolean;
  /** Mean volume relative to one link-slot of capacity (load). */
  load?: number;
}

function between(rng: Rng, [lo, hi]: [number, number]): number {
  return lo + rng.nextInt(hi - lo + 1);
}

export function randomInstance(seed: number, o: GenOptions = {}): Instance {
  const rng = new Rng(seed);
  const L = between(rng, o.links ?? [2, 4]);
  const H = between(rng, o.horizon ?? [6, 10]);
  const links = Array.from({ length: L }, (_, e) => ({ id: `l${e}`, freeGbps: Array.from({ length: H }, () => rng.nextInt(11)) }));
  const n = between(rng, o.requests ?? [3, 6]);
  const requests: TransferRequest[] = [];
  const arrivals: number[] = [];
  let now = 0;
  for (let i = 0; i < n; i++) {
    if (o.spreadArrivals && i > 0) now = Math.min(H - 2, now + rng.nextInt(3));
    const earliest = now + rng.nextInt(Math.max(1, Math.min(3, H - now - 1)));
    const deadline = Math.min(H, earliest + 1 + rng.nextInt(H - earliest));
    const K = 1 + rng.nextInt(3);
    const paths: TransferPath[] = [];
    for (let k = 0; k < K; k++) {
      const hops = 1 + rng.nextInt(Math.min(3, L));
      const set = new Set<number>();
      while (set.size < hops) set.add(rng.nextInt(L));
      paths.push({ id: `p${k}`, links: [...set], latencyUs: hops, pricePerGbitMinor: o.prices ? 1 + rng.nextInt(4) : 1 });
    }
    const window = deadline - earliest;
    // Volumes around `load` x window x 5 Gbps (a typical link-slot), with a fractional part so ties are rare.
    const volumeGbit = Math.max(0.5, (o.load ?? 0.6) * window * 5 * (0.3 + 1.4 * rng.nextFloat()));
    const req: TransferRequest = { id: `t${i}`, volumeGbit, earliestSlot: earliest, deadlineSlot: deadline, paths };
    if (o.maxRate && rng.nextInt(2) === 0) req.maxRateGbps = 1 + rng.nextInt(8) + 0.5;
    requests.push(req);
    arrivals.push(now);
  }
  return { network: { slotSeconds: 1, horizonSlots: H, quantumGbps: 1e-6, links }, requests, arrivals };
}
