/**
 * fast-check arbitraries from the JSON Schemas the API publishes in /openapi.json (the subset TypeBox
 * writes: objects, arrays and tuples, strings with patterns, formats and lengths, numbers with bounds,
 * booleans, null, const, enum, anyOf), plus hostile mutations of any value. The fuzz test uses them to
 * derive requests from the document itself, so a new route is fuzzed without anyone listing it.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;

const odd = ['', ' ', '\u202e', 'ß', '日本', '😀', '\ud800', 'a'.repeat(5000), '../../etc/passwd', '<script>', "'; DROP TABLE sites; --", '%00', '\u0000', 'null', '-1', '1e309'];

/** A value that satisfies the schema (mostly: patterns and formats are honoured, not every combination). */
export function fromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 6) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.anyOf)) return fc.oneof(...(s.anyOf as Schema[]).map((x) => fromSchema(x, depth + 1)));
  if (Array.isArray(s.oneOf)) return fc.oneof(...(s.oneOf as Schema[]).map((x) => fromSchema(x, depth + 1)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = typeof s.minimum === 'number' ? s.minimum : -1_000_000;
      const max = typeof s.maximum === 'number' ? s.maximum : 1_000_000;
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1e-6 : -1e6;
      const max = typeof s.maximum === 'number' ? s.maximum : 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'string': {
      if (typeof s.pattern === 'string') {
        const maxLength = typeof s.maxLength === 'number' ? s.maxLength : 200;
        return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= maxLength && x.length >= ((s.minLength as number | undefined) ?? 0));
      }
      if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
      return fc.string({ minLength: (s.minLength as number | undefined) ?? 0, maxLength: Math.min((s.maxLength as number | undefined) ?? 40, 40) });
    }
    case 'array': {
      if (Array.isArray(s.prefixItems)) return fc.tuple(...(s.prefixItems as Schema[]).map((x) => fromSchema(x, depth + 1)));
      if (Array.isArray(s.items)) return fc.tuple(...(s.items as Schema[]).map((x) => fromSchema(x, depth + 1)));
      return fc.array(fromSchema(s.items as Schema, depth + 1), { minLength: (s.minItems as number | undefined) ?? 0, maxLength: Math.min((s.maxItems as number | undefined) ?? 4, 4) });
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set((s.required ?? []) as string[]);
      const req: Record<string, fc.Arbitrary<unknown>> = {};
      const opt: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) (required.has(k) ? req : opt)[k] = fromSchema(v, depth + 1);
      return fc.tuple(fc.record(req), fc.record(opt, { requiredKeys: [] })).map(([a, b]) => ({ ...b, ...a }));
    }
    default:
      return fc.oneof(fc.constant(null), fc.string({ maxLength: 10 }), fc.integer());
  }
}

/** Something nested `n` levels deep. */
function nested(n: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** A hostile replacement for any value: wrong types, huge and negative numbers, odd strings, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -1e308, 1e308, 2 ** 53 + 1, Number.MIN_VALUE, [], {}, [[]], { '': '' }),
  fc.constantFrom(...odd),
  fc.integer({ min: 30, max: 200 }).map(nested),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A mutation of a valid value: one field replaced, dropped or added, or the whole value replaced. */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    return fc.oneof(
      hostileValue,
      keys.length > 0 ? fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...value, [k]: v })) : hostileValue,
      keys.length > 0 ? fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(value).filter(([x]) => x !== k))) : hostileValue,
      fc.tuple(fc.string({ maxLength: 12 }), hostileValue).map(([k, v]) => ({ ...value, [k]: v })),
    );
  }
  return hostileValue;
}
