import type Database from 'better-sqlite3';

export interface ResyncMark {
  afterKey: string;
  startedAt: number;
  updatedAt: number;
  rowsWritten: number;
}

/** Where an unfinished resync of each rule stopped, so a second run lists only the keys after it. */
export class ResyncProgress {
  constructor(private readonly db: Database.Database) {}

  get(ruleId: string): ResyncMark | undefined {
    return this.db.prepare(`SELECT after_key AS afterKey, started_at AS startedAt, updated_at AS updatedAt,
      rows_written AS rowsWritten FROM resync_progress WHERE rule_id = ?`).get(ruleId) as ResyncMark | undefined;
  }

  save(ruleId: string, mark: ResyncMark): void {
    this.db.prepare(`INSERT INTO resync_progress (rule_id, after_key, started_at, updated_at, rows_written)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET after_key = excluded.after_key,
      updated_at = excluded.updated_at, rows_written = excluded.rows_written`)
      .run(ruleId, mark.afterKey, mark.startedAt, mark.updatedAt, mark.rowsWritten);
  }

  clear(ruleId: string): void {
    this.db.prepare('DELETE FROM resync_progress WHERE rule_id = ?').run(ruleId);
  }
}
