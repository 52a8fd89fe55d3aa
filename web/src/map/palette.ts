/**
 * Colours and shapes the map, the legend and the tests agree on. Site kinds differ by shape as well
 * as colour so the map still reads for colour-blind users and in greyscale print.
 */
import type { SiteProperties } from '../api/types.js';

export type SiteKind = SiteProperties['kind'];

/** Spans with no utilisation data. */
export const SPAN_COLOUR = '#2f6fb5';
/** Failed spans (dashed). */
export const FAILED_COLOUR = '#d62828';

/** Utilisation colour stops (share 0..1 -> colour), green through amber to red. */
export const UTILISATION_STOPS: readonly [number, string][] = [
  [0, '#1a9850'],
  [0.5, '#a6d96a'],
  [0.7, '#fdae61'],
  [0.9, '#d73027'],
];

/** Colours of ranked paths 1..n (cycled), chosen apart from the span and utilisation colours. */
export const PATH_COLOURS: readonly string[] = ['#c026d3', '#0e9aa7', '#f97316', '#6d28d9', '#4d7c0f'];

/** Working and protection path of a diverse pair. */
export const DIVERSE_COLOURS: readonly [string, string] = ['#c026d3', '#0e9aa7'];

export type SiteShape = 'circle' | 'square' | 'diamond' | 'triangle';

/** How each site kind is drawn and named in the legend. */
export const SITE_STYLE: Record<SiteKind, { label: string; colour: string; shape: SiteShape; sizePx: number }> = {
  pop: { label: 'POP', colour: '#1e3a5f', shape: 'circle', sizePx: 11 },
  datacenter: { label: 'Data center', colour: '#0f766e', shape: 'square', sizePx: 10 },
  'cloud-onramp': { label: 'Cloud on-ramp', colour: '#b45309', shape: 'diamond', sizePx: 13 },
  amplifier: { label: 'Amplifier', colour: '#6b7280', shape: 'triangle', sizePx: 9 },
};

/** Colour of the path with 1-based rank. */
export function pathColour(rank: number): string {
  return PATH_COLOURS[(rank - 1) % PATH_COLOURS.length];
}

/** A latency catchment: sites and spans within reach of a site (latency explorer, "within X ms"). */
export const REACH_COLOUR = '#0d9488';

/** In-line amplifiers along spans (filled when the inventory gives them, hollow when placed by rule). */
export const AMPLIFIER_COLOUR = '#a16207';
