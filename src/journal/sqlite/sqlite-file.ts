import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';
import { GENESIS_HASH } from '../hash-chain.js';
import type { ChainHead } from '../journal-store.js';
import { MIGRATIONS } from './schema.js';
import { WalSync } from './wal-sync.js';
import { checkAgainstHead, readHead, writeHead } from './head-file.js';
import { CheckpointThread } from './checkpoint-thread.js';
import { passiveCheckpoint, type CheckpointFigures } from './wal-checkpoint.js';

// Writes made outside group commit (the shipper's bookkeeping, operator commands) reach the disk this soon.
const BACKGROUND_SYNC_MS = 200;
// How often the WAL is copied into the database file. SQLite checkpoints by itself only once the WAL reaches
// WAL_LIMIT_BYTES (see openDatabase): below that, every row lived in journal.db-wal alone, and a copy of journal.db
// was an empty journal.
const CHECKPOINT_MS = 2_000;
// After a checkpoint the WAL file is cut back to this size; without a limit it keeps the largest size it ever
// reached (a slow reader holding checkpoints back once grows it for good).
const WAL_LIMIT_BYTES = 8 * 1024 * 1024;
const CACHE_KIB = 32 * 1024;
// A journal that has committed this often is busy enough for a checkpoint thread of its own; a short-lived one (a
// tool's, a test's) never starts it.
const COMMITS_BEFORE_THREAD = 256;
// While commits go on, the thread checkpoints again this long after its last checkpoint ended.
const THREAD_PACE_MS = 20;
// The thread's checkpoint never ends the WAL: commits land while it copies. Once the WAL holds this many frames, the
// writer's own connection copies what is left between two commits, so the next commit starts the WAL over.
const FINISH_FRAMES = 512;
const walPages = (db: Database.Database) => Math.floor(WAL_LIMIT_BYTES / (db.pragma('page_size', { simple: true }) as number));

/** The schema version a database holds: undefined without a `meta` table (no journal, or a schema that vanished). */
export function schemaVersion(db: Database.Database): number | undefined {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get()) return undefined;
  return (db.prepare('SELECT schema_version FROM meta').pluck().get() as number | undefined) ?? 0;
}

function newerSchema(v: number): FerryError {
  return new FerryError('JOURNAL_UNAVAILABLE', `journal schema ${v} is newer than this Ferry (${MIGRATIONS.length})`);
}

/** Applies the migrations this database has not had yet, in one transaction. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (schema_version INTEGER NOT NULL)');
  const from = schemaVersion(db) ?? 0;
  if (from > MIGRATIONS.length) throw newerSchema(from);
  if (from === MIGRATIONS.length) return;
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(from)) db.exec(sql);
    db.prepare('DELETE FROM meta').run();
    db.prepare('INSERT INTO meta (schema_version) VALUES (?)').run(MIGRATIONS.length);
  }).immediate();
}

/** A reader needs the schema this Ferry knows; without one it says so, rather than fail on a missing table. */
export function checkReadable(db: Database.Database, path: string): void {
  const head = readHead(path);
  const v = schemaVersion(db);
  if (head && head.seq > 0 && !v) checkAgainstHead(path, head, 0, () => undefined, false);
  if (!v) {
    throw new FerryError('JOURNAL_UNAVAILABLE', `${path} holds no journal schema`,
      'is journal.path right? `ferry serve` creates the journal when it first starts');
  }
  if (v > MIGRATIONS.length) throw newerSchema(v);
}

/**
 * Refuses a journal that is behind its head file (a lost tail), or whose schema is gone while the head file says it
 * had rows: starting on it would go on writing as if the lost changes had never been acknowledged.
 */
