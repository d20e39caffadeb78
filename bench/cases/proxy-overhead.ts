import { interleave, type Variant } from '../lib/rounds.js';
import { cpuSeconds } from '../lib/proc.js';
import type { Settings } from '../lib/settings.js';
import type { LoadClient } from '../load/client.js';
import type { Endpoint } from '../load/protocol.js';
import { startNginxProxy, startWebdavStore } from '../servers/nginx.js';
import { startNodeProxy } from '../servers/node-proxy.js';
import { startS3rver } from '../servers/s3rver.js';
import { FERRY_CLIENT, S3RVER_KEY, startFerryServer } from '../servers/ferry.js';
import { medians, ratio, type Figures } from './summarize.js';

const BUCKET = 'bench';
const SMALL = 4096;
const KEYS = 1000;

interface Path {
  name: 'direct' | 'nginx' | 'node' | 'ferry';
  target: Endpoint;
  /** Processes whose CPU time is the proxy's cost (none for direct). */
  pids(): number[];
}

export interface MetricResult {
  figure: string;
  rounds: Record<string, Figures[]>;
  median: Record<string, Record<string, number>>;
  ferryVsNginx: number;
  ferryVsDirect: number;
  nginxVsDirect: number;
  /** Ferry against a bare Node proxy: what authentication, journaling and re-signing cost. */
  ferryVsNode: number;
  nodeVsNginx: number;
}

export interface BackendResult {
  backend: string;
  note: string;
  metrics: Record<string, MetricResult>;
}

function metric(rounds: Record<string, Figures[]>, figure: string): MetricResult {
  return { figure, rounds, median: medians(rounds), ferryVsNginx: ratio(rounds, 'ferry', 'nginx', figure),
    ferryVsDirect: ratio(rounds, 'ferry', 'direct', figure), nginxVsDirect: ratio(rounds, 'nginx', 'direct', figure),
    ferryVsNode: ratio(rounds, 'ferry', 'node', figure), nodeVsNginx: ratio(rounds, 'node', 'nginx', figure) };
}

/** Runs the four measurements, each interleaved direct / nginx / ferry, against one backend. */
async function measure(load: LoadClient, s: Settings, paths: Path[], log: (l: string) => void, label: string): Promise<Record<string, MetricResult>> {
  const cpu = async <T extends object>(p: Path, work: () => Promise<T>, per: (r: T) => number, unit: string): Promise<T & Figures> => {
    const before = cpuSeconds(p.pids());
    const r = await work();
    const failed = r as { errors?: number; firstError?: string };
    if (failed.errors) throw new Error(`${p.name}: ${failed.errors} requests failed, first: ${failed.firstError}`);
    const used = cpuSeconds(p.pids()) - before;
    return { ...r, [unit]: p.name === 'direct' ? 0 : (used * 1000) / per(r) } as T & Figures;
  };
  const ops = (method: 'PUT' | 'GET', prefix: string): Variant<Figures>[] => paths.map((p) => ({
    name: p.name,
    run: () => cpu(p, () => load.run({ kind: 'ops', target: p.target, method, bucket: BUCKET, prefix, keys: KEYS, size: SMALL,
      concurrency: s.concurrency, seconds: s.opsSeconds, maxOps: 500_000 }), (r) => r.ops, 'proxyCpuMsPerOp'),
  }));
  const big = (method: 'PUT' | 'GET'): Variant<Figures>[] => paths.map((p) => ({
    name: p.name,
    run: () => cpu(p, () => load.run({ kind: 'transfer', target: p.target, method, bucket: BUCKET, key: 'big/object', size: s.bigBytes }),
      (r) => r.bytes / 2 ** 30, 'proxyCpuMsPerGiB'),
  }));
  const o = { rounds: s.rounds };
  const out: Record<string, MetricResult> = {};
  out.put4k = metric(await interleave(ops('PUT', 'small/'), { ...o, label: `${label} 4KiB PUT` }, log), 'opsPerSec');
  await load.run({ kind: 'populate', target: paths[0]!.target, bucket: BUCKET, prefix: 'read/', count: KEYS, size: SMALL, concurrency: 16 });
  out.get4k = metric(await interleave(ops('GET', 'read/'), { ...o, label: `${label} 4KiB GET` }, log), 'opsPerSec');
  out.putBig = metric(await interleave(big('PUT'), { ...o, label: `${label} big PUT` }, log), 'mbPerSec');
  out.getBig = metric(await interleave(big('GET'), { ...o, label: `${label} big GET` }, log), 'mbPerSec');
  return out;
}

/**
 * Proxy overhead: the same load directly against a backend, through nginx as a plain reverse proxy, through a
 * bare Node proxy (for reference: the runtime's own cost), and through Ferry (authentication and journaling on: a rule covers the bucket; its shipper is off so only the
 * request path is measured). Backends: nginx WebDAV (fast) and s3rver (a real S3 API).
 */
export async function proxyOverhead(load: LoadClient, s: Settings, log: (l: string) => void): Promise<BackendResult[]> {
  const replica = await startS3rver('proxy-replica', ['bench-replica']);
  const results: BackendResult[] = [];
  try {
    for (const backend of ['webdav', 's3rver'] as const) {
      const store = backend === 'webdav' ? await startWebdavStore('store', { buckets: [BUCKET] }) : await startS3rver('proxy-source', [BUCKET]);
      const port = Number(new URL(store.endpoint).port);
      const nginx = await startNginxProxy(`proxy-${backend}`, port);
      const node = await startNodeProxy(store.endpoint);
      const ferry = await startFerryServer({
        name: `proxy-${backend}`, sourceEndpoint: store.endpoint, targetEndpoint: replica.endpoint,
        rule: { sourceBucket: BUCKET, targetBucket: 'bench-replica' }, shipper: { enabled: false },
      });
      try {
        const region = 'us-east-1';
        const paths: Path[] = [
          { name: 'direct', target: { endpoint: store.endpoint, ...S3RVER_KEY, region }, pids: () => [] },
          { name: 'nginx', target: { endpoint: nginx.endpoint, ...S3RVER_KEY, region }, pids: () => nginx.pids() },
          { name: 'node', target: { endpoint: node.endpoint, ...S3RVER_KEY, region }, pids: () => node.pids() },
          { name: 'ferry', target: { endpoint: ferry.endpoint, ...FERRY_CLIENT, region }, pids: () => ferry.pids() },
        ];
        results.push({
          backend,
          note: backend === 'webdav' ? 'nginx WebDAV store (PUT writes a file, GET serves it): the proxy is what is measured'
            : 's3rver (a real S3 API in Node): the backend is the limit',
          metrics: await measure(load, s, paths, log, backend),
        });
      } finally {
        await ferry.stop();
        await node.stop();
        await nginx.stop();
        await store.stop();
      }
    }
  } finally {
    await replica.stop();
  }
  return results;
}
