/**
 * Helpers that read the generated API types (openapi.ts, from the server's /openapi.json) by path,
 * method and status, so the portal names what it uses without restating the server's shapes.
 */
import type { paths } from './openapi.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of a response: `ResponseJson<'/v1/services/{id}', 'get'>`. */
export type ResponseJson<P extends keyof paths, M extends Method, S extends number = 200> = paths[P][M] extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer T } }
      ? T
      : never
    : never
  : never;

/** The JSON body of a request. */
export type RequestJson<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;
