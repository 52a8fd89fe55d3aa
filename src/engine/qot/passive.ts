/** Fused element: a fixed loss (splice, patch panel, passive site) — GNPy gnpy.core.elements.Fused. */
import type { SpectralInformation } from './spectral-info.js';

/** Loss of a Fused element whose loss is not given, dB (GNPy FusedParams default: 1 dB). */
export const DEFAULT_FUSED_LOSS_DB = 1;

export class Fused {
  readonly kind = 'Fused' as const;
  constructor(
    readonly uid: string,
    readonly lossDb: number,
  ) {}

  propagate(si: SpectralInformation): void {
    si.attenuateDb(this.lossDb);
  }
}

/** Transceiver: the start or end of a path; records what it receives (path.ts computes results). */
export class Transceiver {
  readonly kind = 'Transceiver' as const;
  constructor(readonly uid: string) {}
}
