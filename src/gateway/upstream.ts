import { Agent, type Dispatcher } from 'undici';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { RegionConfig } from '../config/types.js';
import { endpointOf, signForRegion } from '../s3/sign-request.js';

/** The source region as the gateway sees it: one connection pool and a signer. */
export class Upstream {
  readonly origin: string;
  private readonly agent: Agent;

  constructor(readonly region: RegionConfig, opts: { timeoutMs: number; connections: number }) {
    this.origin = new URL(region.endpoint).origin;
    this.agent = new Agent({
      connections: opts.connections,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
      keepAliveTimeout: 4_000,
    });
  }

  /**
   * Re-signs and sends; the body streams (backpressure comes from undici's socket writes). `unsigned`: the client
   * sent no signature, so neither does Ferry (its region credentials never sign for someone it has not authenticated).
   */
  request(method: string, pathAndQuery: string, headers: Record<string, string>, body: Readable | Buffer | null,
    signal: AbortSignal | EventEmitter, unsigned = false): Promise<Dispatcher.ResponseData> {
    const signed = unsigned ? this.unsignedRequest(pathAndQuery, headers) : signForRegion(this.region, method, pathAndQuery, headers);
    return this.agent.request({
      origin: this.origin, method: method as Dispatcher.HttpMethod, path: signed.path, headers: signed.headers,
      body, signal,
      // undici closes the connection after a HEAD unless told otherwise; S3 answers HEAD without a body.
      reset: method === 'HEAD' ? false : undefined,
    });
  }

  private unsignedRequest(pathAndQuery: string, headers: Record<string, string>): { path: string; headers: Record<string, string> } {
    const { host, basePath } = endpointOf(this.region);
    return { path: basePath + pathAndQuery, headers: { ...headers, host } };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
