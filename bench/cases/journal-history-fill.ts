import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { chainHash, GENESIS_HASH } from '../../src/journal/hash-chain.js';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';

export interface HistoryShape {
  /** Changes in the journal. */
  rows: number;
  rules: number;
  /** Distinct object keys the changes fall on. */
  keys: number;
  /** The history spans this many days, up to a minute ago. */
  days: number;
  /** The newest changes, still to ship (pending, queued). */
  backlog: number;
}

/** Tiny deterministic generator (xorshift32), so two fills of one shape are the same journal. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export const ruleName = (i: number) => `rule-${i}`;
export const keyName = (i: number) => `photos/${(i % 997).toString(36)}/${i.toString(36)}.jpg`;

/**
 * Writes a journal of `shape.rows` changes straight into a new SQLite file, as years of traffic would have left it,
 * hash chain included (so `journal verify` passes on it): created_at evenly spread over the span, most changes shipped
 * (each with its attempt), some refused, unchanged, cancelled or failed, and the newest `backlog` pending in the queue.
 * The schema is the store's own (it creates the file); the indexes are dropped for the fill and rebuilt after, with
 * their own definitions, which sorts once instead of inserting at random ten million times.
 */
export function fillHistory(path: string, shape: HistoryShape, log: (l: string) => void): { seconds: number; phases: Record<string, number> } {
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  rmSync(`${path}-head`, { force: true });
  new SqliteJournalStore(path, { writer: 'fill' }).close();
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    const insert = db.prepare(`INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin,
      writer, hash, state, request_id, status, etag, size, version_id, outcome_at, shipped_at, target_etag, last_error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'client', 'fill', ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`);
    const attempt = db.prepare('INSERT INTO attempts (seq, at, result, detail) VALUES (?, ?, ?, ?)');
    const queue = db.prepare(`INSERT INTO queue (rule_id, bucket, key, max_seq, first_at, state, attempts, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (rule_id, bucket, key) DO UPDATE SET max_seq = excluded.max_seq`);
    const rand = random(0x46657272);
    const end = Date.now() - 60_000;
    const span = shape.days * 86_400_000;
    let prev = GENESIS_HASH;
    const BATCH = 100_000;
    for (let from = 1; from <= shape.rows; from += BATCH) {
      db.transaction(() => {
        for (let seq = from; seq < from + BATCH && seq <= shape.rows; seq++) {
          const createdAt = end - span + Math.floor(((seq - 1) * span) / shape.rows);
          const r = seq % shape.rules;
          const k = Math.floor(rand() * shape.keys);
          const rule = ruleName(r);
          const bucket = `bucket-${r}`;
          const key = keyName(k);
          const operation = rand() < 0.02 ? 'DeleteObject' : 'PutObject';
          const access = `AKIA${(k % 50).toString().padStart(4, '0')}`;
          const remote = `10.0.${k % 250}.${seq % 250}`;
          prev = chainHash(prev, { seq, created_at: createdAt, rule_id: rule, operation, bucket, key, access_key_id: access, remote_addr: remote,
            origin: 'client', writer: 'fill' });
          const dice = rand();
          const backlog = seq > shape.rows - shape.backlog;
          const state = backlog ? 'pending' : dice < 0.01 ? 'rejected' : dice < 0.013 ? 'unchanged' : dice < 0.014 ? 'cancelled'
            : dice < 0.0145 ? 'failed' : 'shipped';
          const size = operation === 'DeleteObject' ? null : 1024 + Math.floor(rand() * 4_000_000);
          const etag = size === null ? null : `"${prev.slice(0, 32)}"`;
          const shippedAt = state === 'shipped' ? createdAt + 40 + Math.floor(rand() * 900) : null;
          insert.run(seq, createdAt, rule, operation, bucket, key, access, remote, prev, state, `REQ${seq}`,
            state === 'rejected' ? 403 : 200, etag, size, createdAt + 5, shippedAt, shippedAt === null ? null : etag,
            state === 'failed' ? '400 InvalidArgument' : state === 'rejected' ? 'AccessDenied' : null);
          if (shippedAt !== null) attempt.run(seq, shippedAt, operation === 'DeleteObject' ? 'deleted' : 'shipped', etag);
          if (state === 'failed') {
            attempt.run(seq, createdAt + 1000, 'error', '400 InvalidArgument');
            queue.run(rule, bucket, key, seq, createdAt, 'failed', 5, '400 InvalidArgument');
          }
          if (backlog) queue.run(rule, bucket, key, seq, createdAt, 'ready', 0, null);
        }
      })();
      if ((from - 1) % 1_000_000 === 0 && from > 1) log(`history fill: ${from - 1} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    db.prepare("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('changes', ?)").run(shape.rows);
    phases.rowsSeconds = (performance.now() - t0) / 1000;
    for (const ix of indexes) {
      const t = performance.now();
      db.exec(ix.sql);
      phases[`index ${ix.name} seconds`] = (performance.now() - t) / 1000;
    }
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  // Open once as Ferry does, so the head file records the filled chain's head.
  new SqliteJournalStore(path, { writer: 'fill' }).close();
  for (const [k, v] of Object.entries(phases)) phases[k] = Math.round(v * 10) / 10;
  return { seconds: Math.round((performance.now() - t0) / 100) / 10, phases };
}
