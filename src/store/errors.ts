/**
 * How a failed statement failed, as far as the caller's next step is concerned: a SQL error (the
 * statement did nothing), a lost connection (the database may be gone; an autocommit write may or may
 * not have committed), or a lost COMMIT (the transaction may or may not have committed). An unknown
 * outcome is resolved by reading what the write would have left (e.g. its order id), never guessed.
 */
import { sqlState } from './db.js';

/** SQLSTATEs meaning the connection or the server went away, not that the statement was wrong. */
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004', '08007', '08P01']);

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
  'the database system is',
  'terminating connection',
];

/** True when err says the database could not be reached or the connection broke. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof OutcomeUnknownError) return true;
  const state = sqlState(err);
  if (state && CONNECTION_STATES.has(state)) return true;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.some((m) => (e.message as string).includes(m))) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionError(e.cause);
}

/** The connection broke while COMMIT was on its way: the transaction may or may not have committed. */
export class OutcomeUnknownError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the outcome of a write is unknown: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'OutcomeUnknownError';
  }
}

/** What the inventory guard (SQLSTATE LP409) reported: its message and the services and trunks concerned. */
export function inUseDetail(err: unknown): { message: string; services: string[]; trunks: string[] } | null {
  if (sqlState(err) !== 'LP409') return null;
  const e = err as { message?: string; detail?: string };
  let services: string[] = [];
  let trunks: string[] = [];
  try {
    const d = JSON.parse(e.detail ?? '{}') as { services?: unknown; trunks?: unknown };
    if (Array.isArray(d.services)) services = d.services.map(String);
    if (Array.isArray(d.trunks)) trunks = d.trunks.map(String);
  } catch {
    // a detail that is not JSON: the message still says what happened
  }
  return { message: e.message ?? 'in use', services, trunks };
}
