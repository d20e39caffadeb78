import type Database from 'better-sqlite3';
import { chmodSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import { FerryError } from '../../errors/ferry-error.js';
import { GroupCommit } from '../group-commit.js';
import { GENESIS_HASH, chainHash } from '../hash-chain.js';
import type { ChangeFilter, ChangeRow, ShipAttempt } from '../query.js';
import type { ChainHead, IntentInput, JournalStore, OutcomeInput, PendingFigures, PruneResult, QueueEntry, RuleFigures } from '../journal-store.js';
import type { ChainReport } from '../verify-chain.js';
import { SqliteQueue } from './sqlite-queue.js';
import { SqliteQueries } from './sqlite-queries.js';
import { SqliteChain } from './sqlite-chain.js';
import { SqliteResyncProgress } from './sqlite-resync-progress.js';
import { readHead } from './head-file.js';
import { WalKeeper, checkReadable, migrate, openDatabase, refuseLostTail } from './sqlite-file.js';

/** Wraps a SQLite error as the operator-facing journal error (disk full, read-only, locked). */
export function unavailable(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  return new FerryError('JOURNAL_UNAVAILABLE', `journal write failed: ${(err as Error).message}`,
    'check free space, permissions and locks on the journal file');
}

const MIN_FREE_BYTES = 64 * 1024 * 1024;

export interface SqliteStoreOptions {
  readonly?: boolean;
  /**
   * `false` commits and syncs each write alone on the event loop (synchronous=FULL, one transaction per append):
   * the baseline that group commit is measured against.
   */
  groupCommit?: boolean;
  /** The name recorded (and chained) in every row this store appends: which gateway wrote it. */
  writer?: string;
  /** How often the WAL is checkpointed into the database file (ms). */
  checkpointMs?: number;
  /** `false` keeps every checkpoint on the writer's connection, as SQLite does by itself (the bench's baseline). */
  checkpointThread?: boolean;
}

/**
 * The journal in one SQLite database in WAL mode, so a committed row survives a crash. Writes from the request
 * path go through group commit, and their promises resolve only once the WAL is synced (what synchronous=FULL
 * guarantees, with the fsync on the thread pool instead of the event loop: see WalSync). Like undici's SQLite
 * cache store: PRAGMAs in the constructor, a versioned schema, statements prepared once.
 */
export class SqliteJournalStore extends EventEmitter implements JournalStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly resyncProgress: SqliteResyncProgress;
  /** The connection, for the SQLite-only tools (backup, tests' assertions); nothing else runs SQL on it. */
  readonly connection: Database.Database;
  private readonly queue: SqliteQueue;
  private readonly queries: SqliteQueries;
  private readonly chain: SqliteChain;
  private readonly group: GroupCommit;
  private readonly stmts;
  private readonly keeper: WalKeeper | undefined;
  private readonly writer: string | null;
  /** The chain head within the current group commit, read at its first append. */
  private batchHead: ChainHead | undefined;

  constructor(readonly path: string, opts: SqliteStoreOptions = {}) {
    super();
    this.location = path;
    this.writer = opts.writer ?? null;
    const file = path !== ':memory:';
    const syncOffLoop = file && opts.groupCommit !== false;
    const db = this.connection = openDatabase(path, { readonly: opts.readonly, syncOffLoop });
    if (opts.readonly) checkReadable(db, path);
    else {
      if (file) refuseLostTail(db, path);
      migrate(db);
      if (file) this.keeper = new WalKeeper(db, path, { syncOffLoop, checkpointMs: opts.checkpointMs, checkpointThread: opts.checkpointThread,
        warn: (message) => this.emit('warning', message) });
    }
    this.stmts = {
      last: db.prepare('SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1'),
      lastCheckpoint: db.prepare('SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1'),
      // Positional parameters: binding by name costs a property lookup per column, on every appended row.
      insert: db.prepare(`INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id,
        remote_addr, origin, writer, hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent')`),
      outcome: db.prepare(`UPDATE changes SET state = @state, status = @status, request_id = @requestId,
        etag = @etag, size = @size, version_id = @versionId, outcome_at = @at, last_error = @error WHERE seq = @seq
        RETURNING rule_id, bucket, key`),
    };
    this.queue = new SqliteQueue(db);
    this.queries = new SqliteQueries(db);
    this.chain = new SqliteChain(db);
    this.resyncProgress = new SqliteResyncProgress(db);
    const wal = this.keeper?.wal;
    // One transaction wrapper for every group commit (better-sqlite3 builds four functions per transaction()).
    const commit = db.transaction((work: () => void) => {
      // The head is read once per commit, under its write lock (another process may have appended since the last).
      this.batchHead = undefined;
      work();
    }).immediate;
    this.group = new GroupCommit((work) => commit(work), {
      afterCommit: () => { this.keeper?.committed(); this.emit('commit'); }, maxBatch: opts.groupCommit === false ? 1 : undefined, durable: wal && (() => wal.durable()),
    });
  }

  /** Copies the WAL into journal.db now (it happens every few seconds anyway). */
  checkpoint(): { log: number; checkpointed: number } | undefined {
    return this.keeper?.checkpoint();
  }

  /** What the checkpoint thread has done (undefined for a store without one: in memory, read-only). */
  get checkpointThreadFigures(): { checkpoints: number; finished: number; failure: string | undefined } | undefined {
    return this.keeper && { ...this.keeper.threadFigures };
  }

  private insertIntents(entries: IntentInput[], now: number): number[] {
    const head = this.batchHead ??= ((this.stmts.last.get() ?? this.stmts.lastCheckpoint.get()) as ChainHead | undefined)
      ?? { seq: 0, hash: GENESIS_HASH };
    const seqs: number[] = [];
    for (const e of entries) {
      const fields = {
        seq: head.seq + 1, created_at: now, rule_id: e.ruleId, operation: e.operation, bucket: e.bucket, key: e.key,
        access_key_id: e.accessKeyId, remote_addr: e.remoteAddr, origin: e.origin ?? 'client', writer: this.writer,
      };
      const hash = chainHash(head.hash, fields);
      this.stmts.insert.run(fields.seq, now, e.ruleId, e.operation, e.bucket, e.key, e.accessKeyId, e.remoteAddr, fields.origin, this.writer, hash);
      // Only once the row is in: a failed insert leaves the head where it was.
      head.seq = fields.seq;
      head.hash = hash;
      seqs.push(fields.seq);
    }
    return seqs;
  }

  private applyOutcome(o: OutcomeInput, now: number): void {
    const row = this.stmts.outcome.get({
      seq: o.seq, state: o.applied ? 'pending' : 'rejected', status: o.status, requestId: o.requestId ?? null,
      etag: o.etag ?? null, size: o.size ?? null, versionId: o.versionId ?? null, at: now, error: o.error ?? null,
    }) as { rule_id: string; bucket: string; key: string } | undefined;
    if (row && o.applied) this.queue.enqueue(row.rule_id, row.bucket, row.key, o.seq, now);
  }

  async appendIntents(entries: IntentInput[]): Promise<number[]> {
    try {
      return await this.group.submit(() => this.insertIntents(entries, Date.now()));
    } catch (err) {
      throw unavailable(err);
    }
  }

  /**
   * Resolves at commit, without a sync of its own: the intent already made the change durable, and the outcome
   * reaches the disk with the next synced commit or within BACKGROUND_SYNC_MS (lost in a power cut, it leaves the
   * intent, which the shipper settles from the source's state).
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

  async appendApplied(entries: IntentInput[]): Promise<number[]> {
    try {
      return await this.group.submit(() => {
        const now = Date.now();
        const seqs = this.insertIntents(entries, now);
        for (const seq of seqs) this.applyOutcome({ seq, applied: true, status: 0 }, now);
        return seqs;
      });
    } catch (err) {
      throw unavailable(err);
    }
  }

  markUncertain(seqs: number[]): void {
    try {
      this.enqueueIntents(`seq IN (${seqs.map(() => '?').join(',')})`, seqs);
    } catch {
      // Unwritable journal: the intent rows are durable and the intent sweep enqueues them.
    }
  }

  async latestState(ruleId: string, bucket: string, key: string): Promise<string | undefined> {
    return this.queries.latestState(ruleId, bucket, key);
  }

  async recoverIntents(olderThan: number): Promise<number> {
    return this.enqueueIntents(`state = 'intent' AND created_at < ?`, [olderThan]);
  }

  /** Queues the keys of the change rows `where` selects, in one transaction; returns how many rows. */
  private enqueueIntents(where: string, params: unknown[]): number {
    const rows = this.connection.prepare(`SELECT seq, rule_id, bucket, key FROM changes WHERE ${where}`)
      .all(...params) as Array<{ seq: number; rule_id: string; bucket: string; key: string }>;
    if (rows.length === 0) return 0;
    this.connection.transaction(() => {
      const now = Date.now();
      for (const r of rows) this.queue.enqueue(r.rule_id, r.bucket, r.key, r.seq, now);
    }).immediate();
    this.emit('commit');
    return rows.length;
  }

  async due(enabledRules: string[], now: number, limit: number, busy: ReadonlySet<string>, lease?: { owner: string; ms: number }): Promise<QueueEntry[]> {
    return this.queue.due(enabledRules, now, limit, busy, lease);
  }

  async renewLeases(entries: QueueEntry[], owner: string, until: number): Promise<void> {
    if (entries.length) this.queue.renew(entries, owner, until);
  }

  async shipped(e: QueueEntry, seq: number, targetEtag: string | null, result: 'shipped' | 'deleted', now: number, changed = true): Promise<number> {
    return this.queue.shipped(e, seq, targetEtag, result, now, changed);
  }

  async failed(e: QueueEntry, error: string, nextAt: number, maxAttempts: number, now: number): Promise<'ready' | 'failed'> {
    return this.queue.failed(e, error, nextAt, maxAttempts, now);
  }

  async postpone(e: QueueEntry, nextAt: number, error: string | null): Promise<void> {
    this.queue.postpone(e, nextAt, error);
  }

  async retryFailed(ruleId?: string): Promise<{ keys: number; changes: number }> {
    return this.queue.retryFailed(ruleId);
  }

  async cancelRule(ruleId: string): Promise<number> {
    return this.queue.cancelRule(ruleId);
  }

  async rulesWithWork(): Promise<string[]> {
    return this.queue.rulesWithWork();
  }

  listChanges(f: ChangeFilter, heldRules: string[], opts: { order?: 'asc' | 'desc'; limit?: number } = {}): AsyncIterable<ChangeRow[]> {
    return this.queries.list(f, heldRules, opts);
  }

  exportChanges(f: ChangeFilter, heldRules: string[]): AsyncIterable<unknown[][]> {
    return this.queries.list(f, heldRules, { raw: true });
  }

  async getChange(seq: number): Promise<ChangeRow> {
    return this.queries.getChange(seq);
  }

  async shippingHistory(row: ChangeRow): Promise<ShipAttempt[]> {
    return this.queries.shippingHistory(row);
  }

  async pendingByRule(): Promise<PendingFigures[]> {
    return this.queries.pendingByRule();
  }

  async ruleFigures(ruleIds: string[], now: number, lagWindowMs: number, maxSamples: number): Promise<Map<string, RuleFigures>> {
    return this.queries.ruleFigures(ruleIds, now, lagWindowMs, maxSamples);
  }

  /** Whether the write lock can be taken and the disk has room. */
  async writable(): Promise<string> {
    try {
      this.connection.exec('BEGIN IMMEDIATE');
      this.connection.exec('ROLLBACK');
    } catch (err) {
      return `not writable: ${(err as Error).message}`;
    }
    try {
      const fs = statfsSync(dirname(this.path));
      const free = fs.bavail * fs.bsize;
      if (free < MIN_FREE_BYTES) return `disk almost full: ${free} bytes free`;
    } catch {
      // No statfs for this file system: the lock test above stands.
    }
    return 'ok';
  }

  prune(cutoff: number, opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
    return this.chain.prune(cutoff, opts);
  }

  async countPrunable(cutoff: number): Promise<number> {
    return this.chain.countPrunable(cutoff);
  }

  /** The chain, and whether the journal still reaches the head recorded beside it (a lost tail shows as missing rows). */
  async verifyChain(maxProblems?: number): Promise<ChainReport> {
    const report = this.chain.verify(maxProblems);
    const recorded = this.path === ':memory:' ? undefined : readHead(this.path);
    const highest = Math.max(this.chain.highestSeq(), report.head.seq);
    if (recorded && recorded.seq > highest) {
      report.problems.push({ kind: 'missing', seq: highest + 1, detail: `rows ${highest + 1}..${recorded.seq} are missing: the head file ` +
        `beside the journal records seq ${recorded.seq} as written and synced (its tail was lost: a deleted or truncated -wal file?)` });
      report.ok = false;
    }
    return report;
  }

  async backup(destination: string): Promise<{ pages: number }> {
    const r = await this.connection.backup(destination);
    chmodSync(destination, 0o600);
    return { pages: r.totalPages };
  }

  async head(): Promise<ChainHead> {
    return this.chain.head();
  }

  async close(): Promise<void> {
    try {
      await this.keeper?.close();
    } finally {
      this.connection.close();
    }
  }
}
