import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { IntentInput, JournalStore } from '../../src/journal/journal-store.js';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { scratch } from '../lib/paths.js';
import { interleave } from '../lib/rounds.js';
import { latency, round } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import { medians, ratio, type Figures } from './summarize.js';

export interface JournalResult {
  byWriters: Array<{ writers: number; rounds: Record<string, Figures[]>; median: Record<string, Record<string, number>>; groupOverSingle: number }>;
  note: string;
}

const MAX_APPENDS = 1_000_000;

/** `writers` concurrent callers appending intents (the gateway's durable write) for a bounded time and count. */
async function appendFor(journal: JournalStore, writers: number, seconds: number): Promise<Figures> {
  const lat = new Float64Array(MAX_APPENDS);
  let n = 0;
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    const intent: IntentInput = { ruleId: 'bench', operation: 'PutObject', bucket: 'bench', key: `writer-${w}`, accessKeyId: 'BENCHCLIENT',
      remoteAddr: '127.0.0.1' };
    while (n < MAX_APPENDS && performance.now() < end) {
      const s = performance.now();
      await journal.appendIntents([intent]);
      lat[n++] = performance.now() - s;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const l = latency(lat.subarray(0, n));
  return { appendsPerSec: round(n / secs, 0), p50Ms: round(l.p50, 3), p99Ms: round(l.p99, 3), loadAvg1m: round(load, 2) };
}

/**
 * Journal: durable appends per second (WAL, synchronous=FULL, hash chain, as the gateway writes intents) with
 * concurrent writers, group commit against one transaction per append.
 */
export async function journalCase(s: Settings, log: (l: string) => void): Promise<JournalResult> {
  const dir = scratch('journal');
  rmSync(dir, { recursive: true, force: true });
  scratch('journal');
  const group = new SqliteJournalStore(join(dir, 'group.db'));
  const single = new SqliteJournalStore(join(dir, 'single.db'), { groupCommit: false });
  try {
    const byWriters: JournalResult['byWriters'] = [];
    for (const writers of s.journal.writers) {
      const rounds = await interleave<Figures>([
        { name: 'group', run: () => appendFor(group, writers, s.journal.seconds) },
        { name: 'single', run: () => appendFor(single, writers, s.journal.seconds) },
      ], { rounds: s.rounds, label: `journal ${writers} writers` }, log);
      byWriters.push({ writers, rounds, median: medians(rounds), groupOverSingle: ratio(rounds, 'group', 'single', 'appendsPerSec') });
    }
    return { byWriters, note: 'in one process; each append is one intent row committed with fsync (WAL, synchronous=FULL) before its promise resolves' };
  } finally {
    await group.close();
    await single.close();
  }
}
