import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The error document of an injected 503 SlowDown, so tests can check a client received exactly it. */
export const SLOW_DOWN_BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>' +
  '<RequestId>FAULT</RequestId></Error>';

/** What the proxy does to the next requests; rates are probabilities in [0, 1]. */
export interface Faults {
  /** Answer 503 SlowDown without forwarding. */
  slowDownRate?: number;
  /** Answer 500 InternalError without forwarding (the source never saw the request). */
  internalErrorRate?: number;
  /** Destroy the client connection without forwarding. */
  resetRate?: number;
  /** Forward, then hold the response this long before passing it on. */
  stallMs?: number;
  stallRate?: number;
  /** Hold the request this long before forwarding it: a write that reaches the server late. */
  holdMs?: number;
  /** Hold the request until this settles, then forward it: a write or a read that waits for what the test does meanwhile. */
  holdUntil?: Promise<unknown>;
  /** Forward, then never pass the response on (the change reached the server, the answer is lost). */
  swallowResponses?: boolean;
  /** Only requests whose method is listed are touched (all when absent). */
  methods?: string[];
  /** At most this many faults in all (counted in `injected`); after them every request passes untouched. */
  limit?: number;
}

/**
 * An HTTP proxy in front of a real S3 server that injects faults: the tests' way to break the network
 * between Ferry and a region without mocking either side.
 */
export class FaultProxy {
  faults: Faults = {};
  forwarded = 0;
  injected = 0;
  /** Forwarded requests whose caller hung up before their answer was passed on whole. */
  cutShort = 0;
  /** `METHOD url` of every request received, in order (faulted ones too). */
  readonly log: string[] = [];
  /** The headers of every request received, in the same order. */
  readonly headers: IncomingMessage['headers'][] = [];
  /** Each forwarded request's body: bytes received from the client, and whether it arrived whole. */
  readonly bodies: Array<{ request: string; received: number; ended: boolean }> = [];
  private server!: Server;
  private readonly stalls = new Set<NodeJS.Timeout>();
  endpoint = '';

  constructor(private readonly upstream: string, private readonly random: () => number = Math.random) {}

  async start(): Promise<this> {
    const up = new URL(this.upstream);
    this.server = createServer((req, res) => this.handle(req, res, up));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private touched(req: IncomingMessage): boolean {
    if (this.faults.limit !== undefined && this.injected >= this.faults.limit) return false;
    return !this.faults.methods || this.faults.methods.includes(req.method ?? '');
  }

  private handle(req: IncomingMessage, res: ServerResponse, up: URL): void {
    const f = this.faults;
    this.log.push(`${req.method} ${req.url}`);
    this.headers.push(req.headers);
    const touched = this.touched(req);
    if (touched && this.random() < (f.resetRate ?? 0)) {
      this.injected++;
      req.socket.destroy();
      return;
    }
    if (touched && this.random() < (f.slowDownRate ?? 0)) {
      this.injected++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SLOW_DOWN_BODY) });
      res.end(SLOW_DOWN_BODY);
      return;
    }
    if (touched && this.random() < (f.internalErrorRate ?? 0)) {
      this.injected++;
      req.resume();
      const doc = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>injected</Message></Error>';
      res.writeHead(500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(doc) });
      res.end(doc);
      return;
    }
    if (touched && f.holdUntil) {
      this.injected++;
      const go = () => this.forward(req, res, up, touched);
      f.holdUntil.then(go, go);
      return;
    }
    if (touched && f.holdMs) {
      this.injected++;
      const timer = setTimeout(() => { this.stalls.delete(timer); this.forward(req, res, up, touched); }, f.holdMs);
      this.stalls.add(timer);
      return;
    }
    this.forward(req, res, up, touched);
  }

  private forward(req: IncomingMessage, res: ServerResponse, up: URL, touched: boolean): void {
    const f = this.faults;
    this.forwarded++;
    const body = { request: `${req.method} ${req.url}`, received: 0, ended: false };
    this.bodies.push(body);
    req.on('data', (c: Buffer) => { body.received += c.length; });
    req.on('end', () => { body.ended = true; });
    const out = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const pass = () => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      };
      if (touched && f.swallowResponses) {
        this.injected++;
        upRes.resume();
        return;
      }
      if (touched && f.stallMs && this.random() < (f.stallRate ?? 1)) {
        this.injected++;
        const timer = setTimeout(() => { this.stalls.delete(timer); pass(); }, f.stallMs);
        this.stalls.add(timer);
      } else pass();
    });
    out.on('error', () => res.destroy());
    res.on('close', () => {
      if (res.writableFinished) return;
      this.cutShort++;
      out.destroy();
    });
    req.pipe(out);
  }

  async stop(): Promise<void> {
    for (const timer of this.stalls) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
