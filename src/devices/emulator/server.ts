/**
 * NETCONF over SSH for one emulated device (RFC 6241, RFC 6242): an ssh2 Server with password
 * authentication and the `netconf` subsystem; the hello exchange in end-of-message framing, then
 * chunked framing when both peers speak base:1.1; rpc dispatch to the device; replies in order;
 * notifications (RFC 5277) interleaved on the same channel.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';
import { ChunkedDecoder, EomDecoder, FramingError, encodeChunked, encodeEom, splitFirstEom } from '../../southbound/netconf/framing.js';
import { CAP, NC_NS, NOTIF_NS, NetconfRpcError, rpcError, rpcErrorElement, type RpcErrorInfo } from '../../southbound/netconf/protocol.js';
import { attr, child, childText, el, parseXml, serializeXml, XmlParseError, type XElement } from '../../southbound/netconf/xml.js';
import { OPENROADM_MODULES, moduleCapability } from '../../southbound/openroadm/model.js';
import type { DefaultOperation, ErrorOption } from './datastore.js';
import { dataElement, type Datastore, type DeviceSession, type EmulatedDevice } from './device.js';

/** Capabilities every emulated device announces. */
export const SERVER_CAPABILITIES: readonly string[] = [
  CAP.base10,
  CAP.base11,
  CAP.candidate,
  CAP.writableRunning,
  CAP.rollbackOnError,
  CAP.validate,
  CAP.notification,
  CAP.interleave,
  ...OPENROADM_MODULES.map(moduleCapability),
];

/** Options of a device's server. */
export interface ServerOptions {
  host?: string;
  /** 0 = chosen by the OS. */
  port?: number;
  username: string;
  password: string;
  /** Host private key (OpenSSH or PEM); generated (ed25519) when absent. */
  hostKey?: string;
  /** Largest chunk this server sends (default: whole message in one chunk); tests use small odd sizes. */
  maxChunkBytes?: number;
}

/**
 * A generated ed25519 host key in OpenSSH format. ssh2 (1.17) strips leading zero bytes from the
 * public key it embeds, so about 1 key in 256 is one it cannot parse back (mscdex/ssh2#1390, #1513);
 * such a key is drawn again.
 */
