import highsModule from 'highs';
import type { Highs } from 'highs';
import { highsLpSolver, type HighsLpSolver } from '../../src/engine/transfers/index.js';

// The package's default export is its async loader, but its types.d.ts is read under NodeNext as the module
// namespace (a CommonJS package with an ESM build); cast to the loader signature the package documents.
const loadHighs = highsModule as unknown as () => Promise<Highs>;

/** A fresh HiGHS runtime behind the engine's LpSolver interface. */
export async function benchSolver(): Promise<HighsLpSolver> {
  return highsLpSolver(await loadHighs());
}
