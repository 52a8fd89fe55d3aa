/**
 * NETCONF protocol vocabulary shared by the client and the device emulator: namespaces,
 * capability URIs, and the rpc-error structure of RFC 6241 §4.3 / Appendix A.
 */
import { attr, child, childText, el, XML_NS, XMLNS_NS, type XElement } from './xml.js';

/** RFC 6241 §3.1: the base namespace. */
export const NC_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
/** RFC 5277 §4: notifications and create-subscription. */
export const NOTIF_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';

/** RFC 6241 §8 capability URIs (and RFC 5277 §3.1 for notifications). */
export const CAP = {
  base10: 'urn:ietf:params:netconf:base:1.0',
  base11: 'urn:ietf:params:netconf:base:1.1',
  candidate: 'urn:ietf:params:netconf:capability:candidate:1.0',
  writableRunning: 'urn:ietf:params:netconf:capability:writable-running:1.0',
  rollbackOnError: 'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
  validate: 'urn:ietf:params:netconf:capability:validate:1.1',
  notification: 'urn:ietf:params:netconf:capability:notification:1.0',
  interleave: 'urn:ietf:params:netconf:capability:interleave:1.0',
} as const;

/** RFC 6241 Appendix A error-type values. */
export type ErrorType = 'transport' | 'rpc' | 'protocol' | 'application';

/** RFC 6241 Appendix A error-tag values. */
export type ErrorTag =
  | 'in-use'
  | 'invalid-value'
  | 'too-big'
  | 'missing-attribute'
  | 'bad-attribute'
  | 'unknown-attribute'
  | 'missing-element'
  | 'bad-element'
  | 'unknown-element'
  | 'unknown-namespace'
  | 'access-denied'
  | 'lock-denied'
  | 'resource-denied'
  | 'rollback-failed'
  | 'data-exists'
  | 'data-missing'
  | 'operation-not-supported'
  | 'operation-failed'
  | 'partial-operation'
  | 'malformed-message';

/** One rpc-error (RFC 6241 §4.3). */
export interface RpcErrorInfo {
  type: ErrorType;
  tag: ErrorTag;
  severity: 'error' | 'warning';
  appTag?: string;
  /** XPath of the offending node, with the namespace declarations its prefixes need. */
  path?: string;
  pathNamespaces?: Record<string, string>;
  message?: string;
  /** error-info content: e.g. session-id for lock-denied, bad-element for unknown elements. */
  info?: { name: string; value: string; ns?: string }[];
}

/** An operation failed with one or more rpc-errors. Thrown by the emulator's operations and by the client. */
export class NetconfRpcError extends Error {
  constructor(readonly errors: RpcErrorInfo[]) {
    super(errors.map((e) => `${e.tag}${e.path ? ` at ${e.path}` : ''}: ${e.message ?? e.type}`).join('; '));
    this.name = 'NetconfRpcError';
  }

  /** The first error's tag. */
  get tag(): ErrorTag {
    return this.errors[0].tag;
  }
}

/** Shorthand for one error. */
export function rpcError(type: ErrorType, tag: ErrorTag, message: string, extra: Partial<RpcErrorInfo> = {}): NetconfRpcError {
  return new NetconfRpcError([{ type, tag, severity: 'error', message, ...extra }]);
}

/** The <rpc-error> element of one error. */
export function rpcErrorElement(e: RpcErrorInfo): XElement {
  const kids: XElement[] = [el(NC_NS, 'error-type', e.type), el(NC_NS, 'error-tag', e.tag), el(NC_NS, 'error-severity', e.severity)];
  if (e.appTag) kids.push(el(NC_NS, 'error-app-tag', e.appTag));
  if (e.path) {
    // error-path is an XPath whose prefixes are declared on the element itself (RFC 6241 §4.3).
    const p = el(NC_NS, 'error-path', e.path);
    p.attrs = Object.entries(e.pathNamespaces ?? {}).map(([prefix, ns]) => ({ ns: XMLNS_NS, name: prefix, value: ns }));
    kids.push(p);
  }
  if (e.message) kids.push(el(NC_NS, 'error-message', e.message, [{ ns: XML_NS, name: 'lang', value: 'en' }]));
  if (e.info && e.info.length) kids.push(el(NC_NS, 'error-info', e.info.map((i) => el(i.ns ?? NC_NS, i.name, i.value))));
  return el(NC_NS, 'rpc-error', kids);
}

/** Reads the rpc-errors of an rpc-reply (empty when it has none). */
export function parseRpcErrors(reply: XElement): RpcErrorInfo[] {
  return reply.children
    .filter((c) => c.name === 'rpc-error' && c.ns === NC_NS)
    .map((e) => {
      const info = child(e, 'error-info', NC_NS);
      const out: RpcErrorInfo = {
        type: (childText(e, 'error-type', NC_NS) ?? 'application') as ErrorType,
        tag: (childText(e, 'error-tag', NC_NS) ?? 'operation-failed') as ErrorTag,
        severity: childText(e, 'error-severity', NC_NS) === 'warning' ? 'warning' : 'error',
      };
      const appTag = childText(e, 'error-app-tag', NC_NS);
      if (appTag) out.appTag = appTag;
      const p = childText(e, 'error-path', NC_NS);
      if (p) out.path = p;
      const m = child(e, 'error-message', NC_NS);
      if (m?.text) out.message = m.text;
      if (info) out.info = info.children.map((c) => ({ name: c.name, value: c.text ?? '', ns: c.ns }));
      return out;
    });
}

/** The message-id attribute of an rpc or rpc-reply. */
export function messageId(e: XElement): string | undefined {
  return attr(e, 'message-id');
}