export function generateHostKey(): string {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519').private;
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function datastoreOf(e: XElement | undefined, allowed: Datastore[]): Datastore {
  const name = e?.children[0]?.name;
  if (!e || !name) throw rpcError('protocol', 'missing-element', 'a datastore (running or candidate) is required', { info: [{ name: 'bad-element', value: e?.name ?? 'target' }] });
  if (!(allowed as string[]).includes(name)) {
    throw rpcError('protocol', name === 'startup' || name === 'url' ? 'operation-not-supported' : 'invalid-value', `datastore ${name} is not supported here (${allowed.join(', ')})`, { info: [{ name: 'bad-element', value: name }] });
  }
  return name as Datastore;
}

function filterOf(op: XElement): XElement[] | null {
  const f = child(op, 'filter', NC_NS) ?? child(op, 'filter', NOTIF_NS);
  if (!f) return null;
  const type = attr(f, 'type') ?? 'subtree';
  if (type !== 'subtree') throw rpcError('protocol', 'bad-attribute', `filter type ${type} is not supported (no :xpath capability)`, { info: [{ name: 'bad-attribute', value: 'type' }, { name: 'bad-element', value: 'filter' }] });
  return f.children;
}

/** One NETCONF session on one SSH channel. */
class Session implements DeviceSession {
  private eom = new EomDecoder();
  private helloBuf: Buffer = Buffer.alloc(0);
  private chunked: ChunkedDecoder | null = null;
  private helloDone = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  readonly id: number;

  constructor(
    private readonly device: EmulatedDevice,
    private readonly channel: ServerChannel,
    id: number,
    private readonly maxChunk: number | undefined,
  ) {
    this.id = id;
  }

  start(): void {
    const hello = el(NC_NS, 'hello', [el(NC_NS, 'capabilities', SERVER_CAPABILITIES.map((c) => el(NC_NS, 'capability', c))), el(NC_NS, 'session-id', this.id)]);
    this.channel.write(encodeEom(`<?xml version="1.0" encoding="UTF-8"?>${serializeXml(hello)}`));
    this.channel.on('data', (data: Buffer) => this.onData(data));
    this.channel.on('close', () => this.end());
    this.channel.on('error', () => this.end());
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    try {
      if (!this.helloDone) {
        this.helloBuf = Buffer.concat([this.helloBuf, data]);
        const first = splitFirstEom(this.helloBuf);
        if (!first) return;
        this.helloBuf = Buffer.alloc(0);
        this.onHello(first.message);
        if (this.closed) return;
        // Anything after the hello is already in the negotiated framing.
        if (first.rest.length) this.onData(first.rest);
        return;
      }
      const msgs = this.chunked ? this.chunked.push(data) : this.eom.push(data);
      for (const m of msgs) this.queue = this.queue.then(() => this.onMessage(m));
    } catch (err) {
      // RFC 6242 §4.2: a framing error terminates the session.
      if (err instanceof FramingError) this.terminate(err.message);
      else throw err;
    }
  }

  private onHello(text: string): void {
    let hello: XElement;
    try {
      hello = parseXml(text);
    } catch {
      this.terminate('malformed hello');
      return;
    }
    if (hello.name !== 'hello' || hello.ns !== NC_NS) {
      this.terminate('the first message must be a hello');
      return;
    }
    // RFC 6241 §8.1: a client hello carrying a session-id is an error; end the session.
    if (child(hello, 'session-id', NC_NS)) {
      this.terminate('client hello must not carry a session-id');
      return;
    }
    const caps = (child(hello, 'capabilities', NC_NS)?.children ?? []).map((c) => c.text ?? '');
    if (!caps.includes(CAP.base10) && !caps.includes(CAP.base11)) {
      this.terminate('no common base capability');
      return;
    }
    this.helloDone = true;
    if (caps.includes(CAP.base11)) this.chunked = new ChunkedDecoder();
  }

  private send(e: XElement): void {
    if (this.closed) return;
    const text = serializeXml(e);
    this.channel.write(this.chunked ? encodeChunked(text, this.maxChunk) : encodeEom(text));
  }

  notify(notification: XElement): void {
    // Queued behind replies in progress, so a reply and a notification never interleave mid-message.
    this.queue = this.queue.then(() => this.send(notification));
  }

  terminate(reason: string): void {
    void reason;
    if (this.closed) return;
    this.end();
    try {
      this.channel.close();
    } catch {
      /* already gone */
    }
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.device.closeSession(this.id);
  }

  private async onMessage(text: string): Promise<void> {
    if (this.closed) return;
    let rpc: XElement;
    try {
      rpc = parseXml(text);
    } catch (err) {
      const msg = err instanceof XmlParseError ? err.message : String(err);
      this.send(el(NC_NS, 'rpc-reply', [rpcErrorElement({ type: 'rpc', tag: 'malformed-message', severity: 'error', message: `not well-formed XML: ${msg}` })]));
      return;
    }
    const replyAttrs = rpc.attrs.map((a) => ({ ...a }));
    const reply = (content: XElement[]) => this.send({ ns: NC_NS, name: 'rpc-reply', attrs: replyAttrs, children: content, text: null });
    if (rpc.name !== 'rpc' || rpc.ns !== NC_NS) {
      reply([rpcErrorElement({ type: 'rpc', tag: 'unknown-element', severity: 'error', message: `expected an rpc, got ${rpc.name}`, info: [{ name: 'bad-element', value: rpc.name }] })]);
      return;
    }
    if (attr(rpc, 'message-id') === undefined) {
      // RFC 6241 §4.1: message-id is mandatory.
      reply([rpcErrorElement({ type: 'rpc', tag: 'missing-attribute', severity: 'error', message: 'rpc has no message-id', info: [{ name: 'bad-attribute', value: 'message-id' }, { name: 'bad-element', value: 'rpc' }] })]);
      return;
    }
    const op = rpc.children[0];
    try {
      if (!op) throw rpcError('rpc', 'missing-element', 'rpc has no operation', { info: [{ name: 'bad-element', value: 'rpc' }] });
      const result = await this.dispatch(op);
      reply(result ?? [el(NC_NS, 'ok')]);
      if (op.name === 'close-session' && op.ns === NC_NS) this.terminate('close-session');
    } catch (err) {
      if (err instanceof NetconfRpcError) reply(err.errors.map(rpcErrorElement));
      else reply([rpcErrorElement({ type: 'application', tag: 'operation-failed', severity: 'error', message: err instanceof Error ? err.message : String(err) } satisfies RpcErrorInfo)]);
    }
  }

  private async dispatch(op: XElement): Promise<XElement[] | null> {
    const d = this.device;
    if (op.ns === NOTIF_NS && op.name === 'create-subscription') {
      d.subscribe(this.id, { stream: childText(op, 'stream', NOTIF_NS), filter: filterOf(op), startTime: childText(op, 'startTime', NOTIF_NS) });
      return null;
    }
    if (op.ns !== NC_NS) throw rpcError('protocol', 'operation-not-supported', `operation {${op.ns}}${op.name} is not supported`, { info: [{ name: 'bad-element', value: op.name }] });
    switch (op.name) {
      case 'get':
        return [dataElement(d.get(filterOf(op)))];
      case 'get-config':
        return [dataElement(d.getConfig(datastoreOf(child(op, 'source', NC_NS), ['running', 'candidate']), filterOf(op)))];
      case 'edit-config': {
        const target = datastoreOf(child(op, 'target', NC_NS), ['running', 'candidate']);
        const config = child(op, 'config', NC_NS);
        if (!config) throw rpcError('protocol', child(op, 'url', NC_NS) ? 'operation-not-supported' : 'missing-element', 'edit-config needs <config> (no :url capability)', { info: [{ name: 'bad-element', value: 'config' }] });
        const defaultOperation = childText(op, 'default-operation', NC_NS) ?? 'merge';
        if (!['merge', 'replace', 'none'].includes(defaultOperation)) throw rpcError('protocol', 'invalid-value', `default-operation ${defaultOperation}`, { info: [{ name: 'bad-element', value: 'default-operation' }] });
        const errorOption = childText(op, 'error-option', NC_NS) ?? 'stop-on-error';
        if (!['stop-on-error', 'continue-on-error', 'rollback-on-error'].includes(errorOption)) throw rpcError('protocol', 'invalid-value', `error-option ${errorOption}`, { info: [{ name: 'bad-element', value: 'error-option' }] });
        const testOption = childText(op, 'test-option', NC_NS) ?? 'test-then-set';
        if (!['test-then-set', 'set', 'test-only'].includes(testOption)) throw rpcError('protocol', 'invalid-value', `test-option ${testOption}`, { info: [{ name: 'bad-element', value: 'test-option' }] });
        await d.editConfig(this.id, target, config.children, { defaultOperation: defaultOperation as DefaultOperation, errorOption: errorOption as ErrorOption, testOption: testOption as 'test-then-set' });
        return null;
      }
      case 'commit':
        if (child(op, 'confirmed', NC_NS)) throw rpcError('protocol', 'operation-not-supported', 'confirmed commit is not supported (no :confirmed-commit capability)');
        await d.commit(this.id);
        return null;
      case 'discard-changes':
        await d.discardChanges(this.id);
        return null;
      case 'validate': {
        const src = child(op, 'source', NC_NS);
        const cfg = src ? child(src, 'config', NC_NS) : undefined;
        await d.validate(cfg ? cfg.children : datastoreOf(src, ['running', 'candidate']));
        return null;
      }
      case 'lock':
        d.lock(this.id, datastoreOf(child(op, 'target', NC_NS), ['running', 'candidate']));
        return null;
      case 'unlock':
        d.unlock(this.id, datastoreOf(child(op, 'target', NC_NS), ['running', 'candidate']));
        return null;
      case 'close-session':
        return null;
      case 'kill-session': {
        const id = Number(childText(op, 'session-id', NC_NS));
        if (!Number.isInteger(id) || id < 1) throw rpcError('protocol', 'invalid-value', 'session-id must be a positive integer', { info: [{ name: 'bad-element', value: 'session-id' }] });
        d.killSession(this.id, id);
        return null;
      }
      default:
        throw rpcError('protocol', 'operation-not-supported', `operation ${op.name} is not supported`, { info: [{ name: 'bad-element', value: op.name }] });
    }
  }
}

/** The NETCONF server of one device. */
export class NetconfServer {
  /** close() was called: new connections are turned away. */
  private stopping = false;
  private readonly server: ssh2.Server;
  private readonly connections = new Set<Connection>();
  private boundPort = 0;

  constructor(
    readonly device: EmulatedDevice,
    private readonly opts: ServerOptions,
  ) {
    this.server = new ssh2.Server({ hostKeys: [opts.hostKey ?? generateHostKey()] }, (conn) => this.onConnection(conn));
  }

  /** The port listened on (after listen()). */
  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port ?? 0, this.host, () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve(this.boundPort);
      });
    });
  }

  private onConnection(conn: Connection): void {
    // A client reconnecting while the server closes (the control plane's monitor does at once) is turned
    // away; kept, it would hold server.close() open for ever.
    if (this.stopping) {
      conn.end();
      return;
    }
    // Replies go out as they are ready, several per request burst: no Nagle delay behind the client's delayed ACK.
    // (ssh2's server-side connection has setNoDelay; its type definitions leave it out.)
    (conn as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => {});
    conn.on('authentication', (ctx) => {
      if (ctx.method === 'password' && safeEqual(ctx.username, this.opts.username) && safeEqual(ctx.password, this.opts.password)) ctx.accept();
      else ctx.reject(['password']);
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const s = accept();
        s.on('subsystem', (acceptSub, rejectSub, info) => {
          if (info.name !== 'netconf') {
            rejectSub();
            return;
          }
          const channel = acceptSub();
          const session = this.device.openSession((id) => new Session(this.device, channel, id, this.opts.maxChunkBytes)) as Session;
          session.start();
        });
      });
    });
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    this.stopping = true;
    for (const c of this.connections) c.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
