/**
 * RFC 9457 problem details: every error leaves the API as application/problem+json with a stable
 * `code`, whatever raised it (a service, schema validation, Fastify itself, the database, or a bug).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LightpathError, retryAfterSeconds, type ErrorCode, type FieldError } from '../domain/errors.js';
import { sqlState } from '../store/db.js';
import { inUseDetail, isConnectionError } from '../store/errors.js';
import { StoreLockedError } from '../store/lock.js';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  'validation-failed': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'idempotency-conflict': 409,
  'in-use': 409,
  'capacity-exhausted': 409,
  'deadline-infeasible': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  busy: 503,
  'store-locked': 503,
  'store-unavailable': 503,
  internal: 500,
};

const TITLES: Record<ErrorCode, string> = {
  'validation-failed': 'The request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed for this role',
  'not-found': 'Not found',
  conflict: 'Conflict with the current state',
  'idempotency-conflict': 'Idempotency key reused with a different request',
  'in-use': 'In use',
  'capacity-exhausted': 'No capacity left',
  'deadline-infeasible': 'Not admissible by this deadline',
  'payload-too-large': 'Request body too large',
  'unsupported-media-type': 'Unsupported content type',
  'rate-limited': 'Too many requests',
  busy: 'Busy: try again',
  'store-locked': 'Store unavailable',
  'store-unavailable': 'Store unavailable',
  internal: 'Internal error',
};

/** What each code means, for the OpenAPI document (every code the API can answer with). */
export const CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  'validation-failed': 'The request breaks the schema or a rule; `errors` lists each field (for enums, the allowed values).',
  unauthorized: 'No API key, or one that is unknown or revoked.',
  forbidden: 'The key is valid but its role may not do this (e.g. a customer key on an operator route).',
  'not-found': 'No such object, or it belongs to another tenant.',
  conflict: 'The object is not in a state that allows this (e.g. cancelling a completed order).',
  'idempotency-conflict': 'The Idempotency-Key was used before with a different request body.',
  'in-use': 'A live service (now or in a future window) uses what the change would remove or shrink; `services` names them.',
  'capacity-exhausted': 'The planner proved that no capacity meets the request now.',
  'deadline-infeasible': 'A bulk transfer cannot be scheduled by its deadline on the capacity free (every admitted transfer kept on time); `earliestFeasibleDeadline` and `mostVolumeTB` say what would fit.',
  'payload-too-large': 'The body exceeds the size limit of the route.',
  'unsupported-media-type': 'The Content-Type is not one the route accepts.',
  'rate-limited': 'This key (or address) sent too many requests; wait `Retry-After` seconds.',
  busy: 'Contention outlasted the retries (the request did nothing); retry after `Retry-After` seconds.',
  'store-locked': 'Another process holds the embedded data directory.',
  'store-unavailable': 'The database does not answer; retry after `Retry-After` seconds. For an order, `orderId` says what to look up.',
  internal: 'A bug: it has been logged.',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  instance?: string;
  [extra: string]: unknown;
}

/** Builds a problem document for a code. */
export function problem(code: ErrorCode, detail: string, errors?: FieldError[], status = STATUS_BY_CODE[code], extra?: Record<string, unknown>): Problem {
  return { type: `/problems/${code}`, title: TITLES[code], status, detail, code, ...(errors && errors.length ? { errors } : {}), ...(extra ?? {}) };
}

/** Sends a problem document (with Retry-After when it carries one). */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (typeof p.retryAfterSeconds === 'number') reply.header('retry-after', String(Math.ceil(p.retryAfterSeconds)));
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
  schema?: unknown;
}

/** JSON-pointer path of an ajv error, naming the missing or extra property where there is one. */
function errorPath(v: AjvError): string {
  let path = v.instancePath ?? '';
  if (v.keyword === 'required' && v.params && typeof v.params.missingProperty === 'string') path += `/${v.params.missingProperty}`;
  if (v.keyword === 'additionalProperties' && v.params && typeof v.params.additionalProperty === 'string') path += `/${v.params.additionalProperty}`;
  return path || '/';
}

/**
 * One message per field, in words a person can act on. A union of literals (an enum in TypeBox)
 * fails as one `const` error per member plus an `anyOf`; those become one "must be one of ..." with
 * the allowed values.
 */
export function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const where = context && context !== 'body' ? `${context}: ` : '';
  const byPath = new Map<string, AjvError[]>();
  for (const v of validation) {
    const p = errorPath(v);
    byPath.set(p, [...(byPath.get(p) ?? []), v]);
  }
  const out: FieldError[] = [];
  for (const [path, errs] of byPath) {
    const consts = errs.filter((e) => e.keyword === 'const');
    const anyOf = errs.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    const enumErr = errs.find((e) => e.keyword === 'enum');
    if (consts.length > 0 && anyOf) {
      const allowed = consts.map((e) => e.params?.allowedValue).filter((x) => x !== undefined);
      out.push({ path, message: `${where}must be one of ${allowed.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}` });
      continue;
    }
    if (enumErr && Array.isArray(enumErr.params?.allowedValues)) {
      out.push({ path, message: `${where}must be one of ${(enumErr.params.allowedValues as unknown[]).map(String).join(', ')}` });
      continue;
    }
    // anyOf of other shapes (e.g. a number or null): its members' messages say more than "must match a schema in anyOf".
    const specific = errs.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
    const first = specific[0] ?? errs[0];
    const messages = [...new Set(specific.map((e) => e.message ?? 'is invalid'))];
    out.push({ path, message: `${where}${messages.length > 0 ? messages.join(' or ') : (first.message ?? 'is invalid')}` });
  }
  return out;
}

/** Maps anything thrown in a handler to a problem document. */
export function toProblem(err: unknown, request: FastifyRequest): Problem {
  if (err instanceof LightpathError) {
    const retry = retryAfterSeconds(err);
    return problem(err.code, err.detail, err.errors, undefined, { ...(err.extra ?? {}), ...(retry ? { retryAfterSeconds: retry } : {}) });
  }
  if (err instanceof StoreLockedError) return problem('store-locked', err.message);
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return problem('validation-failed', `invalid ${fe.validationContext ?? 'request'}`, fieldErrors(fe.validation, fe.validationContext));
  }
  if (isConnectionError(err)) {
    request.log.warn({ err }, 'store unavailable');
    return problem('store-unavailable', 'the database does not answer; try again shortly', undefined, undefined, { retryAfterSeconds: 2 });
  }
  const inUse = inUseDetail(err);
  if (inUse) return problem('in-use', inUse.message, undefined, undefined, { services: inUse.services, trunks: inUse.trunks });
  const state = sqlState(err);
  if (state && state.startsWith('22')) {
    // A value the schemas let through but PostgreSQL cannot store (data exception): the request's fault.
    return problem('validation-failed', `a value in the request cannot be stored: ${(err as Error).message}`);
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: bad JSON, unsupported media type, body too large, ...
    const code: ErrorCode =
      fe.statusCode === 404
        ? 'not-found'
        : fe.statusCode === 401
          ? 'unauthorized'
          : fe.statusCode === 413
            ? 'payload-too-large'
            : fe.statusCode === 415
              ? 'unsupported-media-type'
              : fe.statusCode === 429
                ? 'rate-limited'
                : 'validation-failed';
    return problem(code, fe.message, undefined, code === 'validation-failed' ? 400 : fe.statusCode);
  }
  request.log.error({ err }, 'unhandled error');
  return problem('internal', 'an internal error occurred; it has been logged');
}
