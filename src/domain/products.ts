/**
 * What customers can buy: products, protection schemes and the request that describes one circuit.
 * Pure rules, no I/O: validation here turns hostile input into field errors before anything is read.
 */
import type { FieldError } from './errors.js';

export const PRODUCTS = ['dark-fiber', 'wave', 'ethernet', 'cloud-connect'] as const;
export type Product = (typeof PRODUCTS)[number];

export const PROTECTIONS = ['unprotected', 'protected-1+1', 'restorable'] as const;
export type Protection = (typeof PROTECTIONS)[number];

/**
 * What the two legs of a 1+1 circuit may not share: node-srlg (default) = no span, SRLG or site but
 * the two ends; srlg = no span or SRLG; node = no span or intermediate site; link = no span.
 */
export const PAIR_DISJOINTNESS = ['node-srlg', 'srlg', 'node', 'link'] as const;
export type PairDisjointnessName = (typeof PAIR_DISJOINTNESS)[number];
export const DEFAULT_PAIR_DISJOINTNESS: PairDisjointnessName = 'node-srlg';

/** DWDM wavelength line rates on sale. */
export const WAVE_RATES_GBPS = [100, 400, 800] as const;

/** Ethernet circuits: 1..400 Gbps in whole Gbps (one trunk wave carries at most 400G). */
export const ETHERNET_MIN_GBPS = 1;
export const ETHERNET_MAX_GBPS = 400;

/** Line rate of the waves lit as packet trunks for ethernet grooming. */
export const TRUNK_RATE_GBPS = 400;

/** Upper bound accepted for maxLatencyUs (one second is far beyond any terrestrial path). */
export const MAX_LATENCY_BOUND_US = 1_000_000;

/** One circuit as a customer describes it (a quote request or an inline order). */
export interface CircuitSpec {
  product: Product;
  aSite: string;
  zSite: string;
  /** Wave: line rate; ethernet/cloud-connect: committed rate; dark fiber: 0 (a strand pair has no rate). */
  bandwidthGbps: number;
  protection: Protection;
  maxLatencyUs: number | null;
  /**
   * 1+1 only: what the legs may not share, a promise. Absent: node-and-SRLG-disjoint pairs are offered
   * first and, after them, SRLG-disjoint pairs sharing a site (each option states what its legs share).
   */
  disjointness?: PairDisjointnessName;
}

/** What an order does to its service. */
export const ORDER_ACTIONS = ['add', 'modify', 'delete'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

// Order and service states, and their lifecycles in time, are in calendar.ts.

const SITE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field errors for a bandwidth that does not suit the product. */
export function bandwidthIssues(product: Product, bandwidthGbps: unknown, path = '/bandwidthGbps'): FieldError[] {
  if (product === 'dark-fiber') {
    if (bandwidthGbps === undefined || bandwidthGbps === 0) return [];
    return [{ path, message: 'dark fiber has no rate: omit bandwidthGbps or send 0' }];
  }
  if (typeof bandwidthGbps !== 'number' || !Number.isInteger(bandwidthGbps)) return [{ path, message: 'must be an integer number of Gbps' }];
  if (product === 'wave') {
    return (WAVE_RATES_GBPS as readonly number[]).includes(bandwidthGbps) ? [] : [{ path, message: `must be one of ${WAVE_RATES_GBPS.join(', ')} for a wave` }];
  }
  if (bandwidthGbps < ETHERNET_MIN_GBPS || bandwidthGbps > ETHERNET_MAX_GBPS) {
    return [{ path, message: `must be between ${ETHERNET_MIN_GBPS} and ${ETHERNET_MAX_GBPS} Gbps` }];
  }
  return [];
}

/**
 * Parses an untrusted circuit description. Returns the spec, or the list of everything wrong with it
 * (unknown fields included, so a typo is not silently ignored).
 */
export function parseCircuitSpec(input: unknown): { spec: CircuitSpec } | { errors: FieldError[] } {
  if (!isObject(input)) return { errors: [{ path: '', message: 'must be an object' }] };
  const errors: FieldError[] = [];
  const allowed = new Set(['product', 'aSite', 'zSite', 'bandwidthGbps', 'protection', 'maxLatencyUs', 'disjointness']);
  for (const k of Object.keys(input)) if (!allowed.has(k)) errors.push({ path: `/${k}`, message: `unknown field; allowed: ${[...allowed].join(', ')}` });
  const product = input.product;
  if (typeof product !== 'string' || !(PRODUCTS as readonly string[]).includes(product)) {
    errors.push({ path: '/product', message: `must be one of ${PRODUCTS.join(', ')}` });
  }
  for (const key of ['aSite', 'zSite'] as const) {
    const v = input[key];
    if (typeof v !== 'string' || !SITE_ID.test(v)) errors.push({ path: `/${key}`, message: 'must be a site id' });
  }
  if (typeof input.aSite === 'string' && input.aSite === input.zSite) errors.push({ path: '/zSite', message: 'must differ from aSite' });
  const protection = input.protection ?? 'unprotected';
  if (typeof protection !== 'string' || !(PROTECTIONS as readonly string[]).includes(protection)) {
    errors.push({ path: '/protection', message: `must be one of ${PROTECTIONS.join(', ')}` });
  }
  const maxLatencyUs = input.maxLatencyUs ?? null;
  if (maxLatencyUs !== null && (typeof maxLatencyUs !== 'number' || !Number.isFinite(maxLatencyUs) || maxLatencyUs <= 0 || maxLatencyUs > MAX_LATENCY_BOUND_US)) {
    errors.push({ path: '/maxLatencyUs', message: `must be a number in (0, ${MAX_LATENCY_BOUND_US}]` });
  }
  if (typeof product === 'string' && (PRODUCTS as readonly string[]).includes(product)) {
    errors.push(...bandwidthIssues(product as Product, input.bandwidthGbps));
  }
  const disjointness = input.disjointness;
  if (disjointness !== undefined) {
    if (typeof disjointness !== 'string' || !(PAIR_DISJOINTNESS as readonly string[]).includes(disjointness)) errors.push({ path: '/disjointness', message: `must be one of ${PAIR_DISJOINTNESS.join(', ')}` });
    else if (protection !== 'protected-1+1') errors.push({ path: '/disjointness', message: 'only for protection protected-1+1' });
  }
  if (errors.length > 0) return { errors };
  return {
    spec: {
      product: product as Product,
      aSite: input.aSite as string,
      zSite: input.zSite as string,
      bandwidthGbps: product === 'dark-fiber' ? 0 : (input.bandwidthGbps as number),
      protection: protection as Protection,
      maxLatencyUs: maxLatencyUs as number | null,
      // Absent: node-and-SRLG-disjoint pairs first, SRLG-disjoint ones after them (the quote says what each pair shares).
      ...(disjointness !== undefined ? { disjointness: disjointness as PairDisjointnessName } : {}),
    },
  };
}

/** True for products carried as packet circuits on trunks (groomed onto shared waves). */
export function isPacketProduct(p: Product): boolean {
  return p === 'ethernet' || p === 'cloud-connect';
}
