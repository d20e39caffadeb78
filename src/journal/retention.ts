import type Database from 'better-sqlite3';
import { FerryError } from '../errors/ferry-error.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';
import type { ChainRow } from './verify-chain.js';

/** States of a change that is finished: nothing will ship it again. */
export const FINISHED_STATES = ['shipped', 'rejected', 'cancelled', 'unchanged'];

export interface PruneResult {
  pruned: number;
  /** Checkpoints in the journal afterwards: one per gap, each lets `verify` resume the chain after it. */
  checkpoints: number;
  /** The oldest unfinished row created before the cutoff: it and its like stay, and will be pruned once finished. */
  oldestKept?: { seq: number; state: string };
}

/** Where the scan stands: the last row (or checkpoint) whose hash was checked, so the next batch links to it. */
export interface PruneCursor {
  seq: number;
  hash: string;
}

type ScanRow = ChainRow & { state: string };

function tampered(seq: number, why: string): FerryError {
  return new FerryError('JOURNAL_TAMPERED', `pruning stopped at seq ${seq}: ${why}`,
    'retention never deletes evidence: run `ferry journal verify` and investigate before pruning again');
}

/**
 * Prunes one batch (one short transaction, so the gateway's commits are not held up): finished rows created
 * before `cutoff`, after the cursor. Each row scanned is first checked against the chain, so pruning never
 * erases an altered row or hides a deleted one (it throws JOURNAL_TAMPERED instead). Every pruned run ends in a
 * checkpoint holding the hash of its last row, so the chain verifies across the gap. The newest row always stays:
 * new rows chain from it. Returns the cursor for the next batch, or undefined when the scan is over.
 */
export function pruneBatch(db: Database.Database, cutoff: number, cursor: PruneCursor, batchSize: number,
  result: PruneResult, now = Date.now()): PruneCursor | undefined {
  return db.transaction(() => {
    const newest = (db.prepare('SELECT max(seq) AS s FROM changes').get() as { s: number | null }).s ?? 0;
    const rows = db.prepare(`SELECT seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin,
      hash, state FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`).all(cursor.seq, batchSize) as ScanRow[];
    const checkpoint = db.prepare('SELECT hash FROM checkpoints WHERE seq = ?').pluck();
    let prev = cursor;
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
      if (row.seq !== prev.seq + 1) {
        const hash = checkpoint.get(row.seq - 1) as string | undefined;
        if (hash === undefined) {
          const gap = prev.seq + 1 === row.seq - 1 ? `row ${row.seq - 1} is` : `rows ${prev.seq + 1}..${row.seq - 1} are`;
          throw tampered(row.seq, `${gap} missing and no checkpoint explains it`);
        }
        flush();
        prev = { seq: row.seq - 1, hash };
      }
      if (chainHash(prev.hash, row) !== row.hash) throw tampered(row.seq, `row ${row.seq} does not match the chain`);
      prev = { seq: row.seq, hash: row.hash };
      if (FINISHED_STATES.includes(row.state)) {
        run.push(row);
      } else {
        flush();
        result.oldestKept ??= { seq: row.seq, state: row.state };
      }
    }
    flush();
    return rows.length < batchSize ? undefined : prev;
  }).immediate();
}

/** Prunes every finished row created before `cutoff`, batch by batch, yielding to the event loop between batches. */
export async function pruneJournal(db: Database.Database, cutoff: number,
  opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
  const result: PruneResult = { pruned: 0, checkpoints: 0 };
  let cursor: PruneCursor | undefined = { seq: 0, hash: GENESIS_HASH };
  while (cursor !== undefined && !opts.shouldStop?.()) {
    cursor = pruneBatch(db, cutoff, cursor, opts.batchSize ?? 2000, result);
    await new Promise((r) => setImmediate(r));
  }
  result.checkpoints = (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
  return result;
}

/** How many rows `pruneJournal` would remove, for `--dry-run` (the chain is checked only by the real run). */
export function countPrunable(db: Database.Database, cutoff: number): number {
  const newest = (db.prepare('SELECT max(seq) AS s FROM changes').get() as { s: number | null }).s ?? 0;
  const marks = FINISHED_STATES.map(() => '?').join(', ');
  const bound = (db.prepare('SELECT min(seq) AS s FROM changes WHERE created_at >= ?').get(cutoff) as { s: number | null }).s ?? newest;
  return (db.prepare(`SELECT count(*) AS n FROM changes WHERE seq < ? AND seq < ? AND state IN (${marks})`)
    .get(bound, newest, ...FINISHED_STATES) as { n: number }).n;
}
