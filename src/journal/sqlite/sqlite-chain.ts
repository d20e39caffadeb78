import type Database from 'better-sqlite3';
import { GENESIS_HASH } from '../hash-chain.js';
import { FINISHED_STATES, planPruneBatch, type PruneCursor, type ScanRow } from '../retention.js';
import { checkChain, type ChainReport, type ChainRow } from '../verify-chain.js';
import type { ChainHead, PruneResult } from '../journal-store.js';

const CHAINED = 'seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin, writer, hash';

/** The SQLite journal's hash chain: verification, the head, and pruning by retention (which keeps it verifiable). */
export class SqliteChain {
  constructor(private readonly db: Database.Database) {}

  /** Verifies the chain inside one read transaction, so rows appended meanwhile do not confuse it. */
  verify(maxProblems = 20): ChainReport {
    const db = this.db;
    db.exec('BEGIN');
    try {
      const checkpoints = new Map((db.prepare('SELECT seq, hash FROM checkpoints').all() as Array<{ seq: number; hash: string }>)
        .map((c) => [c.seq, c.hash]));
      const rows = db.prepare(`SELECT ${CHAINED} FROM changes ORDER BY seq`).iterate() as IterableIterator<ChainRow>;
      return checkChain(rows, checkpoints, this.highestSeq(), maxProblems);
    } finally {
      db.exec('COMMIT');
    }
  }

  /** The largest seq ever written (AUTOINCREMENT remembers it even when the rows are gone). */
  highestSeq(): number {
    return (this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").pluck().get() as number | undefined) ?? 0;
  }

  head(): ChainHead {
    const last = (this.db.prepare('SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1').get()
      ?? this.db.prepare('SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1').get()) as ChainHead | undefined;
    return last ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Prunes one batch in one short transaction (so the gateway's commits are not held up): finished rows created
   * before `cutoff`, after the cursor. Every pruned run ends in a checkpoint holding the hash of its last row.
   */
  pruneBatch(cutoff: number, cursor: PruneCursor, batchSize: number, result: PruneResult, now = Date.now()): PruneCursor | undefined {
    const db = this.db;
    return db.transaction(() => {
      const newest = (db.prepare('SELECT max(seq) FROM changes').pluck().get() as number | null) ?? 0;
      const rows = db.prepare(`SELECT ${CHAINED}, state FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`).all(cursor.seq, batchSize) as ScanRow[];
      const checkpoint = db.prepare('SELECT hash FROM checkpoints WHERE seq = ?').pluck();
      const plan = planPruneBatch(rows, cursor, newest, cutoff, (seq) => checkpoint.get(seq) as string | undefined, batchSize);
      for (const run of plan.runs) {
        db.prepare('DELETE FROM changes WHERE seq BETWEEN ? AND ?').run(run.first, run.last);
        db.prepare('DELETE FROM attempts WHERE seq BETWEEN ? AND ?').run(run.first, run.last);
        // A gap needs one checkpoint, at its end. The one before this run is superseded; and when the row after
        // the run was pruned earlier, the checkpoint at the end of that older gap already serves.
        db.prepare('DELETE FROM checkpoints WHERE seq = ?').run(run.first - 1);
        if (db.prepare('SELECT 1 FROM changes WHERE seq = ?').get(run.last + 1)) {
          db.prepare('INSERT OR REPLACE INTO checkpoints (seq, hash, at) VALUES (?, ?, ?)').run(run.last, run.lastHash, now);
        }
        result.pruned += run.last - run.first + 1;
      }
      result.oldestKept ??= plan.oldestKept;
      return plan.next;
    }).immediate();
  }

  /** Prunes every finished row created before `cutoff`, batch by batch, yielding to the event loop between batches. */
  async prune(cutoff: number, opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
    const result: PruneResult = { pruned: 0, checkpoints: 0 };
    let cursor: PruneCursor | undefined = { seq: 0, hash: GENESIS_HASH };
    while (cursor !== undefined && !opts.shouldStop?.()) {
      cursor = this.pruneBatch(cutoff, cursor, opts.batchSize ?? 2000, result);
      await new Promise((r) => setImmediate(r));
    }
    if (result.oldestKept === undefined) delete result.oldestKept;
    result.checkpoints = this.db.prepare('SELECT count(*) FROM checkpoints').pluck().get() as number;
    return result;
  }

  /** How many rows `prune` would remove (the chain is checked only by the real run). */
  countPrunable(cutoff: number): number {
    const db = this.db;
    const newest = (db.prepare('SELECT max(seq) FROM changes').pluck().get() as number | null) ?? 0;
    const marks = FINISHED_STATES.map(() => '?').join(', ');
    const bound = (db.prepare('SELECT min(seq) FROM changes WHERE created_at >= ?').pluck().get(cutoff) as number | null) ?? newest;
    return db.prepare(`SELECT count(*) FROM changes WHERE seq < ? AND seq < ? AND state IN (${marks})`).pluck()
      .get(bound, newest, ...FINISHED_STATES) as number;
  }
}
