import type Database from 'better-sqlite3';
import type { ResyncMark, ResyncProgressStore } from '../journal-store.js';

/** Where an unfinished resync of each rule stopped, so a second run lists only the keys after it. */
export class SqliteResyncProgress implements ResyncProgressStore {
  constructor(private readonly db: Database.Database) {}

  async get(ruleId: string): Promise<ResyncMark | undefined> {
    return this.db.prepare(`SELECT after_key AS afterKey, started_at AS startedAt, updated_at AS updatedAt,
      rows_written AS rowsWritten FROM resync_progress WHERE rule_id = ?`).get(ruleId) as ResyncMark | undefined;
  }

  async save(ruleId: string, mark: ResyncMark): Promise<void> {
    this.db.prepare(`INSERT INTO resync_progress (rule_id, after_key, started_at, updated_at, rows_written)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET after_key = excluded.after_key,
      updated_at = excluded.updated_at, rows_written = excluded.rows_written`)
      .run(ruleId, mark.afterKey, mark.startedAt, mark.updatedAt, mark.rowsWritten);
  }

  async clear(ruleId: string): Promise<void> {
    this.db.prepare('DELETE FROM resync_progress WHERE rule_id = ?').run(ruleId);
  }
}
