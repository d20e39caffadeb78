import type Database from 'better-sqlite3';

/** One key waiting to be shipped: all its unshipped changes up to `maxSeq` coalesce into one copy. */
export interface QueueEntry {
  ruleId: string;
  bucket: string;
  key: string;
  maxSeq: number;
  firstAt: number;
  attempts: number;
}

/**
 * The shipper's work list, one row per (rule, bucket, key). Its statements run inside the journal's
 * transactions (enqueue) or on their own (the shipper's bookkeeping, off the request path).
 */
export class ShipQueue {
  private readonly stmts;
  // The shipper asks for due keys after every copy: one prepared statement per number of enabled rules.
  private readonly dueStmts = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      enqueue: db.prepare(`INSERT INTO queue (rule_id, bucket, key, max_seq, first_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (rule_id, bucket, key) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq),
          attempts = CASE WHEN state = 'failed' THEN 0 ELSE attempts END,
          next_attempt_at = CASE WHEN state = 'failed' THEN 0 ELSE next_attempt_at END,
          state = 'ready'`),
      shippedChanges: db.prepare(`UPDATE changes SET state = 'shipped', shipped_at = ?, target_etag = ?, last_error = NULL
        WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ? AND state IN ('intent', 'pending', 'failed')`),
      // An uncertain change (its source answer never came) that the shipper found nothing to copy for.
      unchangedIntents: db.prepare(`UPDATE changes SET state = 'unchanged', outcome_at = ?, last_error = NULL
        WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ? AND state = 'intent'`),
      dequeue: db.prepare('DELETE FROM queue WHERE rule_id = ? AND bucket = ? AND key = ? AND max_seq <= ?'),
      backoff: db.prepare(`UPDATE queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
        state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'ready' END
        WHERE rule_id = ? AND bucket = ? AND key = ? RETURNING state`),
      failChanges: db.prepare(`UPDATE changes SET state = 'failed', last_error = ?
        WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ? AND state IN ('intent', 'pending')`),
      noteError: db.prepare(`UPDATE changes SET last_error = ? WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ?
        AND state IN ('intent', 'pending')`),
      attempt: db.prepare('INSERT INTO attempts (seq, at, result, detail) VALUES (?, ?, ?, ?)'),
      postpone: db.prepare(`UPDATE queue SET next_attempt_at = ?, last_error = coalesce(?, last_error)
        WHERE rule_id = ? AND bucket = ? AND key = ?`),
    };
  }

  enqueue(ruleId: string, bucket: string, key: string, seq: number, now: number): void {
    this.stmts.enqueue.run(ruleId, bucket, key, seq, now);
  }

  /** Keys due now for the enabled rules, oldest first, skipping those already in flight. */
  due(enabledRules: string[], now: number, limit: number, busy: Set<string>): QueueEntry[] {
    if (enabledRules.length === 0 || limit <= 0) return [];
    let stmt = this.dueStmts.get(enabledRules.length);
    if (!stmt) {
      const marks = enabledRules.map(() => '?').join(',');
      stmt = this.db.prepare(`SELECT rule_id AS ruleId, bucket, key, max_seq AS maxSeq, first_at AS firstAt, attempts
        FROM queue WHERE state = 'ready' AND next_attempt_at <= ? AND rule_id IN (${marks})
        ORDER BY next_attempt_at, first_at LIMIT ?`);
      this.dueStmts.set(enabledRules.length, stmt);
    }
    const rows = stmt.all(now, ...enabledRules, limit + busy.size) as QueueEntry[];
    return rows.filter((r) => !busy.has(queueKey(r))).slice(0, limit);
  }

  /**
   * Marks every change of the key up to `seq` shipped and drops the entry unless newer changes arrived. When the
   * target needed no change (`changed` false), uncertain rows are marked `unchanged` rather than `shipped`: the
   * source showed nothing they did. Returns how many rows were marked so.
   */
  shipped(e: QueueEntry, seq: number, targetEtag: string | null, result: 'shipped' | 'deleted', now: number, changed = true): number {
    return this.db.transaction(() => {
      const unchanged = changed ? 0 : this.stmts.unchangedIntents.run(now, e.ruleId, e.bucket, e.key, seq).changes;
      this.stmts.shippedChanges.run(now, targetEtag, e.ruleId, e.bucket, e.key, seq);
      this.stmts.dequeue.run(e.ruleId, e.bucket, e.key, seq);
      this.stmts.attempt.run(seq, now, changed ? result : 'unchanged', targetEtag);
      return unchanged;
    }).immediate();
  }

  /** Records a failed attempt; after `maxAttempts` the key and its changes are marked failed. */
  failed(e: QueueEntry, error: string, nextAt: number, maxAttempts: number, now: number): 'ready' | 'failed' {
    return this.db.transaction(() => {
      const row = this.stmts.backoff.get(nextAt, error, maxAttempts, e.ruleId, e.bucket, e.key) as { state: 'ready' | 'failed' } | undefined;
      const state = row?.state ?? 'ready';
      if (state === 'failed') this.stmts.failChanges.run(error, e.ruleId, e.bucket, e.key, e.maxSeq);
      else this.stmts.noteError.run(error, e.ruleId, e.bucket, e.key, e.maxSeq);
      this.stmts.attempt.run(e.maxSeq, now, 'error', error);
      return state;
    }).immediate();
  }

  /** Delays a key without using up an attempt (source changed mid-copy, or region unreachable). */
  postpone(e: QueueEntry, nextAt: number, error: string | null): void {
    this.stmts.postpone.run(nextAt, error, e.ruleId, e.bucket, e.key);
  }

  /** Puts failed keys (of one rule, or all) back in the queue; returns how many keys. */
  retryFailed(ruleId?: string): number {
    return this.db.transaction(() => {
      const where = ruleId === undefined ? '' : ' AND rule_id = ?';
      const args = ruleId === undefined ? [] : [ruleId];
      this.db.prepare(`UPDATE changes SET state = 'pending' WHERE state = 'failed'${where}`).run(...args);
      return this.db.prepare(`UPDATE queue SET state = 'ready', attempts = 0, next_attempt_at = 0
        WHERE state = 'failed'${where}`).run(...args).changes;
    }).immediate();
  }

  /** A removed rule's unshipped changes are kept, marked cancelled, and leave the queue. */
  cancelRule(ruleId: string): number {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM queue WHERE rule_id = ?').run(ruleId);
      return this.db.prepare(`UPDATE changes SET state = 'cancelled'
        WHERE rule_id = ? AND state IN ('intent', 'pending', 'failed')`).run(ruleId).changes;
    }).immediate();
  }

  /** Rules that have queue entries, so a reload can cancel those of removed rules. */
  rulesWithWork(): string[] {
    return (this.db.prepare('SELECT DISTINCT rule_id AS r FROM queue').all() as Array<{ r: string }>).map((x) => x.r);
  }
}

export function queueKey(e: { ruleId: string; bucket: string; key: string }): string {
  return `${e.ruleId}\u0000${e.bucket}\u0000${e.key}`;
}