export function refuseLostTail(db: Database.Database, path: string): void {
  const head = readHead(path);
  if (!head) return;
  const schema = (schemaVersion(db) ?? 0) > 0;
  const highest = schema ? (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").pluck().get() as number | undefined) ?? 0 : 0;
  const hashAt = (seq: number) => (db.prepare('SELECT hash FROM changes WHERE seq = ?').pluck().get(seq)
    ?? db.prepare('SELECT hash FROM checkpoints WHERE seq = ?').pluck().get(seq)) as string | undefined;
  checkAgainstHead(path, head, highest, schema ? hashAt : () => undefined, schema || head.seq === 0);
}

/** The newest chained row, or the newest checkpoint when retention left no row; the genesis for an empty journal. */
export function chainHeadOf(db: Database.Database): ChainHead {
  return (db.prepare(`SELECT seq, hash FROM (SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1) UNION ALL
    SELECT seq, hash FROM (SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1) ORDER BY seq DESC LIMIT 1`).get()
    ?? { seq: 0, hash: GENESIS_HASH }) as ChainHead;
}

/** Opens the database file (created mode 0600 in a 0700 folder when writable) with the PRAGMAs every use needs. */
export function openDatabase(path: string, opts: { readonly?: boolean; syncOffLoop: boolean }): Database.Database {
  if (!opts.readonly && path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  // 32 MiB of page cache instead of 2 for the writer: the key index of a long history is hundreds of MiB, and every
  // append lands on a leaf of its own; with its upper levels and recent leaves cached, an append reads little from
  // the file. A reader (ls, export, status) walks pages once: SQLite's default keeps its memory flat.
  if (!opts.readonly) db.pragma(`cache_size = -${CACHE_KIB}`);
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    // SQLite checkpoints by itself once the WAL holds this many pages: as many as the limit keeps (1000 by default, half
    // of it). Each checkpoint syncs twice on the event loop, and pages that every commit touches (the ends of the
    // indexes) are copied once per checkpoint however often they were written: fewer, larger checkpoints cost less.
    db.pragma(`wal_autocheckpoint = ${walPages(db)}`);
    // NORMAL in WAL mode: commits are not synced here (WalSync does it off the event loop), checkpoints are.
    db.pragma(opts.syncOffLoop ? 'synchronous = NORMAL' : 'synchronous = FULL');
  }
  return db;
}

/**
 * The upkeep of a writable journal file: syncs of writes made outside group commit, the head file written after
 * each sync, and regular checkpoints (PASSIVE: never waiting for readers) so journal.db holds the journal and the
 * WAL stays bounded. A busy journal checkpoints on a thread of its own (see CheckpointThread): SQLite's automatic
 * checkpoint runs inside the commit that crosses its threshold, and with its copy and two fsyncs it held the event
 * loop for milliseconds. `close` syncs, records the head and leaves everything checkpointed.
 */
export class WalKeeper {
  readonly wal: WalSync | undefined;
  private readonly syncTimer: NodeJS.Timeout | undefined;
  private readonly checkpointTimer: NodeJS.Timeout;
  private lastHead: ChainHead | undefined;
  /** Group commits left before the checkpoint thread starts: none is started when it is not wanted or has failed. */
  private commitsBeforeThread: number;
  private thread: CheckpointThread | undefined;
  private threadEndedAt = 0;
  private closed = false;
  /** Checkpoints the thread has made, and the writer's own that finished one of them (for tests and benches). */
  readonly threadFigures = { checkpoints: 0, finished: 0, failure: undefined as string | undefined };

  constructor(private readonly db: Database.Database, private readonly path: string,
    private readonly opts: { syncOffLoop: boolean; checkpointMs?: number; checkpointThread?: boolean; warn?: (message: string) => void }) {
    this.commitsBeforeThread = opts.syncOffLoop && opts.checkpointThread !== false ? COMMITS_BEFORE_THREAD : Infinity;
    this.recordHead();
    if (opts.syncOffLoop) {
      const wal = this.wal = new WalSync(`${path}-wal`);
      const changes = db.prepare('SELECT total_changes() AS n').pluck();
      let synced = changes.get() as number;
      this.syncTimer = setInterval(() => {
        const n = changes.get() as number;
        if (n !== synced) wal.durable().then(() => { synced = n; this.recordHead(); }, () => {});
      }, BACKGROUND_SYNC_MS);
      this.syncTimer.unref();
    }
    this.checkpointTimer = setInterval(() => {
      if (!this.checkpointInThread()) this.checkpoint();
    }, opts.checkpointMs ?? CHECKPOINT_MS);
    this.checkpointTimer.unref();
  }

  /** Called after each group commit: starts the checkpoint thread once the journal is busy, and paces it. */
  committed(): void {
    if (this.closed) return;
    if (!this.thread && --this.commitsBeforeThread <= 0) this.startThread();
    if (this.thread && performance.now() - this.threadEndedAt >= THREAD_PACE_MS) this.checkpointInThread();
  }

  private startThread(): void {
    try {
      // SQLite's own checkpoints stop only once the thread can take over (its start can take a while).
      this.thread = new CheckpointThread(this.path, () => {
        if (!this.closed && this.thread) this.db.pragma('wal_autocheckpoint = 0');
      });
    } catch (err) {
      this.threadFailed((err as Error).message);
    }
  }

  /**
   * Hands a checkpoint to the thread, unless one runs there already; false when there is no open, working thread
   * to take it (the writer's connection checkpoints then).
   */
  private checkpointInThread(): boolean {
    if (this.thread?.broken !== undefined) this.threadFailed(this.thread.broken);
    const thread = this.thread;
    if (!thread?.open) return false;
    if (thread.busy) return true;
    void thread.run().then((r) => {
      this.threadEndedAt = performance.now();
      if (this.closed) return;
      if (r.error !== undefined) return this.threadFailed(r.error);
      this.threadFigures.checkpoints++;
      if (r.log >= FINISH_FRAMES) {
        // Between two commits (a commit is synchronous), so nothing lands while the rest is copied.
        this.checkpoint();
        this.threadFigures.finished++;
      }
    });
    return true;
  }

  /** The thread is gone: the writer's connection checkpoints at its commits again, as before the thread. */
  private threadFailed(message: string): void {
    // A thread fails once (none is started after it): its error and its exit may both report it.
    if (this.threadFigures.failure !== undefined) return;
    this.threadFigures.failure = message;
    // A thread whose checkpoint failed is still running, with its connection open: it is let go now, not at close.
    void this.thread?.close();
    this.thread = undefined;
    this.commitsBeforeThread = Infinity;
    if (this.closed) return;
    this.opts.warn?.(`the journal's checkpoint thread stopped (${message}); checkpoints run inside commits again, which holds requests while they copy`);
    try {
      this.db.pragma(`wal_autocheckpoint = ${walPages(this.db)}`);
    } catch {
      // The connection is closing; nothing is left to checkpoint for.
    }
  }

  /** Writes the head file when the head moved (only once the WAL holding it is synced, so it never claims more). */
  recordHead(): void {
    try {
      const head = chainHeadOf(this.db);
      if (this.lastHead && this.lastHead.seq === head.seq && this.lastHead.hash === head.hash) return;
      writeHead(this.path, head);
      this.lastHead = head;
    } catch {
      // A full disk: the head file keeps its last value, which only claims less than there is.
    }
  }

  /** Copies the WAL into journal.db; once a checkpoint reaches its end, the next write starts it over. */
  checkpoint(): CheckpointFigures {
    try {
      return passiveCheckpoint(this.db);
    } catch {
      return { log: -1, checkpointed: -1 };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.syncTimer);
    clearInterval(this.checkpointTimer);
    try {
      await this.thread?.close();
      this.wal?.syncNow();
      this.recordHead();
      try {
        // A clean stop leaves everything in journal.db and an empty WAL.
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // Another connection reads: its close (or our next start) finishes the checkpoint.
      }
    } finally {
      this.wal?.close();
    }
  }
}
