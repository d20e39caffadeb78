import type Database from 'better-sqlite3';

/** States of a change that is finished: nothing will ship it again. */
export const FINISHED_STATES = ['shipped', 'rejected', 'cancelled'];

export interface PruneResult {
  pruned: number;
  /** Checkpoints in the journal afterwards: one per gap, each lets `verify` resume the chain after it. */
  checkpoints: number;
  /** The oldest unfinished row created before the cutoff: it and its like stay, and will be pruned once finished. */
  oldestKept?: { seq: number; state: string };
}

interface ScanRow {
  seq: number;
  hash: string;
  state: string;
  created_at: number;
}

/**
 * Prunes one batch (one short transaction, so the gateway's commits are not held up): finished rows created
 * before `cutoff`, starting after `afterSeq`. Every pruned run of rows ends in a checkpoint holding the hash of
 * its last row, so the chain verifies across the gap. The newest row always stays: new rows chain from it.
 * Returns the last seq looked at, or undefined when the scan reached the cutoff or the end.
 */
export function pruneBatch(db: Database.Database, cutoff: number, afterSeq: number, batchSize: number, result: PruneResult,
  now = Date.now()): number | undefined {
  return db.transaction(() => {
    const newest = (db.prepare('SELECT max(seq) AS s FROM changes').get() as { s: number | null }).s ?? 0;
    const rows = db.prepare('SELECT seq, hash, state, created_at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, batchSize) as ScanRow[];
    let run: ScanRow[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const first = run[0]!;
      const last = run[run.length - 1]!;
      db.prepare('DELETE FROM changes WHERE seq BETWEEN ? AND ?').run(first.seq, last.seq);
      db.prepare('DELETE FROM attempts WHERE seq BETWEEN ? AND ?').run(first.seq, last.seq);
      // A gap needs one checkpoint, at its end. The one before this run is superseded; and when the row after
      // the run was pruned earlier, the checkpoint at the end of that older gap already serves.
      db.prepare('DELETE FROM checkpoints WHERE seq = ?').run(first.seq - 1);
      if (db.prepare('SELECT 1 FROM changes WHERE seq = ?').get(last.seq + 1)) {
        db.prepare('INSERT OR REPLACE INTO checkpoints (seq, hash, at) VALUES (?, ?, ?)').run(last.seq, last.hash, now);
      }
      result.pruned += run.length;
      run = [];
    };
    for (const row of rows) {
      if (row.created_at >= cutoff || row.seq === newest) {
        flush();
        return undefined;
      }
      if (FINISHED_STATES.includes(row.state)) {
        // Only a contiguous run is deleted with one checkpoint; a kept row in between splits runs.
        if (run.length && run[run.length - 1]!.seq !== row.seq - 1) flush();
        run.push(row);
      } else {
        flush();
        result.oldestKept ??= { seq: row.seq, state: row.state };
      }
    }
    flush();
    return rows.length < batchSize ? undefined : rows[rows.length - 1]!.seq;
  }).immediate();
}

/** Prunes every finished row created before `cutoff`, batch by batch, yielding to the event loop between batches. */
export async function pruneJournal(db: Database.Database, cutoff: number,
  opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
  const result: PruneResult = { pruned: 0, checkpoints: 0 };
  let after: number | undefined = 0;
  while (after !== undefined && !opts.shouldStop?.()) {
    after = pruneBatch(db, cutoff, after, opts.batchSize ?? 2000, result);
    await new Promise((r) => setImmediate(r));
  }
  result.checkpoints = (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
  return result;
}

/** How many rows `pruneJournal` would remove, for `--dry-run`. */
export function countPrunable(db: Database.Database, cutoff: number): number {
  const newest = (db.prepare('SELECT max(seq) AS s FROM changes').get() as { s: number | null }).s ?? 0;
  const marks = FINISHED_STATES.map(() => '?').join(', ');
  const bound = (db.prepare('SELECT min(seq) AS s FROM changes WHERE created_at >= ?').get(cutoff) as { s: number | null }).s ?? newest;
  return (db.prepare(`SELECT count(*) AS n FROM changes WHERE seq < ? AND seq < ? AND state IN (${marks})`)
    .get(bound, newest, ...FINISHED_STATES) as { n: number }).n;
}
