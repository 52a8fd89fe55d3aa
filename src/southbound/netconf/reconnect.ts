/**
 * Getting a NETCONF session back after the device or the path to it went away: connect with
 * retries and exponential backoff, and a managed session that reconnects on its own and re-runs a
 * setup step (e.g. create-subscription) on every new session.
 */
import { EventEmitter } from 'node:events';
import { NetconfClient, NetconfSessionClosedError, type ConnectOptions } from './client.js';

/** Backoff between attempts. */
export interface RetryOptions {
  /** Attempts before giving up (default Infinity for ManagedSession, 10 for connectWithRetry). */
  attempts?: number;
  /** First delay (default 100 ms), doubled up to maxDelayMs (default 5 s). */
  delayMs?: number;
  maxDelayMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Connects, retrying with exponential backoff; rejects with the last error after the attempts. */
export async function connectWithRetry(opts: ConnectOptions, retry: RetryOptions = {}): Promise<NetconfClient> {
  const attempts = retry.attempts ?? 10;
  let delay = retry.delayMs ?? 100;
  let last: unknown = null;
  for (let i = 0; i < attempts; i++) {
    try {
      return await NetconfClient.connect(opts);
    } catch (err) {
      last = err;
      if (i + 1 < attempts) await sleep(delay);
      delay = Math.min(delay * 2, retry.maxDelayMs ?? 5000);
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/**
 * A session that reconnects when it drops. Calls in flight when it drops fail (with
 * NetconfSessionClosedError from the client): the caller decides whether to retry; session()
 * waits for the next session. Events: 'connected' (NetconfClient), 'disconnected' (Error).
 */
export class ManagedSession extends EventEmitter {
  private current: NetconfClient | null = null;
  private connecting: Promise<NetconfClient> | null = null;
  private closed = false;

  constructor(
    private readonly opts: ConnectOptions,
    private readonly retry: RetryOptions = {},
    /** Runs on every new session before it is handed out (e.g. create-subscription). */
    private readonly setup?: (client: NetconfClient) => Promise<void>,
  ) {
    super();
  }

  /** The current session, connecting (with retries) when there is none. */
  session(): Promise<NetconfClient> {
    if (this.closed) return Promise.reject(new NetconfSessionClosedError('managed session closed'));
    if (this.current?.isOpen) return Promise.resolve(this.current);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connect(): Promise<NetconfClient> {
    const attempts = this.retry.attempts ?? Infinity;
    let delay = this.retry.delayMs ?? 100;
    let last: unknown = null;
    for (let i = 0; i < attempts && !this.closed; i++) {
      try {
        const c = await NetconfClient.connect(this.opts);
        if (this.setup) await this.setup(c);
        if (this.closed) {
          c.destroy();
          break;
        }
        this.current = c;
        c.once('close', (err: Error) => {
          if (this.current === c) this.current = null;
          if (this.closed) return;
          this.emit('disconnected', err);
          // Reconnect in the background so notifications resume without a caller asking.
          this.session().catch(() => {});
        });
        this.emit('connected', c);
        return c;
      } catch (err) {
        last = err;
        await sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs ?? 5000);
      }
    }
    throw last instanceof Error ? last : new NetconfSessionClosedError('managed session closed');
  }

  /** Runs fn on the current session (connecting first if needed). */
  async run<T>(fn: (client: NetconfClient) => Promise<T>): Promise<T> {
    return fn(await this.session());
  }

  /** Closes the session and stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.current;
    this.current = null;
    if (c) await c.close();
  }
}
