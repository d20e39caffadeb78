import type Database from 'better-sqlite3';

/** SQLite's answer to a checkpoint: frames in the WAL, and how many of them are now copied into journal.db. */
export interface CheckpointFigures { log: number; checkpointed: number }

/** A PASSIVE checkpoint on `db` (it never waits for readers or the writer); throws what SQLite throws. */
export function passiveCheckpoint(db: Database.Database): CheckpointFigures {
  const r = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointFigures[])[0];
  return { log: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
}
