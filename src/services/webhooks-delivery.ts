/**
 * The pure parts of webhook delivery: the signature header and the retry schedule. Kept apart from
 * the worker so tests check them against independent computations.
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'Lightpath-Signature';
export const EVENT_ID_HEADER = 'Lightpath-Event-Id';
export const EVENT_TYPE_HEADER = 'Lightpath-Event-Type';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is inside the signed text so
 * a receiver can reject replays older than its tolerance.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Receiver-side check of a signature header (constant-time compare, optional age tolerance). */
export function verifySignature(secret: string, body: string, header: string, opts: { nowSeconds?: number; toleranceSeconds?: number } = {}): boolean {
  const parts = new Map<string, string[]>();
  for (const kv of header.split(',')) {
    const i = kv.indexOf('=');
    if (i <= 0) continue;
    const k = kv.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), kv.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) return false;
  if (opts.nowSeconds !== undefined && Math.abs(opts.nowSeconds - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'), 'utf8');
  return (parts.get('v1') ?? []).some((v) => {
    const got = Buffer.from(v, 'utf8');
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  });
}

export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Upper bound of the un-jittered delay. */
  capMs: number;
  /** Attempts in all, the first included; after the last failure the delivery is failed. */
  maxAttempts: number;
  /** Relative spread in [0, 1): the delay is drawn from [d(1-j), d(1+j)). */
  jitter: number;
}

/** 1 s, 2 s, 4 s ... capped at 5 min, 8 attempts (about 4 minutes of retrying), ±20 %. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 300_000, maxAttempts: 8, jitter: 0.2 };

/**
 * Delay before the next attempt after `failedAttempt` (1-based) failed, or null when no attempt is
 * left. Jitter spreads retries from many endpoints failing at once (a receiver coming back up).
 */
export function retryDelayMs(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number | null {
  if (failedAttempt >= policy.maxAttempts) return null;
  const d = Math.min(policy.capMs, policy.baseMs * 2 ** (failedAttempt - 1));
  return Math.round(d * (1 - policy.jitter + 2 * policy.jitter * random()));
}
