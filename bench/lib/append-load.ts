import { loadavg } from 'node:os';
import type { IntentInput, JournalStore } from '../../src/journal/journal-store.js';
import { latency, round } from './stats.js';
import type { Figures } from '../cases/summarize.js';

/** The one intent every writer appends, unless a case spreads its keys. */
export const sameKeyIntent = (writer: number): IntentInput => ({ ruleId: 'bench', operation: 'PutObject', bucket: 'bench',
  key: `writer-${writer}`, accessKeyId: 'BENCHCLIENT', remoteAddr: '127.0.0.1' });

/**
 * `writers` concurrent callers, spread over `stores`, each appending one intent at a time (the gateway's durable
 * write) for a bounded time and count; `intentOf(writer, i)` says what the i-th append of a writer is.
 */
export async function appendFor(stores: JournalStore[], writers: number, seconds: number,
  opts: { intentOf?: (writer: number, i: number) => IntentInput; maxAppends?: number } = {}): Promise<Figures> {
  const max = opts.maxAppends ?? 2_000_000;
  const intentOf = opts.intentOf ?? sameKeyIntent;
  const lat = new Float64Array(max);
  let n = 0;
  const load = loadavg()[0]!;
  // Commits the stores announce (SQLite: every group commit), to show how many appends each one carried.
  let commits = 0;
  const counted = () => { commits++; };
  for (const store of stores) store.on('commit', counted);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    const journal = stores[w % stores.length]!;
    for (let i = 0; n < max && performance.now() < end; i++) {
      const s = performance.now();
      await journal.appendIntents([intentOf(w, i)]);
      lat[n++] = performance.now() - s;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  for (const store of stores) store.off('commit', counted);
  const l = latency(lat.subarray(0, n));
  return { appendsPerSec: round(n / secs, 0), p50Ms: round(l.p50, 3), p99Ms: round(l.p99, 3), loadAvg1m: round(load, 2),
    ...(commits > 0 ? { appendsPerCommit: round(n / commits, 1) } : {}) };
}
