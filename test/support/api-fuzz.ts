/**
 * The API fuzzer behind test/api/fuzz.test.ts and bench:chaos: for every operation /openapi.json
 * publishes, requests built from its own schemas and hostile mutations of them, over real HTTP; after
 * every refused request the store's tables are compared with before.
 */
import http from 'node:http';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Db } from '../../src/store/db.js';
import { fromSchema, hostileValue, mutate, type Schema } from './schema-arb.js';

export const TABLES = ['meta', 'sites', 'spans', 'cables', 'srlgs', 'span_srlgs', 'services', 'orders', 'allocations', 'trunks', 'quotes', 'api_keys', 'price_book', 'webhooks', 'webhook_idempotency', 'failures', 'service_outages', 'service_resilience', 'events', 'audit_log', 'jobs', 'usage_records'];

/** Every table's contents, as one digest per table. */
export async function digest(db: Db): Promise<Record<string, string>> {
  const r = await db.query<Record<string, string>>(`SELECT ${TABLES.map((t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x) AS ${t}`).join(', ')}`);
  return r.rows[0];
}

export interface Sent {
  status: number;
  contentType: string;
  body: string;
}

export function send(port: number, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Sent> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      // An event stream stays open by design: its status line is the answer.
      if (contentType.startsWith('text/event-stream')) {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, contentType, body: '' });
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType, body: text }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, contentType: '', body: String(err) }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Percent-encodes any string's UTF-8 bytes (lone surrogates included, as a client library would send them). */
export function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

export interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema: Schema; required?: boolean }[];
  body: Schema | undefined;
  bodyTypes: string[];
}


/** What a fuzz run saw. */
export interface FuzzStats {
  operations: number;
  sent: number;
  rejected: number;
  statuses: Map<number, number>;
}

/**
 * Fuzzes every published operation `runs` times. Asserts (throws) on a 5xx, a refused request without
 * problem+json, or a refused request that changed the store.
 */
export async function fuzzApi(o: { port: number; db: Db; keys: Record<string, string>; ids: string[]; runs: number; seed: number }): Promise<FuzzStats> {
  const { port, db, keys, ids, runs } = o;
      const doc = JSON.parse((await send(port, 'GET', '/openapi.json', {}, undefined)).body) as { paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> };
      const ops: Operation[] = [];
      for (const [p, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          if (method === 'head' || method === 'options') continue;
          const content = op.requestBody?.content ?? {};
          ops.push({ method: method.toUpperCase(), path: p, params: op.parameters ?? [], body: content['application/json']?.schema, bodyTypes: Object.keys(content) });
        }
      }
      assert.ok(ops.length >= 45, `${ops.length} operations published`);
      let sent = 0;
      let rejected = 0;
      const statuses = new Map<number, number>();
      for (const op of ops) {
        const request = fc.record({
          who: fc.constantFrom('operator', 'operator', 'operator', 'customer', 'customer', 'none'),
          params: fc.tuple(...op.params.filter((x) => x.in === 'path').map((x) => fc.oneof(fc.constantFrom(...ids), fromSchema(x.schema)))),
          query: fc.tuple(...op.params.filter((x) => x.in === 'query').map((x) => fc.option(fc.oneof({ weight: 4, arbitrary: fromSchema(x.schema) }, { weight: 1, arbitrary: hostileValue }), { nil: undefined }))),
          body: op.body ? fromSchema(op.body).chain((b) => fc.oneof({ weight: 2, arbitrary: fc.constant(b) }, { weight: 3, arbitrary: mutate(b) })) : fc.constant(undefined),
          form: fc.constantFrom('json', 'json', 'json', 'json', 'invalid-json', 'text', 'xml', 'png', 'none'),
        });
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            const pathParams = op.params.filter((x) => x.in === 'path');
            let url = op.path;
            pathParams.forEach((x, i) => (url = url.replace(`{${x.name}}`, enc(String(r.params[i])))));
            const qs = op.params
              .filter((x) => x.in === 'query')
              .map((x, i) => [x.name, r.query[i]] as const)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${enc(k)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`);
            if (op.path === '/v1/events') qs.push('format=json');
            if (qs.length > 0) url += `?${qs.join('&')}`;
            const headers: Record<string, string> = r.who === 'none' ? {} : { authorization: `Bearer ${keys[r.who]}` };
            let body: string | undefined;
            if (op.method !== 'GET' && op.method !== 'DELETE') {
              const value = r.body ?? {};
              if (r.form === 'json') [headers['content-type'], body] = ['application/json', JSON.stringify(value)];
              else if (r.form === 'invalid-json') [headers['content-type'], body] = ['application/json', JSON.stringify(value).slice(0, -1) + ',,'];
              else if (r.form === 'text') [headers['content-type'], body] = ['text/plain', String(JSON.stringify(value))];
              else if (r.form === 'xml') [headers['content-type'], body] = ['application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'];
              else if (r.form === 'png') [headers['content-type'], body] = ['image/png', '\u0089PNG'];
            }
            const before = await digest(db);
            const res = await send(port, op.method, url, headers, body);
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            assert.ok(res.status >= 200 && res.status < 500, `${op.method} ${url} (${r.who}, ${r.form}) answered ${res.status}: ${res.body.slice(0, 500)}\nbody: ${body?.slice(0, 300)}`);
            if (res.status >= 400) {
              rejected++;
              assert.match(res.contentType, /application\/problem\+json/, `${op.method} ${url}: ${res.status} without problem+json`);
              assert.deepEqual(await digest(db), before, `${op.method} ${url} was refused (${res.status}) but changed the store`);
            }
          }),
          { numRuns: runs, seed: o.seed + ops.indexOf(op) },
        );
      }
  return { operations: ops.length, sent, rejected, statuses };
}
