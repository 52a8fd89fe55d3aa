/** What the map draws on top of the network: free of MapLibre and the DOM, so pure view logic can build it. */

/** One path to draw: its spans, colour, and whether it is the one the user picked. */
export interface PathOverlay {
  key: string;
  spanIds: readonly string[];
  colour: string;
  emphasised: boolean;
  /** Lines drawn besides the spans' own (e.g. a planned route that is no span yet). */
  lines?: readonly { type: 'LineString'; coordinates: [number, number][] }[];
  /** Drawn dashed (proposed, not built). */
  dashed?: boolean;
}
