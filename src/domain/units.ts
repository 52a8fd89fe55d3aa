/**
 * How physical quantities are shown: rounded once, at the edge (API responses, event payloads over SSE
 * and webhooks, exports, the CLI), to a precision set by the unit its field name ends with
 * (CONVENTIONS: units in names). Everything inside keeps full precision; only what leaves is rounded,
 * so the same quantity reads the same wherever it appears (a quote's latency bound and /v1/paths').
 *
 * Gbps and money are not listed: they are exact integers already, and stay as they are.
 */

/**
 * Decimal places by field-name suffix. The suffix is matched case-sensitively on the camelCase
 * boundary (`latencyUs`, `lengthKm`, `lossDb`), so `status` or `bonus` never match `Us`.
 */
export const UNIT_DECIMALS: Readonly<Record<string, number>> = {
  /** microseconds: 0.1 µs is 20 m of fiber, below any route's accuracy */
  Us: 1,
  /** milliseconds (timings) */
  Ms: 1,
  /** kilometres: 100 m */
  Km: 1,
  /** decibels and dBm: 0.01 dB, the resolution of power meters and OSNR reports */
  Db: 2,
  Dbm: 2,
  /** gigahertz: flexible-grid centres sit on a 6.25 GHz grid, so three places are exact */
  Ghz: 3,
};

const SUFFIXES = Object.keys(UNIT_DECIMALS).sort((a, b) => b.length - a.length);

/** Decimal places allowed for a field, or undefined when its name carries no rounded unit. */
export function decimalsFor(key: string): number | undefined {
  for (const s of SUFFIXES) {
    // `Us` must follow a lower-case letter or digit: the start of a camelCase word, not part of one.
    if (key.length > s.length && key.endsWith(s) && /[a-z0-9]/.test(key[key.length - s.length - 1])) return UNIT_DECIMALS[s];
  }
  return undefined;
}

/** x rounded half away from zero to the given decimals; -0 becomes 0. */
export function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  const r = (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
  return r === 0 ? 0 : r;
}

/**
 * A copy of a JSON value with every number under a unit-suffixed key (or in an array under one)
 * rounded to its unit's precision. Other values are copied as they are; the input is not changed.
 */
export function roundByUnit<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(v: unknown, decimals: number | undefined): unknown {
  if (typeof v === 'number') return decimals === undefined ? v : roundTo(v, decimals);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => walk(x, decimals));
  // Dates, buffers and the like serialise themselves; leave them alone.
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = walk(x, decimalsFor(k));
  return out;
}

/**
 * Every number in a JSON value that has more decimals than its field's unit allows, as
 * `path: value` strings (empty when the value reads cleanly). Tests walk API answers with it.
 */
export function unitPrecisionViolations(value: unknown, path = ''): string[] {
  const out: string[] = [];
  const visit = (v: unknown, p: string, decimals: number | undefined): void => {
    if (typeof v === 'number') {
      if (decimals !== undefined && Number.isFinite(v) && roundTo(v, decimals) !== v) out.push(`${p}: ${v}`);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${p}/${i}`, decimals));
      return;
    }
    for (const [k, x] of Object.entries(v)) visit(x, `${p}/${k}`, decimalsFor(k));
  };
  visit(value, path, undefined);
  return out;
}
