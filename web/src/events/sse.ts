/**
 * Incremental parser of the text/event-stream format (WHATWG HTML, "server-sent events"). The portal
 * reads the stream with fetch() because EventSource cannot send the Authorization header, so it
 * needs its own parser. Chunks may split lines, fields and even CR LF pairs anywhere.
 */

/** One dispatched message: event type ("message" when unnamed), data, and the last event id seen. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/** A parser: feed() text chunks as they arrive; messages go to the callback in order. */
export interface SseParser {
  feed(chunk: string): void;
  /** The id of the last event, for Last-Event-ID on reconnect. */
  lastEventId(): string | null;
  /** Server's reconnection delay (retry:), when it sent one. */
  retryMs(): number | null;
}

/** Create a parser dispatching to onMessage. */
export function createSseParser(onMessage: (m: SseMessage) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let lastId: string | null = null;
  let retry: number | null = null;
  // A chunk ending in CR may be followed by LF in the next chunk; that LF must not end another line.
  let skipLf = false;

  const line = (l: string): void => {
    if (l === '') {
      if (data.length > 0) onMessage({ event: event === '' ? 'message' : event, data: data.join('\n'), id: lastId });
      data = [];
      event = '';
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') {
      if (!value.includes('\0')) lastId = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };

  return {
    feed(chunk: string) {
      let text = chunk;
      if (skipLf && text.startsWith('\n')) text = text.slice(1);
      skipLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 < buffer.length) {
            if (buffer[i + 1] === '\n') i++;
          } else skipLf = true;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    lastEventId: () => lastId,
    retryMs: () => retry,
  };
}
