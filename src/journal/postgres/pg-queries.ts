import type pg from 'pg';
import { FerryError } from '../../errors/ferry-error.js';
import { CHANGE_COLUMNS, historyOf, type ChangeFilter, type ChangeRow, type ShipAttempt } from '../query.js';
import type { PendingFigures, RuleFigures } from '../journal-store.js';
import { filterSql } from '../sql/filter-sql.js';
import { inTransaction } from './pg-connection.js';

const COLUMNS = CHANGE_COLUMNS.join(', ');
const BATCH = 2000;
const mark = (n: number) => `$${n}`;

/** The PostgreSQL journal's read side: listings, single rows, shipping history, figures for status and metrics. */
export class PgQueries {
  constructor(private readonly pool: pg.Pool) {}

  /** Matching rows in batches, paged by seq: no cursor or transaction stays open between batches. */
  async *list(f: ChangeFilter, heldRules: string[], opts: { order?: 'asc' | 'desc'; limit?: number; raw?: boolean } = {}): AsyncGenerator<any[]> {
    const { where, params } = filterSql(f, heldRules, mark);
    const desc = opts.order === 'desc';
    const n = params.length;
    // Rows created since a time all have a seq at or above the first such row's: the bound ends a newest-first listing
    // there instead of at seq 1.
    // `seq + 0`: for min(seq) the planner would walk the primary key from 1, expecting matches spread evenly over seqs
    // (they all sit at the end); this way it reads the created_at range.
    const from = f.since === undefined ? 0
      : ((await this.pool.query('SELECT min(seq + 0) AS s FROM changes WHERE created_at >= $1', [f.since])).rows[0]?.s as number | null) ?? Number.MAX_SAFE_INTEGER;
    const text = `SELECT ${COLUMNS} FROM changes ${where ? `${where} AND` : 'WHERE'} seq >= $${n + 1} AND seq ${desc ? '<' : '>'} $${n + 2}
      ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $${n + 3}`;
    let left = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : Infinity;
    let after = desc ? Number.MAX_SAFE_INTEGER : 0;
    while (left > 0) {
      const r = await this.pool.query({ text, values: [...params, from, after, Math.min(BATCH, left)], ...(opts.raw ? { rowMode: 'array' } : {}) });
      const rows = r.rows as any[];
      if (rows.length === 0) return;
      left -= rows.length;
      const last = rows[rows.length - 1];
      after = opts.raw ? last[0] : last.seq;
      yield rows;
      if (rows.length < BATCH) return;
    }
  }

  async getChange(seq: number): Promise<ChangeRow> {
    const row = (await this.pool.query(`SELECT ${COLUMNS} FROM changes WHERE seq = $1`, [seq])).rows[0] as ChangeRow | undefined;
    if (!row) {
      throw new FerryError('JOURNAL_ROW_NOT_FOUND', `no journal row has seq ${seq}`,
        'it may never have existed, or retention pruned it; list rows with `ferry journal ls`');
    }
    return row;
  }

  async shippingHistory(row: ChangeRow): Promise<ShipAttempt[]> {
    if (row.state === 'rejected') return [];
    const r = await this.pool.query(`SELECT a.seq, a.at, a.result, a.detail FROM changes c JOIN attempts a ON a.seq = c.seq
      WHERE c.rule_id = $1 AND c.bucket = $2 AND c.key = $3 AND c.seq >= $4 ORDER BY a.at, a.id LIMIT 10000`,
    [row.rule_id, row.bucket, row.key, row.seq]);
    return historyOf(row, r.rows as ShipAttempt[]);
  }

  async pendingByRule(): Promise<PendingFigures[]> {
    return (await this.pool.query(`SELECT rule_id AS rule, count(*) AS operations, coalesce(sum(size), 0) AS bytes
      FROM changes WHERE state IN ('intent', 'pending') GROUP BY rule_id`)).rows as PendingFigures[];
  }

  async ruleFigures(ruleIds: string[], now: number, lagWindowMs: number, maxSamples: number): Promise<Map<string, RuleFigures>> {
    return inTransaction(this.pool, async (c) => {
      const out = new Map<string, RuleFigures>();
      for (const id of ruleIds) {
        const one = async (sql: string, args: unknown[]) => (await c.query(sql, args)).rows[0];
        const pending = await one(`SELECT count(*) AS operations, coalesce(sum(size), 0) AS bytes, min(created_at) AS oldest
          FROM changes WHERE state IN ('intent', 'pending') AND rule_id = $1`, [id]);
        const keys = await one("SELECT count(*) AS n FROM queue WHERE rule_id = $1 AND state = 'ready'", [id]);
        const states = await one(`SELECT count(*) FILTER (WHERE state = 'failed') AS failed, count(*) FILTER (WHERE state = 'unchanged') AS unchanged
          FROM changes WHERE rule_id = $1 AND state IN ('failed', 'unchanged')`, [id]);
        const shipped = await one(`SELECT count(*) AS "lastHour", count(*) FILTER (WHERE shipped_at >= $1) AS "lastMinute"
          FROM changes WHERE rule_id = $2 AND shipped_at >= $3`, [now - 60_000, id, now - 3_600_000]);
        const lags = (await c.query(`SELECT shipped_at - coalesce(outcome_at, created_at) AS ms FROM changes
          WHERE rule_id = $1 AND shipped_at >= $2 ORDER BY shipped_at DESC LIMIT $3`, [id, now - lagWindowMs, maxSamples])).rows;
        out.set(id, { pending, readyKeys: keys.n, failed: states.failed, unchanged: states.unchanged, shipped, lagsMs: lags.map((l) => l.ms as number) });
      }
      return out;
    }, 'REPEATABLE READ READ ONLY');
  }

  async latestState(ruleId: string, bucket: string, key: string): Promise<string | undefined> {
    const r = await this.pool.query({ name: 'latest-state', text: `SELECT state FROM changes WHERE rule_id = $1 AND bucket = $2 AND key = $3
      AND state IN ('intent', 'pending', 'failed', 'shipped') ORDER BY seq DESC LIMIT 1`, values: [ruleId, bucket, key] });
    return r.rows[0]?.state as string | undefined;
  }
}
