/**
 * How the CLI writes quantities in tables: the API's values (already rounded by unit) with a fixed
 * number of decimals, so a column lines up and reads the same as the JSON (`--json`).
 */

/** Microseconds, to 0.1 µs. */
export function us(x: number): string {
  return x.toFixed(1);
}

/** Kilometres, to 0.1 km. */
export function km(x: number): string {
  return x.toFixed(1);
}

/** Integer minor units of USD as dollars. */
export function usd(minor: number): string {
  return `$${(minor / 100).toFixed(2)}`;
}

/**
 * The two ends of a circuit. Site ids contain hyphens (`ash-dc1`), so `ash-dc1-elk-dc1` would be
 * ambiguous: the ends are joined by spaces and an arrow, which no id contains (ids are [A-Za-z0-9._:-]).
 */
export function ends(a: string, z: string): string {
  return `${a} ↔ ${z}`;
}
