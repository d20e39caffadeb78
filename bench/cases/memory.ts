import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { interleave } from '../lib/rounds.js';
import { memory, sampleRss } from '../lib/proc.js';
import { round } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import type { LoadClient } from '../load/client.js';
import { startS3rver } from '../servers/s3rver.js';
import { FERRY_CLIENT, startFerryServer } from '../servers/ferry.js';
import { medians, ratio, type Figures } from './summarize.js';

export interface MemoryResult {
  bigBytes: number;
  smallBytes: number;
  rounds: Record<string, Figures[]>;
  median: Record<string, Record<string, number>>;
  bigOverSmall: number;
  note: string;
}

const MB = 1e6;

async function untilShipped(journalPath: string, timeoutMs: number): Promise<void> {
  const db = new Database(journalPath, { readonly: true, fileMustExist: true });
  const q = db.prepare("SELECT count(*) AS n FROM changes WHERE state = 'shipped'");
  try {
    const deadline = Date.now() + timeoutMs;
    while ((q.get() as { n: number }).n < 1) {
      if (Date.now() > deadline) throw new Error('memory: the object was not replicated in time');
      await sleep(20);
    }
  } finally {
    db.close();
  }
}

/**
 * Memory: the peak resident set of a fresh `ferry serve` while one object is PUT through it and replicated
 * (multipart to the target), for a large and a 20 MiB object; interleaved, a new Ferry each time.
 */
export async function memoryCase(load: LoadClient, s: Settings, log: (l: string) => void): Promise<MemoryResult> {
  const m = s.memory;
  const source = await startS3rver('memory-source', ['mem']);
  const target = await startS3rver('memory-target', ['mem-replica']);
  const once = async (size: number, r: number): Promise<Figures> => {
    const ferry = await startFerryServer({ name: `memory-${size}-${r}`, sourceEndpoint: source.endpoint, targetEndpoint: target.endpoint,
      rule: { sourceBucket: 'mem', targetBucket: 'mem-replica' }, shipper: { enabled: true } });
    try {
      await sleep(300);
      const idle = memory(ferry.pid).rss;
      const sampler = sampleRss(ferry.pid, 20);
      const t0 = performance.now();
      const put = await load.run({ kind: 'transfer', target: { endpoint: ferry.endpoint, ...FERRY_CLIENT, region: 'us-east-1' },
        method: 'PUT', bucket: 'mem', key: `object-${size}-${r}`, size });
      await untilShipped(ferry.journalPath, 600_000);
      const seconds = (performance.now() - t0) / 1000;
      const { peak } = sampler.stop();
      return { peakMB: round(peak / MB, 1), idleMB: round(idle / MB, 1), putMBps: round(put.mbPerSec, 1), putAndReplicateSeconds: round(seconds, 1) };
    } finally {
      await ferry.stop();
    }
  };
  try {
    const rounds = await interleave<Figures>([
      { name: 'small', run: (r) => once(m.smallBytes, r) },
      { name: 'big', run: (r) => once(m.bigBytes, r) },
    ], { rounds: m.rounds, warmup: 0, label: 'memory' }, log);
    return { bigBytes: m.bigBytes, smallBytes: m.smallBytes, rounds, median: medians(rounds), bigOverSmall: ratio(rounds, 'big', 'small', 'peakMB'),
      note: 'peak = max of VmRSS sampled every 20 ms and the kernel\'s VmHWM; a fresh Ferry per measurement (no warm-up: each process starts cold)' };
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}
