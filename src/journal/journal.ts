import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import { FerryError } from '../errors/ferry-error.js';
import { MIGRATIONS } from './schema.js';
import { GroupCommit } from './group-commit.js';
import { WalSync } from './wal-sync.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';
import { ShipQueue } from './ship-queue.js';

export interface IntentInput {
  ruleId: string;
  operation: string;
  bucket: string;
  key: string;
  accessKeyId: string;
  remoteAddr: string;
  origin?: 'client' | 'resync';
}

export interface OutcomeInput {
  seq: number;
  /** True when the source applied the change (2xx, and for multi-delete, this key was deleted). */
  applied: boolean;
  status: number;
  requestId?: string;
  etag?: string;
  size?: number;
  versionId?: string;
  error?: string;
}

/** Wraps a SQLite error as the operator-facing journal error (disk full, read-only, locked). */
function unavailable(err: unknown): FerryError {
  return new FerryError('JOURNAL_UNAVAILABLE', `journal write failed: ${(err as Error).message}`,
    'check free space, permissions and locks on the journal file');
}

// Writes made outside group commit (the shipper's bookkeeping, operator commands) reach the disk this soon.
const BACKGROUND_SYNC_MS = 200;

/**
 * The durable journal of changes: one SQLite database in WAL mode, so a committed row survives a crash. Writes
 * from the request path go through group commit, and their promises resolve only once the WAL is synced (what
 * synchronous=FULL guarantees, with the fsync on the thread pool instead of the event loop: see WalSync).
 * `queue` is the shipper's view.
 */
export class Journal extends EventEmitter {
  readonly db: Database.Database;
  readonly queue: ShipQueue;
  private readonly group: GroupCommit;
  private readonly stmts;
  private latestStmt: Database.Statement | undefined;
  private readonly wal: WalSync | undefined;
  private readonly syncTimer: NodeJS.Timeout | undefined;

