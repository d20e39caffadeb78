import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listedDifference, type DiffEntry, type ListedObject } from './sorted-diff.js';

const BATCH = 5_000;

/** Writes listed objects into `table` in transactions of BATCH rows, so memory holds one batch at most. */
function batchWriter(db: Database.Database, table: 's' | 't'): { add(o: ListedObject): void; flush(): void } {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${table} (key, size, etag) VALUES (?, ?, ?)`);
  const write = db.transaction((rows: ListedObject[]) => { for (const o of rows) insert.run(o.key, o.size, o.etag); });
  let batch: ListedObject[] = [];
  const flush = () => {
    write(batch);
    batch = [];
  };
  return { add(o) { batch.push(o); if (batch.length >= BATCH) flush(); }, flush };
}

/** Spills one listing into `table`. */
async function spill(db: Database.Database, table: 's' | 't', objects: AsyncIterable<ListedObject>): Promise<void> {
  const w = batchWriter(db, table);
  for await (const o of objects) w.add(o);
  w.flush();
}

interface Row { key: string; ssize: number | null; setag: string | null; tsize: number | null; tetag: string | null }

/** Pure: the entry for a key from what each side listed of it (at least one side did). */
function entryOf(key: string, s: ListedObject | undefined, t: ListedObject | undefined,
  differ: (s: ListedObject, t: ListedObject) => string | undefined): DiffEntry {
  if (s && t) {
    const reason = differ(s, t);
    return reason === undefined ? { kind: 'same', key, source: s, target: t } : { kind: 'different', key, source: s, target: t, reason };
  }
  return s ? { kind: 'missing', key, source: s } : { kind: 'extra', key, target: t! };
}

/**
 * Compares two listings whatever order each region lists in (s3rver lists in its own): both are spilled into a
 * temporary SQLite database (mode 0600, removed afterwards) and read back joined, in key order. SQLite compares
 * text as bytes, so the order is S3's (UTF-8 byte order), and memory stays bounded however many keys there are.
 *
 * With `early`, when the target's listing has ended before the source's first key comes (an empty or small target:
 * a backfill), every source key is compared at once and yielded as it comes, marked `early` (in the source's listing
 * order, not key order), so shipping starts with the first page instead of after the last; the target's extras
 * follow in key order. Otherwise the walk is the ordered one.
 */
export async function* diffListings(source: AsyncIterable<ListedObject>, target: AsyncIterable<ListedObject>,
  differ: (s: ListedObject, t: ListedObject) => string | undefined = listedDifference, opts: { early?: boolean } = {}): AsyncGenerator<DiffEntry> {
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
    const early = opts.early ? yield* earlyEntries(db, source, target, differ) : false;
    if (!opts.early) await Promise.all([spill(db, 's', source), spill(db, 't', target)]);
    // After an early walk only the target's extras are left; otherwise every key, in key order.
    const extras = 'SELECT t.key AS key, NULL AS ssize, NULL AS setag, t.size AS tsize, t.etag AS tetag FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.key = t.key)';
    const rows = db.prepare(early ? `${extras} ORDER BY key` : `SELECT s.key AS key, s.size AS ssize, s.etag AS setag, t.size AS tsize, t.etag AS tetag
        FROM s LEFT JOIN t ON t.key = s.key
      UNION ALL ${extras}
      ORDER BY key`).iterate() as IterableIterator<Row>;
    for (const r of rows) {
      const s = r.ssize === null ? undefined : { key: r.key, size: r.ssize, etag: r.setag! };
      const t = r.tsize === null ? undefined : { key: r.key, size: r.tsize, etag: r.tetag! };
      yield entryOf(r.key, s, t, differ);
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Spills both listings; when the target's has ended before the first source key comes, yields each source key as it
 * comes. Returns whether it did (the walk is then early throughout), once both listings have ended.
 */
async function* earlyEntries(db: Database.Database, source: AsyncIterable<ListedObject>, target: AsyncIterable<ListedObject>,
  differ: (s: ListedObject, t: ListedObject) => string | undefined): AsyncGenerator<DiffEntry, boolean> {
  let targetEnded = false;
  let targetFailed: unknown;
  const targetSpilled = spill(db, 't', target).then(() => { targetEnded = true; }, (err: unknown) => { targetFailed = err; throw err; });
  targetSpilled.catch(() => {});
  const spilled = batchWriter(db, 's');
  const inTarget = db.prepare('SELECT size, etag FROM t WHERE key = ?');
  let early: boolean | undefined;
  for await (const o of source) {
    if (targetFailed !== undefined) throw targetFailed;
    // Decided once: a walk is either all early or all ordered, so a resumed walk's position means one thing.
    early ??= targetEnded;
    spilled.add(o);
    if (early) {
      const t = inTarget.get(o.key) as { size: number; etag: string } | undefined;
      yield { ...entryOf(o.key, o, t && { key: o.key, ...t }, differ), early: true };
    }
  }
  spilled.flush();
  await targetSpilled;
  return early === true;
}
