import { PgJournalStore } from '../../src/journal/postgres/pg-store.js';
import { startPostgres, type Postgres } from '../../test/helpers/postgres.js';
import { appendFor } from '../lib/append-load.js';
import { round } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import { medians, type Figures } from './summarize.js';

export interface PgJournalResult {
  /** Durable appends per second with `writers` concurrent callers; `stores` pools (processes of a fleet) share them. */
  byWriters: Array<{ writers: number; stores: number; rounds: Figures[]; median: Record<string, number> }>;
  /** `verifyChain` over everything appended, at the end. */
  verify: { ok: boolean; rows: number; seconds: number };
  note: string;
}


/**
 * PostgreSQL journal: durable appends per second (each an intent committed with synchronous_commit on before its
 * promise resolves, one hash chain) with 1, 16 and 64 writers in one process, and 64 writers split over two stores
 * (two pools, each with its own idea of the chain's head, as two gateways of a fleet), then `verifyChain` over it all.
 */
export async function pgJournalCase(s: Settings, log: (l: string) => void): Promise<PgJournalResult> {
  let pg: Postgres;
  try {
    pg = await startPostgres();
  } catch (err) {
    throw new Error(`the journal-pg case needs PostgreSQL (Debian's postgresql package): ${(err as Error).message}`);
  }
  try {
    const url = await pg.createDatabase('bench_journal');
    const one = await PgJournalStore.open(url, { writer: 'bench-a' });
    const other = await PgJournalStore.open(url, { writer: 'bench-b' });
    try {
      const byWriters: PgJournalResult['byWriters'] = [];
      const variants = [...s.journal.writers.map((writers) => ({ writers, stores: [one] })), { writers: 64, stores: [one, other] }];
      for (const v of variants) {
        const rounds: Figures[] = [];
        await appendFor(v.stores, v.writers, 1);
        for (let i = 0; i < s.rounds; i++) rounds.push(await appendFor(v.stores, v.writers, s.journal.seconds));
        byWriters.push({ writers: v.writers, stores: v.stores.length, rounds, median: medians({ pg: rounds }).pg! });
        log(`journal-pg: ${v.writers} writers over ${v.stores.length} store(s): ${rounds.map((r) => r.appendsPerSec).join(', ')} appends/s`);
      }
      const t0 = performance.now();
      const report = await one.verifyChain();
      const verify = { ok: report.ok, rows: report.rows, seconds: round((performance.now() - t0) / 1000, 2) };
      log(`journal-pg: verify ${verify.ok ? 'ok' : 'FAILED'} over ${verify.rows} rows in ${verify.seconds} s`);
      return { byWriters, verify, note: 'one PostgreSQL 15 (initdb defaults, fsync on, synchronous_commit on) on this machine, in the bench process\'s ' +
        'machine; every append is one intent row; one warm-up second, then rounds of the configured seconds' };
    } finally {
      await one.close();
      await other.close();
    }
  } finally {
    await pg.stop();
  }
}
