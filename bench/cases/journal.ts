import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { scratch } from '../lib/paths.js';
import { interleave } from '../lib/rounds.js';
import { appendFor } from '../lib/append-load.js';
import { requestsFor } from '../lib/request-load.js';
import type { Settings } from '../lib/settings.js';
import { medians, ratio, type Figures } from './summarize.js';

export interface JournalResult {
  byWriters: Array<{ writers: number; rounds: Record<string, Figures[]>; median: Record<string, Record<string, number>>; groupOverSingle: number }>;
  /** Intent then outcome per change, writers drifting apart as requests do: commits and CPU per change. */
  requests: Array<{ writers: number; median: Record<string, number> }>;
  note: string;
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
        { name: 'group', run: () => appendFor([group], writers, s.journal.seconds, { maxAppends: 1_000_000 }) },
        { name: 'single', run: () => appendFor([single], writers, s.journal.seconds, { maxAppends: 1_000_000 }) },
      ], { rounds: s.rounds, label: `journal ${writers} writers` }, log);
      byWriters.push({ writers, rounds, median: medians(rounds), groupOverSingle: ratio(rounds, 'group', 'single', 'appendsPerSec') });
    }
    const requests: JournalResult['requests'] = [];
    for (const writers of s.journal.writers.filter((w) => w > 1)) {
      const rounds = await interleave<Figures>([
        { name: 'group', run: () => requestsFor(group, writers, s.journal.seconds) },
      ], { rounds: s.rounds, label: `journal requests ${writers} writers` }, log);
      requests.push({ writers, median: medians(rounds).group! });
    }
    return { byWriters, requests, note: 'in one process; each append is one intent row committed with fsync (WAL, synchronous=FULL) before its promise resolves' };
  } finally {
    await group.close();
    await single.close();
  }
}
