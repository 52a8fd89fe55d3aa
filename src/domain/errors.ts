/**
 * The stable error codes every interface shares (HTTP problem+json `code`, CLI `lightpath: <code>:`),
 * and the one error type services throw for an expected failure.
 */

export const ERROR_CODES = [
  'validation-failed',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'idempotency-conflict',
  'in-use',
  'capacity-exhausted',
  'deadline-infeasible',
  'payload-too-large',
  'unsupported-media-type',
  'rate-limited',
  'busy',
  'store-locked',
  'store-unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level problem, e.g. { path: "/lengthKm", message: "must be > 0" }. */
export interface FieldError {
  path: string;
  message: string;
  /** For file imports: the file and 1-based line the problem is on. */
  file?: string;
  line?: number;
}

/** An expected failure with a stable code; anything else reaching an edge is a bug ('internal'). */
export class LightpathError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Extra members of the problem document (e.g. `retryAfterSeconds`, `services`, `orderId`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
    this.name = 'LightpathError';
  }
}

/** Seconds a client should wait before retrying, for errors that say so (busy, rate-limited, store-unavailable). */
export function retryAfterSeconds(err: LightpathError): number | undefined {
  const v = err.extra?.retryAfterSeconds;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/** Shorthand for a not-found error naming the kind and id. */
export function notFound(kind: string, id: string): LightpathError {
  return new LightpathError('not-found', `${kind} ${JSON.stringify(id)} does not exist`);
}

/** Shorthand for a validation error with field problems. */
export function validationFailed(detail: string, errors: FieldError[]): LightpathError {
  return new LightpathError('validation-failed', detail, errors);
}
