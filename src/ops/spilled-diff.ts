import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listedDifference, type DiffEntry, type ListedObject } from './sorted-diff.js';

const BATCH = 5_000;

/** Spills one listing into `table`, a transaction per batch, so memory holds one batch at most. */
async function spill(db: Database.Database, table: 's' | 't', objects: AsyncIterable<ListedObject>): Promise<void> {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${table} (key, size, etag) VALUES (?, ?, ?)`);
  const write = db.transaction((rows: ListedObject[]) => { for (const o of rows) insert.run(o.key, o.size, o.etag); });
  let batch: ListedObject[] = [];
  for await (const o of objects) {
    batch.push(o);
    if (batch.length >= BATCH) {
      write(batch);
      batch = [];
    }
  }
  write(batch);
}

interface Row { key: string; ssize: number | null; setag: string | null; tsize: number | null; tetag: string | null }

/**
 * Compares two listings whatever order each region lists in (s3rver lists in its own): both are spilled into a
 * temporary SQLite database (mode 0600, removed afterwards) and read back joined, in key order. SQLite compares
 * text as bytes, so the order is S3's (UTF-8 byte order), and memory stays bounded however many keys there are.
 */
export async function* diffListings(source: AsyncIterable<ListedObject>, target: AsyncIterable<ListedObject>,
  differ: (s: ListedObject, t: ListedObject) => string | undefined = listedDifference): AsyncGenerator<DiffEntry> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-diff-'));
  const db = new Database(join(dir, 'listings.db'));
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // Sorting and caching on disk, not in memory: what a listing of tens of millions of keys needs.
    db.pragma('temp_store = FILE');
    db.pragma('cache_size = -8192');
    db.exec(`CREATE TABLE s (key TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE t (key TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL) WITHOUT ROWID;`);
    await Promise.all([spill(db, 's', source), spill(db, 't', target)]);
    const rows = db.prepare(`SELECT s.key AS key, s.size AS ssize, s.etag AS setag, t.size AS tsize, t.etag AS tetag
        FROM s LEFT JOIN t ON t.key = s.key
      UNION ALL
      SELECT t.key, NULL, NULL, t.size, t.etag FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.key = t.key)
      ORDER BY key`).iterate() as IterableIterator<Row>;
    for (const r of rows) {
      const s = r.ssize === null ? undefined : { key: r.key, size: r.ssize, etag: r.setag! };
      const t = r.tsize === null ? undefined : { key: r.key, size: r.tsize, etag: r.tetag! };
      if (s && t) {
        const reason = differ(s, t);
        yield reason === undefined ? { kind: 'same', key: r.key, source: s, target: t } : { kind: 'different', key: r.key, source: s, target: t, reason };
      } else if (s) yield { kind: 'missing', key: r.key, source: s };
      else yield { kind: 'extra', key: r.key, target: t! };
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
