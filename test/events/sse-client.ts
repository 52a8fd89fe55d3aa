/** A minimal Server-Sent Events client for tests, parsing frames per the WHATWG event-stream rules. */
import http from 'node:http';

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  frames: SseFrame[];
  comments: string[];
  /** Every `retry:` field received (reconnection delays in ms), in order. */
  retries: number[];
  ended: boolean;
  /** Resolves once pred holds over what has arrived (checked on every chunk), or rejects after timeoutMs. */
  until(pred: (c: SseClient) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a stream and parses it as it arrives. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const waiters: Array<() => void> = [];
      const c: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames: [],
        comments: [],
        retries: [],
        ended: false,
        until(pred, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const t = setTimeout(() => fail(new Error(`timed out; got ${JSON.stringify(c.frames.map((f) => f.id))}`)), timeoutMs);
            const check = () => {
              if (pred(c)) {
                clearTimeout(t);
                ok();
                return true;
              }
              return false;
            };
            const wait = (): void => {
              if (!check() && !c.ended) waiters.push(wait);
              else if (!pred(c)) {
                clearTimeout(t);
                fail(new Error(`stream ended; got ${JSON.stringify(c.frames.map((f) => f.id))}`));
              }
            };
            if (!check()) waiters.push(wait);
          });
        },
        close() {
          req.destroy();
        },
      };
      let buf = '';
      let cur: { id?: string; event?: string; data: string[] } = { data: [] };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (cur.data.length > 0 || cur.id !== undefined) c.frames.push({ ...(cur.id !== undefined ? { id: cur.id } : {}), ...(cur.event !== undefined ? { event: cur.event } : {}), data: cur.data.join('\n') });
            cur = { data: [] };
          } else if (line.startsWith(':')) {
            c.comments.push(line.slice(1).trim());
          } else {
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'data') cur.data.push(value);
            else if (field === 'id') cur.id = value;
            else if (field === 'event') cur.event = value;
            else if (field === 'retry' && /^[0-9]+$/.test(value)) c.retries.push(Number(value));
          }
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', () => {
        c.ended = true;
        for (const w of waiters.splice(0)) w();
      });
      res.on('error', () => {
        c.ended = true;
      });
      resolve(c);
    });
    req.on('error', reject);
  });
}
