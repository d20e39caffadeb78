// A pass-through proxy in front of a region that watches writes per key: the proof that two shippers never copy
// one key at the same time (a copy is a sequence of writes to its key: PUT, or multipart create/parts/complete).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class KeyProbe {
  endpoint = '';
  /** Writes seen, and keys that had two writes in flight at once (with when). */
  writes = 0;
  readonly overlaps: Array<{ key: string; at: number }> = [];
  private readonly inFlight = new Map<string, number>();
  private server!: Server;

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    const up = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const key = decodeURIComponent((req.url ?? '').split('?')[0]!);
      const write = req.method === 'PUT' || req.method === 'DELETE' || (req.method === 'POST' && !/[?&]delete/.test(req.url ?? ''));
      const isObject = key.split('/').filter(Boolean).length > 1;
      let done = false;
      const finish = () => {
        if (done || !write || !isObject) return;
        done = true;
        this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      };
      if (write && isObject) {
        this.writes++;
        const n = (this.inFlight.get(key) ?? 0) + 1;
        this.inFlight.set(key, n);
        if (n > 1) this.overlaps.push({ key, at: Date.now() });
      }
      const out = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', finish);
      });
      out.once('error', () => { finish(); res.destroy(); });
      res.once('close', finish);
      req.pipe(out);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
