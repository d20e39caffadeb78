import { loadavg } from 'node:os';
import type { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { round } from './stats.js';
import type { Figures } from '../cases/summarize.js';

const turns = async (n: number) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

/**
 * `writers` callers journaling as the gateway does for each PUT: a durable intent, then (after a spread number of
 * event-loop turns, the request's time at the source) its outcome, awaited before the next. Unlike `appendFor`,
 * the writers drift apart, so the figures show how many commits a change costs when requests do not arrive
 * together: commits per change and the process's CPU per change.
 */
export async function requestsFor(journal: SqliteJournalStore, writers: number, seconds: number, maxChanges = 200_000): Promise<Figures> {
  let commits = 0;
  const counted = () => { commits++; };
  journal.on('commit', counted);
  let n = 0;
  let spread = 12345;
  const load = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  try {
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; n < maxChanges && performance.now() < end; i++) {
        const [seq] = await journal.appendIntents([{ ruleId: 'bench', operation: 'PutObject', bucket: 'bench',
          key: `writer-${w}/${i % 100}`, accessKeyId: 'BENCHCLIENT', remoteAddr: '127.0.0.1' }]);
        spread = (spread * 1103515245 + 12345) % 2147483648; // deterministic, so runs compare
        await turns(spread % 30);
        await journal.recordOutcomes([{ seq: seq!, applied: true, status: 200, etag: '"bench"', size: 4096 }]);
        n++;
      }
    }));
  } finally {
    journal.off('commit', counted);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { changesPerSec: round(n / secs, 0), cpuUsPerChange: round((cpu.user + cpu.system) / n, 1),
    commitsPerChange: round(commits / n, 3), loadAvg1m: round(load, 2) };
}
