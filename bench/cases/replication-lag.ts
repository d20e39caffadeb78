import type { Settings } from '../lib/settings.js';
import { latency, round } from '../lib/stats.js';
import { cpuSeconds } from '../lib/proc.js';
import type { LoadClient } from '../load/client.js';
import type { Endpoint } from '../load/protocol.js';
import { startS3rver } from '../servers/s3rver.js';
import { startRgwPair } from '../servers/rgw.js';
import { FERRY_CLIENT, S3RVER_KEY, startFerryServer } from '../servers/ferry.js';

export interface LagCaseResult {
  objects: number;
  objectBytes: number;
  perSecond: number;
  seconds: number;
  acked: number;
  present: number;
  errors: number;
  lagMs: { p50: number; p99: number; max: number };
  ackP50Ms: number;
  ferryCpuPercent: number;
  pollMs: number;
  /** How presence was seen: a HEAD per object, or one listing watcher. */
  watch: 'head' | 'list';
  shipperConcurrency: number;
  /** What the regions are: two s3rver processes, or two radosgw of one Ceph cluster. */
  regions: 's3rver' | 'rgw';
  firstError?: string;
}

/** The regions a lag case runs between, with buckets `lag` in the source and `lag-replica` in the target. */
interface LagRegions {
  kind: 's3rver' | 'rgw';
  source: Endpoint;
  target: Endpoint;
  stop(): Promise<void>;
}

interface LagShape { perSecond: number; seconds: number; size: number; watch: 'head' | 'list'; pollMs: number; shipperConcurrency: number }

/**
 * Replication lag: objects PUT through Ferry at a steady rate between two s3rver regions; the lag of each is the
 * time from Ferry's 200 to the object being present (full size) in the target: 2 MB at 10/s seen by HEAD every
 * 20 ms, and small changes at hundreds per second seen by one watcher listing the target every 50 ms.
 */
export async function replicationLag(load: LoadClient, s: Settings, log: (l: string) => void): Promise<LagCaseResult> {
  return lagRun(load, 'lag', { ...s.lag, watch: 'head', pollMs: 20, shipperConcurrency: 8 }, await s3rverRegions('lag'), log);
}

/** Small changes at a high rate (4 KiB at 500/s): bounded by `seconds`, and each object by a 60 s timeout. */
export async function smallChangesLag(load: LoadClient, s: Settings, log: (l: string) => void): Promise<LagCaseResult> {
  return lagRun(load, 'lag-small', smallShape(s), await s3rverRegions('lag-small'), log);
}

/**
 * The same small changes between two Ceph RGW regions: a backend that, unlike one s3rver process, is built to
 * take hundreds of requests per second (about 20 s to start the cluster).
 */
export async function smallChangesLagRgw(load: LoadClient, s: Settings, log: (l: string) => void): Promise<LagCaseResult> {
  const pair = await startRgwPair();
  await load.run({ kind: 'createBucket', target: pair.source, bucket: 'lag' });
  await load.run({ kind: 'createBucket', target: pair.target, bucket: 'lag-replica' });
  log(`lag-small-rgw: regions at ${pair.source.endpoint} and ${pair.target.endpoint}`);
  return lagRun(load, 'lag-small-rgw', smallShape(s), { kind: 'rgw', ...pair }, log);
}

function smallShape(s: Settings): LagShape {
  return { ...s.lagSmall, watch: 'list', pollMs: 50, shipperConcurrency: s.lagSmall.shipperConcurrency };
}

async function s3rverRegions(name: string): Promise<LagRegions> {
  const source = await startS3rver(`${name}-source`, ['lag']);
  const target = await startS3rver(`${name}-target`, ['lag-replica']);
  const end = (endpoint: string): Endpoint => ({ endpoint, ...S3RVER_KEY, region: 'us-east-1' });
  return { kind: 's3rver', source: end(source.endpoint), target: end(target.endpoint),
    stop: async () => { await Promise.all([source.stop(), target.stop()]); } };
}

async function lagRun(load: LoadClient, name: string, shape: LagShape, regions: LagRegions, log: (l: string) => void): Promise<LagCaseResult> {
  const key = (e: Endpoint) => ({ accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey });
  const ferry = await startFerryServer({ name, sourceEndpoint: regions.source.endpoint, targetEndpoint: regions.target.endpoint,
    sourceKey: key(regions.source), targetKey: key(regions.target),
    rule: { sourceBucket: 'lag', targetBucket: 'lag-replica' }, shipper: { enabled: true, concurrency: shape.shipperConcurrency } });
  try {
    const { pollMs, watch } = shape;
    const job = (prefix: string, seconds: number, timeoutMs: number) => ({ kind: 'lag' as const,
      ferry: { endpoint: ferry.endpoint, ...FERRY_CLIENT, region: 'us-east-1' },
      region: regions.target, bucket: 'lag', targetBucket: 'lag-replica',
      prefix, size: shape.size, perSecond: shape.perSecond, seconds, pollMs, timeoutMs, watch });
    // A short warm-up so connection set-up and JIT do not count.
    await load.run(job('warm/', 2, 30_000));
    log(`${name}: ${shape.perSecond}/s of ${shape.size} bytes for ${shape.seconds}s (watched by ${watch})`);
    const cpu0 = cpuSeconds(ferry.pids());
    const t0 = performance.now();
    const r = await load.run(job('obj/', shape.seconds, 60_000));
    const cpu = ((cpuSeconds(ferry.pids()) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
    const l = latency(r.lagsMs);
    const out: LagCaseResult = {
      objects: r.sent, objectBytes: shape.size, perSecond: shape.perSecond, seconds: shape.seconds, acked: r.acked,
      present: r.present, errors: r.errors, lagMs: { p50: round(l.p50, 1), p99: round(l.p99, 1), max: round(l.max, 1) },
      ackP50Ms: round(r.ackP50, 1), ferryCpuPercent: round(cpu, 1), pollMs, watch, shipperConcurrency: shape.shipperConcurrency,
      regions: regions.kind, firstError: r.firstError,
    };
    log(`${name}: ${JSON.stringify(out)}`);
    return out;
  } finally {
    await ferry.stop();
    await regions.stop();
  }
}
