import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FERRY_CLI, scratch } from '../lib/paths.js';
import { interleave } from '../lib/rounds.js';
import { cpuSeconds, runToEnd } from '../lib/proc.js';
import type { Settings } from '../lib/settings.js';
import type { LoadClient } from '../load/client.js';
import type { Endpoint } from '../load/protocol.js';
import { startS3rver } from '../servers/s3rver.js';
import { startRgwPair } from '../servers/rgw.js';
import { S3RVER_KEY, startFerryServer } from '../servers/ferry.js';
import { medians, ratio, type Figures } from './summarize.js';

export interface BackfillResult {
  /** Which S3 servers the two regions were. */
  regions: 's3rver' | 'rgw';
  objects: number;
  objectBytes: number;
  concurrency: number;
  rounds: Record<string, Figures[]>;
  median: Record<string, Record<string, number>>;
  /** rclone's wall time over Ferry's (above 1: Ferry is faster). */
  rcloneOverFerry: number;
  note: string;
}

type Key = { accessKeyId: string; secretAccessKey: string };

/** rclone with remotes `src` and `dst` configured through a scratch environment (no machine configuration). */
function rcloneEnv(source: Endpoint, target: Endpoint): Record<string, string> {
  const home = scratch('rclone-home');
  const config = join(home, 'rclone.conf');
  writeFileSync(config, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home, RCLONE_CONFIG: config };
  for (const [name, end] of [['SRC', source], ['DST', target]] as const) {
    Object.assign(env, {
      [`RCLONE_CONFIG_${name}_TYPE`]: 's3', [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Other',
      [`RCLONE_CONFIG_${name}_ENDPOINT`]: end.endpoint, [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: end.accessKeyId,
      [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: end.secretAccessKey, [`RCLONE_CONFIG_${name}_REGION`]: 'us-east-1',
      [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: 'true',
    });
  }
  return env;
}

/** Waits until the journal holds `n` shipped rows (read-only look, as `ferry status` does). */
async function shipped(journalPath: string, n: number, timeoutMs: number): Promise<void> {
  const db = new Database(journalPath, { readonly: true, fileMustExist: true });
  const count = db.prepare("SELECT count(*) AS n FROM changes WHERE state = 'shipped'");
  const failed = db.prepare("SELECT count(*) AS n FROM changes WHERE state = 'failed'");
  try {
    const deadline = Date.now() + timeoutMs;
    while ((count.get() as { n: number }).n < n) {
      if ((failed.get() as { n: number }).n > 0) throw new Error('backfill: the shipper marked changes failed');
      if (Date.now() > deadline) throw new Error(`backfill: not all ${n} objects shipped after ${timeoutMs} ms`);
      await sleep(20);
    }
  } finally {
    db.close();
  }
}

/** The two regions a backfill runs between, and the processes that serve them. */
interface RegionPair {
  kind: 's3rver' | 'rgw';
  source: Endpoint;
  target: Endpoint;
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * Backfill: `ferry resync` of N objects from one s3rver region to the other (a running Ferry's shipper copies
 * them), against `rclone copy` with the same concurrency; each round copies into a fresh, empty bucket.
 */
export async function backfill(load: LoadClient, s: Settings, log: (l: string) => void): Promise<BackfillResult> {
  const source = await startS3rver('backfill-source', ['data']);
  const target = await startS3rver('backfill-target', []);
  const end = (endpoint: string): Endpoint => ({ endpoint, ...S3RVER_KEY, region: 'us-east-1' });
  return backfillBetween(load, s, log, { kind: 's3rver', source: end(source.endpoint), target: end(target.endpoint),
    pids: () => [...source.pids(), ...target.pids()], stop: async () => { await Promise.all([source.stop(), target.stop()]); } });
}

/** The same backfill between two Ceph RGW regions (one throwaway cluster; about 20 s to start). */
export async function backfillRgw(load: LoadClient, s: Settings, log: (l: string) => void): Promise<BackfillResult> {
  const pair = await startRgwPair();
  await load.run({ kind: 'createBucket', target: pair.source, bucket: 'data' });
  log(`backfill-rgw: regions at ${pair.source.endpoint} and ${pair.target.endpoint}`);
  return backfillBetween(load, s, log, { kind: 'rgw', ...pair });
}

async function backfillBetween(load: LoadClient, s: Settings, log: (l: string) => void, regions: RegionPair): Promise<BackfillResult> {
  const b = s.backfill;
  const dst = regions.target;
  const key = (e: Endpoint): Key => ({ accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey });
  // Both tools are bound by what the two regions' processes can serve: their CPU per object shows each tool's cost there.
  const regionPids = () => regions.pids();
  try {
    const filled = await load.run({ kind: 'populate', target: regions.source,
      bucket: 'data', prefix: 'obj/', count: b.objects, size: b.size, concurrency: 16 });
    log(`backfill (${regions.kind}): ${b.objects} objects of ${b.size} bytes stored in the source in ${filled.seconds.toFixed(1)}s`);
    const env = rcloneEnv(regions.source, regions.target);
    const check = async (bucket: string) => {
      const { objects } = await load.run({ kind: 'count', target: dst, bucket });
      if (objects !== b.objects) throw new Error(`backfill: ${bucket} holds ${objects} objects, not ${b.objects}`);
    };
    const rounds = await interleave<Figures>([
      {
        name: 'rclone',
        async run(r) {
          // A copy that fails is run again once, into a bucket of its own, and only the second is timed: rclone
          // has seen s3rver cut a body short under load ("corrupted on transfer"), which is not a backfill's cost.
          let bucket = '';
          let res: Awaited<ReturnType<typeof runToEnd>> | undefined;
          let regionsCpu = 0;
          for (let attempt = 1; attempt <= 2; attempt++) {
            bucket = `rclone-${r + 2}${attempt > 1 ? `-again` : ''}`;
            await load.run({ kind: 'createBucket', target: dst, bucket });
            const regions0 = cpuSeconds(regionPids());
            res = await runToEnd('env', ['-u', 'AWS_CA_BUNDLE', 'rclone', 'copy', 'src:data', `dst:${bucket}`,
              '--transfers', String(b.concurrency), '--checkers', String(b.concurrency), '--retries', '1'], { env });
            regionsCpu = cpuSeconds(regionPids()) - regions0;
            if (res.code === 0) break;
            log(`backfill (${regions.kind}): rclone copy failed (${res.code}) on attempt ${attempt}: ${res.stderr.trim().split('\n').pop()}`);
          }
          if (!res || res.code !== 0) throw new Error(`rclone copy failed twice (${res?.code}): ${res?.stderr.slice(-500)}`);
          await check(bucket);
          return { seconds: res.ms / 1000, objectsPerSec: b.objects / (res.ms / 1000), toolCpuMsPerObject: (res.cpuSeconds * 1000) / b.objects,
            regionsCpuMsPerObject: (regionsCpu * 1000) / b.objects };
        },
      },
      {
        name: 'ferry',
        async run(r) {
          const bucket = `ferry-${r + 2}`;
          await load.run({ kind: 'createBucket', target: dst, bucket });
          const ferry = await startFerryServer({ name: `backfill-${r + 2}`, sourceEndpoint: regions.source.endpoint,
            targetEndpoint: dst.endpoint, sourceKey: key(regions.source), targetKey: key(dst),
            // RGW names x-amz-tagging-count for every tagged object, as S3 does: declared, no untagged object's tags are read.
            sourceCountsTags: regions.kind === 'rgw' ? true : undefined,
            rule: { sourceBucket: 'data', targetBucket: bucket }, shipper: { enabled: true, concurrency: b.concurrency } });
          try {
            const regions0 = cpuSeconds(regionPids());
            const ferry0 = cpuSeconds(ferry.pids());
            const t0 = performance.now();
            const res = await runToEnd(process.execPath, [FERRY_CLI, 'resync', '--rule', 'bench', '--config', ferry.configFile]);
            if (res.code !== 0) throw new Error(`ferry resync failed (${res.code}): ${res.stderr.slice(-500)}`);
            const walked = (performance.now() - t0) / 1000;
            await shipped(ferry.journalPath, b.objects, 600_000);
            const seconds = (performance.now() - t0) / 1000;
            const toolCpu = res.cpuSeconds + cpuSeconds(ferry.pids()) - ferry0;
            const regionsCpu = cpuSeconds(regionPids()) - regions0;
            await check(bucket);
            return { seconds, objectsPerSec: b.objects / seconds, resyncCommandSeconds: walked,
              toolCpuMsPerObject: (toolCpu * 1000) / b.objects, regionsCpuMsPerObject: (regionsCpu * 1000) / b.objects };
          } finally {
            await ferry.stop();
          }
        },
      },
    ], { rounds: b.rounds, label: `backfill (${regions.kind})` }, log);
    return { regions: regions.kind, objects: b.objects, objectBytes: b.size, concurrency: b.concurrency, rounds, median: medians(rounds),
      rcloneOverFerry: ratio(rounds, 'rclone', 'ferry', 'seconds'),
      note: `rclone copy --transfers ${b.concurrency} --checkers ${b.concurrency}; Ferry: shipper.concurrency ${b.concurrency}, ` +
        'timed from starting `ferry resync` until the running Ferry has shipped every row' +
        (regions.kind === 'rgw' ? '; the RGW source region declared `countsTags: true`' : '') };
  } finally {
    await regions.stop();
  }
}
