import type Database from 'better-sqlite3';
import { FerryError } from '../../errors/ferry-error.js';
import { CHANGE_COLUMNS, historyOf, type ChangeFilter, type ChangeRow, type ShipAttempt } from '../query.js';
import type { PendingFigures, RuleFigures } from '../journal-store.js';
import { filterSql } from '../sql/filter-sql.js';

const COLUMNS = CHANGE_COLUMNS.join(', ');
// Rows per batch of a listing: large enough that a statement per batch costs nothing, small enough to stream.
const BATCH = 2000;

/** The SQLite journal's read side: listings, single rows, shipping history, figures for status and metrics. */
export class SqliteQueries {
  constructor(private readonly db: Database.Database) {}

  /**
   * Matching rows in batches, paged by seq (each batch its own statement, so no read transaction stays open
   * between batches and checkpoints are never held back by a slow reader).
   */
  async *list(f: ChangeFilter, heldRules: string[], opts: { order?: 'asc' | 'desc'; limit?: number; raw?: boolean } = {}): AsyncGenerator<any[]> {
    const { where, params } = filterSql(f, heldRules);
    const desc = opts.order === 'desc';
    // Rows created since a time all have a seq at or above the first such row's (one index range): without that bound a
    // newest-first listing went on back to seq 1 after its last match.
    const from = f.since === undefined ? 0
      : // INDEXED BY: left to itself, SQLite answers min(seq) by walking seq order from 1 until a row matches.
      (this.db.prepare('SELECT min(seq) FROM changes INDEXED BY changes_created WHERE created_at >= ?').pluck().get(f.since) as number | null) ?? Number.MAX_SAFE_INTEGER;
    // `+created_at`: the time filter is checked on the rows the seq range gives, never used to pick an index (it would
    // sort every row since then, on every page).
    const page = `${where.replace(/\bcreated_at\b/g, '+created_at') || 'WHERE 1'} AND seq >= ? AND seq ${desc ? '<' : '>'} ?`;
    const stmt = this.db.prepare(`SELECT ${COLUMNS} FROM changes ${page} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT ?`);
    if (opts.raw) stmt.raw();
    let left = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : Infinity;
    let after = desc ? Number.MAX_SAFE_INTEGER : 0;
    while (left > 0) {
      const rows = stmt.all(...params, from, after, Math.min(BATCH, left)) as any[];
      if (rows.length === 0) return;
      left -= rows.length;
      const last = rows[rows.length - 1];
      after = opts.raw ? last[0] : last.seq;
      yield rows;
      if (rows.length < BATCH) return;
    }
  }

  getChange(seq: number): ChangeRow {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM changes WHERE seq = ?`).get(seq) as ChangeRow | undefined;
    if (!row) {
      throw new FerryError('JOURNAL_ROW_NOT_FOUND', `no journal row has seq ${seq}`,
        'it may never have existed, or retention pruned it; list rows with `ferry journal ls`');
    }
    return row;
  }

  shippingHistory(row: ChangeRow): ShipAttempt[] {
    if (row.state === 'rejected') return [];
    const attempts = this.db.prepare(`SELECT a.seq, a.at, a.result, a.detail FROM changes c JOIN attempts a ON a.seq = c.seq
      WHERE c.rule_id = ? AND c.bucket = ? AND c.key = ? AND c.seq >= ? ORDER BY a.at, a.rowid`)
      .iterate(row.rule_id, row.bucket, row.key, row.seq) as IterableIterator<ShipAttempt>;
    try {
      return historyOf(row, attempts);
    } finally {
      attempts.return?.();
    }
  }

  pendingByRule(): PendingFigures[] {
    return this.db.prepare(`SELECT rule_id AS rule, count(*) AS operations, coalesce(sum(size), 0) AS bytes
      FROM changes WHERE state IN ('intent', 'pending') GROUP BY rule_id`).all() as PendingFigures[];
  }

  ruleFigures(ruleIds: string[], now: number, lagWindowMs: number, maxSamples: number): Map<string, RuleFigures> {
    const db = this.db;
    const pending = db.prepare(`SELECT count(*) AS operations, coalesce(sum(size), 0) AS bytes, min(created_at) AS oldest
      FROM changes WHERE state IN ('intent', 'pending') AND rule_id = ?`);
    const count = (sql: string) => db.prepare(sql).pluck();
    const keys = count("SELECT count(*) FROM queue WHERE rule_id = ? AND state = 'ready'");
    const failed = count("SELECT count(*) FROM changes WHERE state = 'failed' AND rule_id = ?");
    const unchanged = count("SELECT count(*) FROM changes WHERE state = 'unchanged' AND rule_id = ?");
    const shipped = db.prepare(`SELECT count(*) AS lastHour, coalesce(sum(shipped_at >= ?), 0) AS lastMinute
      FROM changes WHERE rule_id = ? AND shipped_at >= ?`);
    const lags = db.prepare(`SELECT shipped_at - coalesce(outcome_at, created_at) AS ms FROM changes
      WHERE rule_id = ? AND shipped_at >= ? ORDER BY shipped_at DESC LIMIT ?`).pluck();
    const out = new Map<string, RuleFigures>();
    db.exec('BEGIN');
    try {
      for (const id of ruleIds) {
        out.set(id, {
          pending: pending.get(id) as RuleFigures['pending'],
          readyKeys: keys.get(id) as number,
          failed: failed.get(id) as number,
          unchanged: unchanged.get(id) as number,
          shipped: shipped.get(now - 60_000, id, now - 3_600_000) as RuleFigures['shipped'],
          lagsMs: lags.all(id, now - lagWindowMs, maxSamples) as number[],
        });
      }
    } finally {
      db.exec('COMMIT');
    }
    return out;
  }

  latestState(ruleId: string, bucket: string, key: string): string | undefined {
    return this.latest.get(ruleId, bucket, key) as string | undefined;
  }

  private get latest(): Database.Statement {
    this.latestStmt ??= this.db.prepare(`SELECT state FROM changes WHERE rule_id = ? AND bucket = ? AND key = ?
      AND state IN ('intent', 'pending', 'failed', 'shipped') ORDER BY seq DESC LIMIT 1`).pluck();
    return this.latestStmt;
  }

  private latestStmt: Database.Statement | undefined;
}
