import Database from 'better-sqlite3';
import pg from 'pg';
import type { JournalStore } from '../../src/journal/journal-store.js';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';

/**
 * The one way tests reach into a SQLite journal with SQL (assertions on rows, states and the queue that the
 * store's own interface has no call for). Ferry itself never does: only src/journal/sqlite runs SQL on it.
 */
export function journalDb(journal: JournalStore): Database.Database {
  if (!(journal instanceof SqliteJournalStore)) throw new Error(`journalDb needs a SQLite journal, not ${journal.kind}`);
  return journal.connection;
}

/** A read-only connection to a journal file (beside a running Ferry, or after it); close it when done. */
export function openJournalFile(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Runs `fn` over a read-only connection to the journal file. */
export function withJournal<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = openJournalFile(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Marks changes shipped as the shipper would, at `at`, and empties the queue. */
export function markShipped(journal: JournalStore, seqs: number[], at = Date.now()): void {
  const db = journalDb(journal);
  const stmt = db.prepare("UPDATE changes SET state = 'shipped', shipped_at = ?, target_etag = 'x' WHERE seq = ?");
  db.transaction(() => { for (const s of seqs) stmt.run(at, s); })();
  db.prepare('DELETE FROM queue').run();
}

/** Rows of one query on a PostgreSQL journal (its tables are in the `ferry` schema). */
export async function pgRows<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, options: '-c search_path=ferry' });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Counts of a PostgreSQL journal: rows by state and queue entries. */
export async function pgCounts(url: string): Promise<{ rows: number; byState: Record<string, number>; queue: number }> {
  const states = await pgRows<{ state: string; n: string }>(url, 'SELECT state, count(*) AS n FROM changes GROUP BY state');
  const byState = Object.fromEntries(states.map((r) => [r.state, Number(r.n)]));
  const queue = Number((await pgRows<{ n: string }>(url, 'SELECT count(*) AS n FROM queue'))[0]!.n);
  return { rows: Object.values(byState).reduce((a, b) => a + b, 0), byState, queue };
}
