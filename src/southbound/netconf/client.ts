/**
 * A NETCONF client over SSH (RFC 6241, RFC 6242) on ssh2's Client: hello exchange and framing
 * negotiation, rpc with message-id correlation and per-call timeouts, the base operations, and
 * RFC 5277 notifications. A transport failure rejects every pending rpc with a
 * NetconfSessionClosedError and emits 'close'; see reconnect.ts to get a session back.
 */
import { EventEmitter } from 'node:events';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { ChunkedDecoder, EomDecoder, FramingError, encodeChunked, encodeEom, splitFirstEom } from './framing.js';
import { CAP, NC_NS, NOTIF_NS, NetconfRpcError, messageId, parseRpcErrors } from './protocol.js';
import { child, childText, el, parseXml, serializeXml, type XElement } from './xml.js';

/** Where and how to connect. */
export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** SSH connect + hello timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Default timeout of one rpc (default 30 s). */
  rpcTimeoutMs?: number;
  /** Speak base:1.0 only (end-of-message framing); default false (chunked when the server has base:1.1). */
  base10Only?: boolean;
  /** Largest chunk this client sends (default: one chunk per message). */
  maxChunkBytes?: number;
}

/** The session ended (transport closed, killed, or close-session). */
export class NetconfSessionClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetconfSessionClosedError';
  }
}

/** No reply within the timeout. */
export class NetconfTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetconfTimeoutError';
  }
}

export type Datastore = 'running' | 'candidate';

/** edit-config parameters (RFC 6241 §7.2). */
export interface EditOptions {
  defaultOperation?: 'merge' | 'replace' | 'none';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
  testOption?: 'test-then-set' | 'set' | 'test-only';
}

interface Pending {
  resolve: (reply: XElement) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type Content = XElement | XElement[] | string;

function toElements(content: Content): XElement[] {
  if (typeof content === 'string') return parseXml(`<wrapper>${content}</wrapper>`).children;
  return Array.isArray(content) ? content : [content];
}

/**
 * A NETCONF session. Events: 'notification' (XElement: the <notification>), 'close' (Error | null).
 */
export class NetconfClient extends EventEmitter {
  private conn: ssh2.Client | null = null;
  private channel: ClientChannel | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private eom = new EomDecoder();
  private chunked: ChunkedDecoder | null = null;
  private closedError: Error | null = null;
  /** The session-id the server assigned. */
  sessionId = 0;
  /** Capabilities the server announced. */
  serverCapabilities: string[] = [];

  private constructor(private readonly opts: ConnectOptions) {
    super();
  }

  /** Opens an SSH connection, the netconf subsystem, and exchanges hellos. */
  static async connect(opts: ConnectOptions): Promise<NetconfClient> {
    const c = new NetconfClient(opts);
    await c.open();
    return c;
  }

  /** True while the session is usable. */
  get isOpen(): boolean {
    return this.closedError === null && this.channel !== null;
  }

  /** Whether the server announced a capability (by URI, ignoring its query part for modules). */
  hasCapability(uri: string): boolean {
    return this.serverCapabilities.some((c) => c === uri || c.split('?')[0] === uri);
  }

