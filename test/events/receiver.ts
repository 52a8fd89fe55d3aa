/** A loopback HTTP receiver for webhook tests: records every request and answers from a script. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status for the n-th request (0-based) to a path. */
  respond: (path: string, n: number) => number;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with a random port. */
export async function startReceiver(respond: (path: string, n: number) => number = () => 204): Promise<Receiver> {
  const counts = new Map<string, number>();
  const rx: Receiver = {
    url: '',
    received: [],
    respond,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      rx.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = rx.respond(path, n);
      res.end();
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rx;
}
