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
  'store-unavailable': 'The database does not answer (or, from /readyz, this replica is shutting down); retry after `Retry-After` seconds. For an order, `orderId` says what to look up.',
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
  schemaPath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
  schema?: unknown;
  parentSchema?: unknown;
}

/** JSON-pointer path of an ajv error, naming the missing or extra property where there is one. */
function errorPath(v: AjvError): string {
  let path = v.instancePath ?? '';
  if (v.keyword === 'required' && v.params && typeof v.params.missingProperty === 'string') path += `/${v.params.missingProperty}`;
  if (v.keyword === 'additionalProperties' && v.params && typeof v.params.additionalProperty === 'string') path += `/${v.params.additionalProperty}`;
  return path || '/';
}

const ARTICLE: Record<string, string> = { number: 'a number', integer: 'an integer', string: 'a string', object: 'an object', array: 'an array', boolean: 'true or false', null: 'null' };

function typeWords(t: unknown): string[] {
  return (Array.isArray(t) ? t : [t]).map((x) => ARTICLE[String(x)] ?? String(x));
}

function valueText(x: unknown): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** "a, b or c". */
function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/** One error in words a person can act on (ajv's own words where they are already plain). */
function say(e: AjvError): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties': {
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
      const allowed = props ? Object.keys(props) : [];
      return allowed.length > 0 ? `unknown field; allowed: ${allowed.join(', ')}` : 'unknown field';
    }
    case 'type':
      return `must be ${orList(typeWords(e.params?.type))}`;
    case 'const':
      return `must be ${valueText(e.params?.allowedValue)}`;
    case 'enum':
      return `must be one of ${((e.params?.allowedValues as unknown[]) ?? []).map(valueText).join(', ')}`;
    case 'minProperties':
      return e.params?.limit === 1 ? 'must not be empty' : (e.message ?? 'is invalid');
    default:
      return e.message ?? 'is invalid';
  }
}

/**
 * Resolves each union (`anyOf`/`oneOf`, TypeBox's enums and nullable fields) to the errors that matter:
 * when the value has the shape of one branch (an object where the branch wants an object), that
 * branch's own errors; otherwise a single error listing what the value may be, e.g. "must be one of
 * all-single-spans, all-single-srlgs or an array" or "must be a number or null". Deepest unions first.
 */
function resolveUnions(validation: readonly AjvError[]): AjvError[] {
  let errs = [...validation];
  const unions = errs.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => (b.schemaPath ?? '').length - (a.schemaPath ?? '').length);
  for (const u of unions) {
    if (!errs.includes(u)) continue;
    const prefix = `${u.schemaPath ?? ''}/`;
    const members = errs.filter((e) => e !== u && (e.schemaPath ?? '').startsWith(prefix));
    const branches = new Map<string, AjvError[]>();
    for (const e of members) {
      const b = (e.schemaPath ?? '').slice(prefix.length).split('/')[0];
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const here = (e: AjvError) => (e.instancePath ?? '') === (u.instancePath ?? '');
    const shapeMiss = (e: AjvError) => here(e) && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum');
    const shaped = [...branches.values()].filter((b) => !b.some(shapeMiss));
    let replacement: AjvError[];
    if (shaped.length > 0) {
      // The branch with the fewest complaints is the one the sender most likely meant.
      replacement = shaped.sort((a, b) => a.length - b.length)[0];
    } else {
      const values = members.filter((e) => here(e) && e.keyword === 'const').map((e) => valueText(e.params?.allowedValue));
      values.push(...members.filter((e) => here(e) && e.keyword === 'enum').flatMap((e) => ((e.params?.allowedValues as unknown[]) ?? []).map(valueText)));
      const types = [...new Set(members.filter((e) => here(e) && e.keyword === 'type').flatMap((e) => typeWords(e.params?.type)))];
      const message =
        values.length > 0 && types.length > 0
          ? `must be one of ${values.join(', ')}, or ${orList(types)}`
          : values.length > 0
            ? `must be one of ${values.join(', ')}`
            : types.length > 0
              ? `must be ${orList(types)}`
              : (members[0] ? say(members[0]) : 'is invalid');
      replacement = [{ instancePath: u.instancePath, schemaPath: u.schemaPath, keyword: 'union', message }];
    }
    errs = errs.filter((e) => e !== u && !members.includes(e));
    errs.push(...replacement);
  }
  return errs;
}

/**
 * One message per field, in words a person can act on: unions resolved (an enum fails as one "must
 * be one of ..." with the allowed values, not one `const` error per member plus an `anyOf`), unknown
 * fields named with the allowed ones, and the schema validator's internals left out.
 */
export function fieldErrors(validation: AjvError[]): FieldError[] {
  const byPath = new Map<string, string[]>();
  for (const e of resolveUnions(validation)) {
    const p = errorPath(e);
    const m = e.keyword === 'union' ? (e.message ?? 'is invalid') : say(e);
    const list = byPath.get(p) ?? [];
    if (!list.includes(m)) list.push(m);
    byPath.set(p, list);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }));
}

/** A field path as people write it: `/lineSystem/slotCount` → `lineSystem.slotCount`, `/cables/0` → `cables[0]`. */
export function fieldName(path: string): string {
  const parts = path.split('/').filter((x) => x !== '');
  if (parts.length === 0) return '(the whole value)';
  return parts.map((x, i) => (/^\d+$/.test(x) ? `[${x}]` : i === 0 ? x : `.${x}`)).join('');
}

/** A problem's one-line detail from its field errors: "invalid body: product: must be one of ...". */
export function fieldDetail(what: string, errors: readonly FieldError[]): string {
  return `invalid ${what}: ${errors.map((e) => `${fieldName(e.path)}: ${e.message}`).join('; ')}`;
}

const CONTEXT_WORDS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path parameters', headers: 'headers' };

/**
 * The detail of a service's error: field errors are spelled out in it (`invalid quote request:
 * product: must be one of ...`) so the one line a client or the CLI shows says what to fix; import
 * errors (file:line) keep their own detail.
 */
function detailOf(err: LightpathError): string {
  const errors = err.errors ?? [];
  if (errors.length === 0 || errors.some((e) => e.file !== undefined)) return err.detail;
  const listed = errors.map((e) => `${fieldName(e.path)}: ${e.message}`).join('; ');
  return err.detail.includes(errors[0].message) ? err.detail : `${err.detail}: ${listed}`;
}

/** Maps anything thrown in a handler to a problem document. */
export function toProblem(err: unknown, request: FastifyRequest): Problem {
  if (err instanceof LightpathError) {
    const retry = retryAfterSeconds(err);
    return problem(err.code, detailOf(err), err.errors, undefined, { ...(err.extra ?? {}), ...(retry ? { retryAfterSeconds: retry } : {}) });
  }
  if (err instanceof StoreLockedError) return problem('store-locked', err.message);
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    const errors = fieldErrors(fe.validation);
    return problem('validation-failed', fieldDetail(CONTEXT_WORDS[fe.validationContext ?? ''] ?? 'request', errors), errors);
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
