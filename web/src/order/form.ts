/**
 * The quote form: what the customer picks, checked with the server's own product rules (shared from
 * src/domain/products.ts, so the portal cannot accept what the API would reject, or the reverse).
 */
import { ETHERNET_MAX_GBPS, ETHERNET_MIN_GBPS, WAVE_RATES_GBPS, bandwidthIssues } from '../../../src/domain/products.js';
import type { CircuitSpec, Product, Protection } from '../api/ordering-types.js';

/** What the form holds; bandwidth and latency as typed, parsed on submit. */
export interface OrderForm {
  product: Product;
  from: string | null;
  to: string | null;
  bandwidthGbps: string;
  protection: Protection;
  /** Optional latency ceiling in milliseconds ('' = none). */
  maxLatencyMs: string;
}

/** Products in the order shown, with a line on what each is. */
export const PRODUCT_CHOICES: readonly { id: Product; label: string; hint: string }[] = [
  { id: 'wave', label: 'Wavelength', hint: 'A dedicated DWDM channel at 100, 400 or 800 Gbps' },
  { id: 'ethernet', label: 'Ethernet', hint: `Packet circuit, ${ETHERNET_MIN_GBPS}–${ETHERNET_MAX_GBPS} Gbps, on shared trunk waves` },
  { id: 'cloud-connect', label: 'Cloud connect', hint: 'Ethernet to a cloud on-ramp' },
  { id: 'dark-fiber', label: 'Dark fiber', hint: 'A strand pair end to end; you light it' },
];

export const PROTECTION_CHOICES: readonly { id: Protection; label: string; hint: string }[] = [
  { id: 'unprotected', label: 'Unprotected', hint: 'One path' },
  { id: 'protected-1+1', label: '1+1 protected', hint: 'Two SRLG-disjoint paths, instant switch' },
  { id: 'restorable', label: 'Restorable', hint: 'One path, rerouted after a cut' },
];

/** Rates offered in the bandwidth picker for a product (free entry is allowed for packet products). */
export function bandwidthChoices(product: Product): number[] {
  if (product === 'dark-fiber') return [];
  if (product === 'wave') return [...WAVE_RATES_GBPS];
  return [1, 10, 100, 400].filter((g) => g >= ETHERNET_MIN_GBPS && g <= ETHERNET_MAX_GBPS);
}

/** A sensible bandwidth when switching to a product: keep the current one if it still fits. */
export function bandwidthFor(product: Product, current: string): string {
  if (product === 'dark-fiber') return '';
  const n = Number(current);
  if (current.trim() !== '' && bandwidthIssues(product, n).length === 0) return current;
  return String(product === 'wave' ? WAVE_RATES_GBPS[0] : 10);
}

/** The spec for the API, or the problems to show next to the form. */
export function specOfForm(f: OrderForm): { spec: CircuitSpec } | { errors: string[] } {
  const errors: string[] = [];
  if (f.from === null) errors.push('Choose the A end.');
  if (f.to === null) errors.push('Choose the Z end.');
  if (f.from !== null && f.from === f.to) errors.push('A and Z must be different sites.');
  const bw = f.product === 'dark-fiber' ? 0 : f.bandwidthGbps.trim() === '' ? NaN : Number(f.bandwidthGbps);
  for (const issue of bandwidthIssues(f.product, bw)) errors.push(`Bandwidth ${issue.message}.`);
  let maxLatencyUs: number | null = null;
  if (f.maxLatencyMs.trim() !== '') {
    const ms = Number(f.maxLatencyMs);
    if (!Number.isFinite(ms) || ms <= 0 || ms > 1000) errors.push('Maximum latency must be a number of milliseconds above 0 and at most 1000.');
    else maxLatencyUs = ms * 1000;
  }
  if (errors.length > 0 || f.from === null || f.to === null) return { errors };
  return { spec: { product: f.product, aSite: f.from, zSite: f.to, bandwidthGbps: bw, protection: f.protection, maxLatencyUs } };
}
