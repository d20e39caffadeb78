import type pg from 'pg';
import type { ResyncMark, ResyncProgressStore } from '../journal-store.js';

/** Where an unfinished resync of each rule stopped, so a second run lists only the keys after it. */
export class PgResyncProgress implements ResyncProgressStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(ruleId: string): Promise<ResyncMark | undefined> {
    return (await this.pool.query(`SELECT after_key AS "afterKey", started_at AS "startedAt", updated_at AS "updatedAt",
      rows_written AS "rowsWritten" FROM resync_progress WHERE rule_id = $1`, [ruleId])).rows[0] as ResyncMark | undefined;
  }

  async save(ruleId: string, mark: ResyncMark): Promise<void> {
    await this.pool.query(`INSERT INTO resync_progress (rule_id, after_key, started_at, updated_at, rows_written)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rule_id) DO UPDATE SET after_key = excluded.after_key,
      updated_at = excluded.updated_at, rows_written = excluded.rows_written`,
    [ruleId, mark.afterKey, mark.startedAt, mark.updatedAt, mark.rowsWritten]);
  }

  async clear(ruleId: string): Promise<void> {
    await this.pool.query('DELETE FROM resync_progress WHERE rule_id = $1', [ruleId]);
  }
}
