import { Pool } from 'undici';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'undici/types/header.js';
import type { RegionConfig } from '../config/types.js';
import { objectPath, signForRegion } from './sign-request.js';
import { parseErrorXml } from './xml.js';

/** An error answer from a region, with S3's code, so callers never see transport types. */
export class S3ResponseError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly op: string) {
    super(`${op}: ${status} ${code}: ${message}`);
    this.name = 'S3ResponseError';
  }
}

export interface S3Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface RequestOptions {
  op: string;
  method: string;
  bucket: string;
  key?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable | null;
  /** Statuses that are answers, not errors (404 for HEAD, say). */
  accept?: number[];
  signal?: AbortSignal;
}

/** Drops a response body we will not read, without an unhandled 'error' from the destroyed stream. */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A small S3 client for one region, over undici and aws4: what the shipper, verify and resync need. */
export class RegionClient {
  private readonly pool: Pool;

  constructor(readonly name: string, readonly region: RegionConfig, opts: { connections?: number; timeoutMs?: number } = {}) {
    this.pool = new Pool(new URL(region.endpoint).origin, {
      connections: opts.connections ?? 32,
      headersTimeout: opts.timeoutMs ?? 30_000,
      bodyTimeout: opts.timeoutMs ?? 30_000,
    });
  }

  /** Sends one signed request; non-2xx answers (not listed in `accept`) become S3ResponseError. */
  async send(o: RequestOptions): Promise<S3Response> {
    const pathAndQuery = objectPath(o.bucket, o.key) + (o.query ? `?${o.query}` : '');
    const signed = signForRegion(this.region, o.method, pathAndQuery, o.headers ?? {});
    const res = await this.pool.request({
      method: o.method as 'GET', path: signed.path, headers: signed.headers, body: o.body ?? null, signal: o.signal,
      // undici closes the connection after a HEAD unless told otherwise; S3 answers HEAD without a body.
      reset: o.method === 'HEAD' ? false : undefined,
    });
    const ok = (res.statusCode >= 200 && res.statusCode < 300) || (o.accept ?? []).includes(res.statusCode);
    if (!ok) {
      const text = await res.body.text().catch(() => '');
      const err = parseErrorXml(text);
      throw new S3ResponseError(res.statusCode, err?.code ?? `HTTP${res.statusCode}`, err?.message ?? text.slice(0, 200), o.op);
    }
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Sends and reads the whole (small, XML) answer. */
  async sendText(o: RequestOptions): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const res = await this.send(o);
    return { status: res.status, headers: res.headers, text: await (res.body as unknown as { text(): Promise<string> }).text() };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
