/**
 * RFC 9457 problem details: every error leaves the API as application/problem+json with a stable
 * `code`, whatever raised it (a service, schema validation, Fastify itself, or a bug).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LightpathError, type ErrorCode, type FieldError } from '../domain/errors.js';
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
  'store-locked': 503,
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
  'store-locked': 'Store unavailable',
  internal: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  instance?: string;
}

/** Builds a problem document for a code. */
export function problem(code: ErrorCode, detail: string, errors?: FieldError[], status = STATUS_BY_CODE[code]): Problem {
  return { type: `/problems/${code}`, title: TITLES[code], status, detail, code, ...(errors && errors.length ? { errors } : {}) };
}

/** Sends a problem document. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  return validation.map((v) => {
    let path = v.instancePath ?? '';
    if (v.keyword === 'required' && v.params && typeof v.params.missingProperty === 'string') path += `/${v.params.missingProperty}`;
    if (v.keyword === 'additionalProperties' && v.params && typeof v.params.additionalProperty === 'string') {
      path += `/${v.params.additionalProperty}`;
    }
    const where = context && context !== 'body' ? `${context}: ` : '';
    return { path: path || '/', message: `${where}${v.message ?? 'is invalid'}` };
  });
}

/** Maps anything thrown in a handler to a problem document. */
export function toProblem(err: unknown, request: FastifyRequest): Problem {
  if (err instanceof LightpathError) return problem(err.code, err.detail, err.errors);
  if (err instanceof StoreLockedError) return problem('store-locked', err.message);
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return problem('validation-failed', `invalid ${fe.validationContext ?? 'request'}`, fieldErrors(fe.validation, fe.validationContext));
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: bad JSON, unsupported media type, body too large, ...
    const code: ErrorCode = fe.statusCode === 404 ? 'not-found' : fe.statusCode === 401 ? 'unauthorized' : 'validation-failed';
    return problem(code, fe.message, undefined, fe.statusCode);
  }
  request.log.error({ err }, 'unhandled error');
  return problem('internal', 'an internal error occurred; it has been logged');
}
