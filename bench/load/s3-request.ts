import aws4 from 'aws4';
import { Pool, type Dispatcher } from 'undici';
import type { Endpoint } from './protocol.js';

const pools = new Map<string, Pool>();

/** One connection pool per origin and size, kept for the life of the load process. */
export function poolFor(endpoint: string, connections: number): Pool {
  const id = `${endpoint} ${connections}`;
  let pool = pools.get(id);
  if (!pool) {
    pool = new Pool(endpoint, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 300_000, bodyTimeout: 300_000 });
    pools.set(id, pool);
  }
  return pool;
}

/** Encodes an object key for a path (unreserved characters and '/' stay). */
export function keyPath(bucket: string, key?: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%2F/g, '/');
  return key === undefined ? `/${enc(bucket)}` : `/${enc(bucket)}/${enc(key)}`;
}

/**
 * Sends one request signed with SigV4 as a client would (aws4, a fresh signature per request, UNSIGNED-PAYLOAD
 * so bodies stream unhashed).
 */
export function s3Request(pool: Pool, target: Endpoint, method: string, path: string, o: {
  body?: Dispatcher.DispatchOptions['body']; length?: number; headers?: Record<string, string>; query?: string;
} = {}): Promise<Dispatcher.ResponseData> {
  const url = new URL(target.endpoint);
  const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...o.headers };
  if (o.length !== undefined) headers['content-length'] = String(o.length);
  const signed = aws4.sign({ host: url.host, path: o.query ? `${path}?${o.query}` : path, method, headers, service: 's3', region: target.region },
    { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey });
  return pool.request({ method: method as Dispatcher.HttpMethod, path: signed.path as string, headers: signed.headers as Record<string, string>,
    body: o.body ?? null, reset: method === 'HEAD' ? false : undefined });
}

/** Reads and drops a body, returning its length. */
export function drain(body: Dispatcher.ResponseData['body']): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    body.on('data', (c: Buffer) => { n += c.length; });
    body.once('end', () => resolve(n));
    body.once('error', reject);
  });
}