  /**
   * `groupCommit: false` commits and syncs each write alone on the event loop (synchronous=FULL, one transaction
   * per append): the baseline that group commit is measured against.
   */
  constructor(path: string, opts: { readonly?: boolean; groupCommit?: boolean } = {}) {
    super();
    if (!opts.readonly && path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    this.db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      const offLoop = path !== ':memory:' && opts.groupCommit !== false;
      // NORMAL in WAL mode: commits are not synced here (WalSync does it off the event loop), checkpoints are.
      this.db.pragma(offLoop ? 'synchronous = NORMAL' : 'synchronous = FULL');
      this.migrate();
      if (offLoop) {
        const wal = this.wal = new WalSync(`${path}-wal`);
        const changes = this.db.prepare('SELECT total_changes() AS n').pluck();
        let synced = changes.get() as number;
        this.syncTimer = setInterval(() => {
          const n = changes.get() as number;
          if (n !== synced) wal.durable().then(() => { synced = n; }, () => {});
        }, BACKGROUND_SYNC_MS);
        this.syncTimer.unref();
      }
    }
    this.stmts = {
      last: this.db.prepare('SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1'),
      lastCheckpoint: this.db.prepare('SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1'),
      insert: this.db.prepare(`INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id,
        remote_addr, origin, hash, state) VALUES (@seq, @created_at, @rule_id, @operation, @bucket, @key,
        @access_key_id, @remote_addr, @origin, @hash, 'intent')`),
      outcome: this.db.prepare(`UPDATE changes SET state = @state, status = @status, request_id = @requestId,
        etag = @etag, size = @size, version_id = @versionId, outcome_at = @at, last_error = @error WHERE seq = @seq
        RETURNING rule_id, bucket, key`),
    };
    this.queue = new ShipQueue(this.db);
    const wal = this.wal;
    // One transaction wrapper for every group commit (better-sqlite3 builds four functions per transaction()).
    const commit = this.db.transaction((work: () => void) => work()).immediate;
    this.group = new GroupCommit((work) => commit(work), {
      afterCommit: () => this.emit('commit'), maxBatch: opts.groupCommit === false ? 1 : undefined, durable: wal && (() => wal.durable()),
    });
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (schema_version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT schema_version AS v FROM meta').get() as { v: number } | undefined;
    const from = row?.v ?? 0;
    if (from > MIGRATIONS.length) {
      throw new FerryError('JOURNAL_UNAVAILABLE', `journal schema ${from} is newer than this Ferry (${MIGRATIONS.length})`);
    }
    if (from === MIGRATIONS.length) return;
    this.db.transaction(() => {
      for (const sql of MIGRATIONS.slice(from)) this.db.exec(sql);
      this.db.prepare('DELETE FROM meta').run();
      this.db.prepare('INSERT INTO meta (schema_version) VALUES (?)').run(MIGRATIONS.length);
    }).immediate();
  }

  private insertIntents(entries: IntentInput[], now: number): number[] {
    const last = (this.stmts.last.get() ?? this.stmts.lastCheckpoint.get()) as { seq: number; hash: string } | undefined;
    let seq = last?.seq ?? 0;
    let prev = last?.hash ?? GENESIS_HASH;
    return entries.map((e) => {
      seq += 1;
      const fields = {
        seq, created_at: now, rule_id: e.ruleId, operation: e.operation, bucket: e.bucket, key: e.key,
        access_key_id: e.accessKeyId, remote_addr: e.remoteAddr, origin: e.origin ?? 'client',
      };
      prev = chainHash(prev, fields);
      this.stmts.insert.run({ ...fields, hash: prev });
      return seq;
    });
  }

  private applyOutcome(o: OutcomeInput, now: number): void {
    const row = this.stmts.outcome.get({
      seq: o.seq, state: o.applied ? 'pending' : 'rejected', status: o.status, requestId: o.requestId ?? null,
      etag: o.etag ?? null, size: o.size ?? null, versionId: o.versionId ?? null, at: now, error: o.error ?? null,
    }) as { rule_id: string; bucket: string; key: string } | undefined;
    if (row && o.applied) this.queue.enqueue(row.rule_id, row.bucket, row.key, o.seq, now);
  }

  /** Durably records intents (before forwarding); resolves with their sequence numbers once committed. */
  async appendIntents(entries: IntentInput[]): Promise<number[]> {
    try {
      return await this.group.submit(() => this.insertIntents(entries, Date.now()));
    } catch (err) {
      throw unavailable(err);
    }
  }

  /**
   * Records what the source answered; applied changes join the shipping queue in the same commit. Resolves at
   * commit, without a sync of its own: the intent already made the change durable, and the outcome reaches the
   * disk with the next synced commit or within BACKGROUND_SYNC_MS (lost in a power cut, it leaves the intent,
   * which the shipper settles from the source's state).
   */
  async recordOutcomes(outcomes: OutcomeInput[]): Promise<void> {
    try {
      await this.group.submit(() => {
        const now = Date.now();
        for (const o of outcomes) this.applyOutcome(o, now);
      }, false);
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Records intent and applied outcome at once, for changes Ferry makes itself (resync). */
  async appendApplied(entries: IntentInput[]): Promise<number[]> {
    return this.group.submit(() => {
      const now = Date.now();
      const seqs = this.insertIntents(entries, now);
      for (const seq of seqs) this.applyOutcome({ seq, applied: true, status: 0 }, now);
      return seqs;
    });
  }

  /**
   * The source's answer is unknown (connection lost, client gone, a 5xx that does not say whether the change
   * was made): the rows stay intents and the key joins the queue, so the shipper settles it from the source.
   */
  markUncertain(seqs: number[]): void {
    try {
      this.enqueueIntents(`seq IN (${seqs.map(() => '?').join(',')})`, seqs);
    } catch {
      // Unwritable journal: the intent rows are durable and the intent sweep enqueues them.
    }
  }

  /** State of the newest change of a key that was (or may have been) applied; undefined when there is none. */
  latestState(ruleId: string, bucket: string, key: string): string | undefined {
    this.latestStmt ??= this.db.prepare(`SELECT state FROM changes WHERE rule_id = ? AND bucket = ? AND key = ?
      AND state IN ('intent', 'pending', 'failed', 'shipped') ORDER BY seq DESC LIMIT 1`).pluck();
    return this.latestStmt.get(ruleId, bucket, key) as string | undefined;
  }

  /** Puts intents whose outcome never came (the gateway died mid-request) into the queue. */
  recoverIntents(olderThan: number): number {
    return this.enqueueIntents(`state = 'intent' AND created_at < ?`, [olderThan]);
  }

  /** Queues the keys of the change rows `where` selects, in one transaction; returns how many rows. */
  private enqueueIntents(where: string, params: unknown[]): number {
    const rows = this.db.prepare(`SELECT seq, rule_id, bucket, key FROM changes WHERE ${where}`)
      .all(...params) as Array<{ seq: number; rule_id: string; bucket: string; key: string }>;
    if (rows.length === 0) return 0;
    this.db.transaction(() => {
      const now = Date.now();
      for (const r of rows) this.queue.enqueue(r.rule_id, r.bucket, r.key, r.seq, now);
    }).immediate();
    this.emit('commit');
    return rows.length;
  }

  close(): void {
    clearInterval(this.syncTimer);
    try {
      this.wal?.syncNow();
    } finally {
      this.wal?.close();
      this.db.close();
    }
  }
}
