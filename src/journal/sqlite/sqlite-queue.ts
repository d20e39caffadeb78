import type Database from 'better-sqlite3';
import { RESYNC_MISSING, type QueueEntry } from '../journal-store.js';
import { queueKey } from '../queue-key.js';

/**
 * The shipper's work list, one row per (rule, bucket, key). Its statements run inside the journal's
 * transactions (enqueue) or on their own (the shipper's bookkeeping, off the request path).
 */
export class SqliteQueue {
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
        state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'ready' END, lease_owner = NULL, lease_until = 0
        WHERE rule_id = ? AND bucket = ? AND key = ? RETURNING state`),
      failChanges: db.prepare(`UPDATE changes SET state = 'failed', last_error = ?
        WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ? AND state IN ('intent', 'pending')`),
      noteError: db.prepare(`UPDATE changes SET last_error = ? WHERE rule_id = ? AND bucket = ? AND key = ? AND seq <= ?
        AND state IN ('intent', 'pending')`),
      attempt: db.prepare('INSERT INTO attempts (seq, at, result, detail) VALUES (?, ?, ?, ?)'),
      postpone: db.prepare(`UPDATE queue SET next_attempt_at = ?, last_error = coalesce(?, last_error), lease_owner = NULL,
        lease_until = 0 WHERE rule_id = ? AND bucket = ? AND key = ?`),
      lease: db.prepare('UPDATE queue SET lease_owner = ?, lease_until = ? WHERE rule_id = ? AND bucket = ? AND key = ?'),
      renew: db.prepare('UPDATE queue SET lease_until = ? WHERE rule_id = ? AND bucket = ? AND key = ? AND lease_owner = ?'),
      release: db.prepare('UPDATE queue SET lease_owner = NULL, lease_until = 0 WHERE rule_id = ? AND bucket = ? AND key = ?'),
    };
  }

  enqueue(ruleId: string, bucket: string, key: string, seq: number, now: number): void {
    this.stmts.enqueue.run(ruleId, bucket, key, seq, now);
  }

  /**
   * Keys due now for the enabled rules, oldest first, skipping those in flight here and those another owner
   * leased; with `lease`, the keys returned are leased to its owner (in the same transaction).
   */
  due(enabledRules: string[], now: number, limit: number, busy: ReadonlySet<string>, lease?: { owner: string; ms: number }): QueueEntry[] {
    if (enabledRules.length === 0 || limit <= 0) return [];
    let stmt = this.dueStmts.get(enabledRules.length);
    if (!stmt) {
      const marks = enabledRules.map(() => '?').join(',');
      stmt = this.db.prepare(`SELECT rule_id AS ruleId, bucket, key, max_seq AS maxSeq, first_at AS firstAt, attempts,
          attempts = 0 AND (SELECT operation FROM changes WHERE seq = max_seq) = '${RESYNC_MISSING}' AS targetAbsent
        FROM queue WHERE state = 'ready' AND next_attempt_at <= ? AND rule_id IN (${marks}) AND (lease_until <= ? OR lease_owner = ?)
        ORDER BY next_attempt_at, first_at LIMIT ?`);
      this.dueStmts.set(enabledRules.length, stmt);
    }
    const pick = () => {
      const rows = stmt.all(now, ...enabledRules, now, lease?.owner ?? '', limit + busy.size) as Array<Omit<QueueEntry, 'targetAbsent'> & { targetAbsent: number }>;
      const due: QueueEntry[] = rows.filter((r) => !busy.has(queueKey(r))).slice(0, limit).map((r) => ({ ...r, targetAbsent: r.targetAbsent === 1 }));
      if (lease) for (const e of due) this.stmts.lease.run(lease.owner, now + lease.ms, e.ruleId, e.bucket, e.key);
      return due;
    };
    return lease ? this.db.transaction(pick).immediate() : pick();
  }

  /** Extends (or with `until` 0, gives up) the leases `owner` holds on these keys. */
  renew(entries: QueueEntry[], owner: string, until: number): void {
    this.db.transaction(() => {
      for (const e of entries) this.stmts.renew.run(until, e.ruleId, e.bucket, e.key, owner);
    }).immediate();
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
      if (this.stmts.dequeue.run(e.ruleId, e.bucket, e.key, seq).changes === 0) this.stmts.release.run(e.ruleId, e.bucket, e.key);
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

  /**
   * Puts failed changes (of one rule, or all) back in the queue. A failed change whose key has no queue entry
   * (it can happen after a crash between two bookkeeping steps) is queued again too, so none is left behind.
   */
  retryFailed(ruleId?: string): { keys: number; changes: number } {
    return this.db.transaction(() => {
      const where = ruleId === undefined ? '' : ' AND rule_id = ?';
      const args = ruleId === undefined ? [] : [ruleId];
      const changes = this.db.prepare(`SELECT count(*) FROM changes WHERE state = 'failed'${where}`).pluck().get(...args) as number;
      const orphans = this.db.prepare(`SELECT c.rule_id AS ruleId, c.bucket, c.key, max(c.seq) AS seq FROM changes c
        WHERE c.state = 'failed'${ruleId === undefined ? '' : ' AND c.rule_id = ?'} AND NOT EXISTS (SELECT 1 FROM queue q
          WHERE q.rule_id = c.rule_id AND q.bucket = c.bucket AND q.key = c.key) GROUP BY c.rule_id, c.bucket, c.key`)
        .all(...args) as Array<{ ruleId: string; bucket: string; key: string; seq: number }>;
      const now = Date.now();
      for (const o of orphans) this.enqueue(o.ruleId, o.bucket, o.key, o.seq, now);
      this.db.prepare(`UPDATE changes SET state = 'pending' WHERE state = 'failed'${where}`).run(...args);
      const keys = this.db.prepare(`UPDATE queue SET state = 'ready', attempts = 0, next_attempt_at = 0
        WHERE state = 'failed'${where}`).run(...args).changes;
      return { keys: keys + orphans.length, changes };
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