  private open(): Promise<void> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const conn = new ssh2.Client();
      this.conn = conn;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.end();
        reject(err);
      };
      const timer = setTimeout(() => fail(new NetconfTimeoutError(`no NETCONF hello from ${this.opts.host}:${this.opts.port} within ${timeoutMs} ms`)), timeoutMs);
      conn.on('error', (err) => {
        if (!settled) fail(new NetconfSessionClosedError(`cannot connect to ${this.opts.host}:${this.opts.port}: ${err.message}`));
        else this.shutdown(new NetconfSessionClosedError(`connection to ${this.opts.host}:${this.opts.port} failed: ${err.message}`));
      });
      conn.on('close', () => {
        if (!settled) fail(new NetconfSessionClosedError(`connection to ${this.opts.host}:${this.opts.port} closed during setup`));
        else this.shutdown(new NetconfSessionClosedError(`connection to ${this.opts.host}:${this.opts.port} closed`));
      });
      conn.on('ready', () => {
        // Pipelined rpcs are small writes back to back: without TCP_NODELAY, Nagle's algorithm holds
        // each behind the peer's delayed ACK of the previous one (up to 40 ms on Linux).
        conn.setNoDelay(true);
        conn.subsys('netconf', (err, channel) => {
          if (err) return fail(new NetconfSessionClosedError(`netconf subsystem refused: ${err.message}`));
          this.channel = channel;
          let helloBuf = Buffer.alloc(0);
          let helloDone = false;
          const onData = (data: Buffer) => {
            try {
              if (!helloDone) {
                helloBuf = Buffer.concat([helloBuf, data]);
                const first = splitFirstEom(helloBuf);
                if (!first) return;
                helloDone = true;
                this.onServerHello(first.message);
                settled = true;
                clearTimeout(timer);
                resolve();
                if (first.rest.length) onData(first.rest);
                return;
              }
              const msgs = this.chunked ? this.chunked.push(data) : this.eom.push(data);
              for (const m of msgs) this.onMessage(m);
            } catch (e) {
              const error = e instanceof Error ? e : new Error(String(e));
              if (!settled) fail(error);
              else this.shutdown(new NetconfSessionClosedError(`session to ${this.opts.host}:${this.opts.port} broken: ${error.message}`));
            }
          };
          channel.on('data', onData);
          channel.on('close', () => this.shutdown(new NetconfSessionClosedError(`session to ${this.opts.host}:${this.opts.port} closed by the server`)));
          channel.stderr.on('data', () => {});
        });
      });
      conn.connect({ host: this.opts.host, port: this.opts.port, username: this.opts.username, password: this.opts.password, readyTimeout: timeoutMs, tryKeyboard: false });
    });
  }

  private onServerHello(text: string): void {
    const hello = parseXml(text);
    if (hello.name !== 'hello' || hello.ns !== NC_NS) throw new FramingError(`expected a hello, got ${hello.name}`);
    this.serverCapabilities = (child(hello, 'capabilities', NC_NS)?.children ?? []).map((c) => (c.text ?? '').trim());
    this.sessionId = Number(childText(hello, 'session-id', NC_NS) ?? 0);
    const mine = this.opts.base10Only ? [CAP.base10] : [CAP.base10, CAP.base11];
    const myHello = el(NC_NS, 'hello', [el(NC_NS, 'capabilities', mine.map((c) => el(NC_NS, 'capability', c)))]);
    this.channel!.write(encodeEom(`<?xml version="1.0" encoding="UTF-8"?>${serializeXml(myHello)}`));
    if (!this.opts.base10Only && this.serverCapabilities.includes(CAP.base11)) this.chunked = new ChunkedDecoder();
  }

  private onMessage(text: string): void {
    const msg = parseXml(text);
    if (msg.ns === NOTIF_NS && msg.name === 'notification') {
      this.emit('notification', msg);
      return;
    }
    if (msg.ns !== NC_NS || msg.name !== 'rpc-reply') return;
    const id = messageId(msg);
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return;
    this.pending.delete(id!);
    clearTimeout(p.timer);
    const errors = parseRpcErrors(msg).filter((e) => e.severity === 'error');
    if (errors.length > 0) p.reject(new NetconfRpcError(errors));
    else p.resolve(msg);
  }

  private shutdown(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.channel = null;
    this.conn?.end();
    this.emit('close', err);
  }

  /** Sends one rpc (its operation element(s)) and resolves with the rpc-reply; rejects with NetconfRpcError on rpc-error. */
  rpc(operation: Content, opts: { timeoutMs?: number } = {}): Promise<XElement> {
    if (this.closedError || !this.channel) return Promise.reject(this.closedError ?? new NetconfSessionClosedError('session not open'));
    const id = String(this.nextId++);
    const rpc = el(NC_NS, 'rpc', toElements(operation), [{ ns: null, name: 'message-id', value: id }]);
    const text = serializeXml(rpc);
    const timeoutMs = opts.timeoutMs ?? this.opts.rpcTimeoutMs ?? 30_000;
    return new Promise<XElement>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NetconfTimeoutError(`no reply to rpc ${id} (${rpc.children[0]?.name ?? 'rpc'}) from ${this.opts.host}:${this.opts.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.channel!.write(this.chunked ? encodeChunked(text, this.opts.maxChunkBytes) : encodeEom(text));
    });
  }

  private static filter(filter: Content | undefined): XElement[] {
    return filter === undefined ? [] : [el(NC_NS, 'filter', toElements(filter), [{ ns: null, name: 'type', value: 'subtree' }])];
  }

  /** <get>: the data's top-level elements. */
  async get(filter?: Content): Promise<XElement[]> {
    const r = await this.rpc(el(NC_NS, 'get', NetconfClient.filter(filter)));
    return child(r, 'data', NC_NS)?.children ?? [];
  }

  /** <get-config>: the data's top-level elements. */
  async getConfig(source: Datastore = 'running', filter?: Content): Promise<XElement[]> {
    const r = await this.rpc(el(NC_NS, 'get-config', [el(NC_NS, 'source', [el(NC_NS, source)]), ...NetconfClient.filter(filter)]));
    return child(r, 'data', NC_NS)?.children ?? [];
  }

  /** <edit-config> with the config's top-level elements. */
  async editConfig(target: Datastore, config: Content, opts: EditOptions = {}): Promise<void> {
    const kids = [el(NC_NS, 'target', [el(NC_NS, target)])];
    if (opts.defaultOperation) kids.push(el(NC_NS, 'default-operation', opts.defaultOperation));
    if (opts.testOption) kids.push(el(NC_NS, 'test-option', opts.testOption));
    if (opts.errorOption) kids.push(el(NC_NS, 'error-option', opts.errorOption));
    kids.push(el(NC_NS, 'config', toElements(config)));
    await this.rpc(el(NC_NS, 'edit-config', kids));
  }

  async commit(): Promise<void> {
    await this.rpc(el(NC_NS, 'commit'));
  }

  async discardChanges(): Promise<void> {
    await this.rpc(el(NC_NS, 'discard-changes'));
  }

  /**
   * One change through the candidate (RFC 6241 §8.3): lock it (unless told not to), edit with
   * rollback-on-error, commit; on any failure the candidate's changes are discarded; the lock is
   * always released. With `readBack`, the running configuration under that filter is read after the
   * commit and returned (the caller verifies it).
   *
   * Round trips: the lock is one (nothing may reach a candidate this session has not locked: another
   * session's uncommitted changes would be committed with ours); then edit-config, commit,
   * discard-changes, unlock and the read-back are sent together (pipelined: a NETCONF server handles
   * a session's rpcs one after the other and replies in order, so none has to wait for a reply). That is
   * safe in every outcome: an edit refused with rollback-on-error leaves the candidate as running, so
   * the commit after it changes nothing; a refused commit leaves our edits in the candidate, and the
   * discard-changes after it (under our lock, before the unlock) removes them; after a commit that
   * succeeded the discard has nothing to discard. Without the lock, the discard is sent only after a
   * failure (an unlocked discard could drop another session's candidate changes).
   */
  async editAndCommit(config: Content, opts: { lock?: boolean; readBack?: Content; pipeline?: boolean } = {}): Promise<XElement[] | null> {
    const lock = opts.lock !== false;
    if (opts.pipeline === false) return this.settleTimeouts(this.editAndCommitStepwise(config, lock, opts.readBack));
    return this.settleTimeouts(this.editAndCommitPipelined(config, lock, opts.readBack));
  }

  /**
   * An rpc of a change that timed out leaves the device's state unknown: the lock may have been
   * granted after we gave up on it, the candidate may hold our edit. Nothing on this session could
   * then release them (a second lock is denied, even to the holder), and every other writer would meet
   * lock-denied for as long as the session lives. So the session ends: the device releases its locks
   * and discards its candidate changes (RFC 6241 §7.5), and the next change opens a new session.
   */
  private async settleTimeouts<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof NetconfTimeoutError) this.destroy();
      throw err;
    }
  }

  private async editAndCommitPipelined(config: Content, lock: boolean, readBack: Content | undefined): Promise<XElement[] | null> {
    if (lock) await this.lock('candidate');
    const edit = this.editConfig('candidate', config, { errorOption: 'rollback-on-error' });
    const commit = this.commit();
    const discard = lock ? this.discardChanges() : null;
    const unlock = lock ? this.unlock('candidate') : null;
    const read = readBack !== undefined ? this.getConfig('running', readBack) : null;
    const results = await Promise.allSettled([edit, commit, discard, unlock, read]);
    const [e, c, , , r] = results;
    const timedOut = results.find((x): x is PromiseRejectedResult => x.status === 'rejected' && x.reason instanceof NetconfTimeoutError);
    if (timedOut) throw timedOut.reason;
    const failure = e.status === 'rejected' ? e : c.status === 'rejected' ? c : null;
    if (failure) {
      if (!lock) await this.discardChanges().catch(() => {});
      throw failure.reason;
    }
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }

  /** editAndCommit waiting for each reply before the next rpc (`pipeline: false`; benchmarks compare the two). */
  private async editAndCommitStepwise(config: Content, lock: boolean, readBack: Content | undefined): Promise<XElement[] | null> {
    if (lock) await this.lock('candidate');
    try {
      await this.editConfig('candidate', config, { errorOption: 'rollback-on-error' });
      await this.commit();
    } catch (err) {
      await this.discardChanges().catch(() => {});
      throw err;
    } finally {
      if (lock) {
        await this.unlock('candidate').catch((err: unknown) => {
          if (err instanceof NetconfTimeoutError) throw err;
        });
      }
    }
    return readBack !== undefined ? this.getConfig('running', readBack) : null;
  }

  async validate(source: Datastore = 'candidate'): Promise<void> {
    await this.rpc(el(NC_NS, 'validate', [el(NC_NS, 'source', [el(NC_NS, source)])]));
  }

  async lock(target: Datastore): Promise<void> {
    await this.rpc(el(NC_NS, 'lock', [el(NC_NS, 'target', [el(NC_NS, target)])]));
  }

  async unlock(target: Datastore): Promise<void> {
    await this.rpc(el(NC_NS, 'unlock', [el(NC_NS, 'target', [el(NC_NS, target)])]));
  }

  async killSession(sessionId: number): Promise<void> {
    await this.rpc(el(NC_NS, 'kill-session', [el(NC_NS, 'session-id', sessionId)]));
  }

  /** <create-subscription> (RFC 5277); notifications then arrive as 'notification' events and through notifications(). */
  async createSubscription(opts: { stream?: string; filter?: Content } = {}): Promise<void> {
    const kids: XElement[] = [];
    if (opts.stream) kids.push(el(NOTIF_NS, 'stream', opts.stream));
    if (opts.filter !== undefined) kids.push(el(NOTIF_NS, 'filter', toElements(opts.filter), [{ ns: null, name: 'type', value: 'subtree' }]));
    await this.rpc(el(NOTIF_NS, 'create-subscription', kids));
  }

  /** Notifications as an async iterator (ends when the session closes). */
  notifications(): AsyncIterableIterator<XElement> {
    const queue: XElement[] = [];
    const waiters: ((r: IteratorResult<XElement>) => void)[] = [];
    let done = false;
    const onNote = (n: XElement) => {
      const w = waiters.shift();
      if (w) w({ value: n, done: false });
      else queue.push(n);
    };
    const onClose = () => {
      done = true;
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
    };
    this.on('notification', onNote);
    this.once('close', onClose);
    const stop = () => {
      this.off('notification', onNote);
      this.off('close', onClose);
      onClose();
    };
    const it: AsyncIterableIterator<XElement> = {
      next: () => {
        const n = queue.shift();
        if (n) return Promise.resolve({ value: n, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return: () => {
        stop();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  /** <close-session>, then the transport closes. */
  async close(): Promise<void> {
    if (this.closedError || !this.channel) return;
    try {
      await this.rpc(el(NC_NS, 'close-session'), { timeoutMs: 5000 });
    } catch {
      /* closing anyway */
    }
    this.shutdown(new NetconfSessionClosedError('session closed by the client'));
  }

  /** Drops the transport without close-session. */
  destroy(): void {
    this.shutdown(new NetconfSessionClosedError('session destroyed by the client'));
  }
}
