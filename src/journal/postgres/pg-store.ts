import { EventEmitter } from 'node:events';
import { FerryError } from '../../errors/ferry-error.js';
import type pg from 'pg';
import type { ChangeFilter, ChangeRow, ShipAttempt } from '../query.js';
import type { ChainHead, IntentInput, JournalStore, OutcomeInput, PendingFigures, PruneResult, QueueEntry, RuleFigures } from '../journal-store.js';
import type { ChainReport } from '../verify-chain.js';
import { createPool, migrate, pgUnavailable, redactUrl } from './pg-connection.js';
import { PgAppender } from './pg-appender.js';
import { PgQueue } from './pg-queue.js';
import { PgQueries } from './pg-queries.js';
import { PgChain } from './pg-chain.js';
import { PgResyncProgress } from './pg-resync-progress.js';

export interface PgStoreOptions {
  readonly?: boolean;
  /** Connections in the pool. */
  connections?: number;
  /** The name recorded (and chained) in every row this store appends: which gateway wrote it. */
  writer?: string;
}

/**
 * The journal in PostgreSQL, shared by a fleet of gateways and shippers. Intents are committed (PostgreSQL's WAL,
 * synchronous_commit on) before they resolve; concurrent requests of a process share commits; all processes
 * append to one hash chain. Open with `PgJournalStore.open`, which migrates the schema first.
 */
export class PgJournalStore extends EventEmitter implements JournalStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly resyncProgress: PgResyncProgress;
  private readonly appender: PgAppender;
  private readonly queue: PgQueue;
  private readonly queries: PgQueries;
  private readonly chain: PgChain;

  private constructor(private readonly pool: pg.Pool, url: string, writer: string | null) {
    super();
    this.location = redactUrl(url);
    this.appender = new PgAppender(pool, writer, () => this.emit('commit'));
    this.queue = new PgQueue(pool);
    this.queries = new PgQueries(pool);
    this.chain = new PgChain(pool);
    this.resyncProgress = new PgResyncProgress(pool);
  }

  static async open(url: string, opts: PgStoreOptions = {}): Promise<PgJournalStore> {
    const pool = createPool(url, { max: opts.connections });
    try {
      await migrate(pool, opts.readonly ?? false);
    } catch (err) {
      await pool.end().catch(() => {});
      throw pgUnavailable(err);
    }
    return new PgJournalStore(pool, url, opts.writer ?? null);
  }

  /** The pool, for tests' assertions and the bench; nothing else in Ferry runs SQL on it. */
  get connection(): pg.Pool {
    return this.pool;
  }

  private async write<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw pgUnavailable(err);
    }
  }

  appendIntents(entries: IntentInput[]): Promise<number[]> {
    return this.write(() => this.appender.submit({ intents: entries }));
  }

  async recordOutcomes(outcomes: OutcomeInput[]): Promise<void> {
    await this.write(() => this.appender.submit({ outcomes }));
  }

  appendApplied(entries: IntentInput[]): Promise<number[]> {
    return this.write(() => this.appender.submit({ intents: entries, applied: true }));
  }

  markUncertain(seqs: number[]): void {
    // Unwritable journal: the intent rows are durable and the intent sweep enqueues them.
    this.queue.enqueueChanges('seq = ANY($1::bigint[])', [seqs]).then(() => this.emit('commit'), () => {});
  }

  latestState(ruleId: string, bucket: string, key: string): Promise<string | undefined> {
    return this.queries.latestState(ruleId, bucket, key);
  }

  async recoverIntents(olderThan: number): Promise<number> {
    const n = await this.write(() => this.queue.enqueueChanges("state = 'intent' AND created_at < $1", [olderThan]));
    if (n) this.emit('commit');
    return n;
  }

  due(enabledRules: string[], now: number, limit: number, busy: ReadonlySet<string>, lease?: { owner: string; ms: number }): Promise<QueueEntry[]> {
    return this.write(() => this.queue.due(enabledRules, now, limit, busy, lease));
  }

  renewLeases(entries: QueueEntry[], owner: string, until: number): Promise<void> {
    return this.write(() => this.queue.renew(entries, owner, until));
  }

  shipped(e: QueueEntry, seq: number, targetEtag: string | null, result: 'shipped' | 'deleted', now: number, changed = true): Promise<number> {
    return this.write(() => this.queue.shipped(e, seq, targetEtag, result, now, changed));
  }

  failed(e: QueueEntry, error: string, nextAt: number, maxAttempts: number, now: number): Promise<'ready' | 'failed'> {
    return this.write(() => this.queue.failed(e, error, nextAt, maxAttempts, now));
  }

  postpone(e: QueueEntry, nextAt: number, error: string | null): Promise<void> {
    return this.write(() => this.queue.postpone(e, nextAt, error));
  }

  retryFailed(ruleId?: string): Promise<{ keys: number; changes: number }> {
    return this.write(() => this.queue.retryFailed(ruleId));
  }

  cancelRule(ruleId: string): Promise<number> {
    return this.write(() => this.queue.cancelRule(ruleId));
  }

  rulesWithWork(): Promise<string[]> {
    return this.queue.rulesWithWork();
  }

  listChanges(f: ChangeFilter, heldRules: string[], opts: { order?: 'asc' | 'desc'; limit?: number } = {}): AsyncIterable<ChangeRow[]> {
    return this.queries.list(f, heldRules, opts);
  }

  exportChanges(f: ChangeFilter, heldRules: string[]): AsyncIterable<unknown[][]> {
    return this.queries.list(f, heldRules, { raw: true });
  }

  getChange(seq: number): Promise<ChangeRow> {
    return this.queries.getChange(seq);
  }

  shippingHistory(row: ChangeRow): Promise<ShipAttempt[]> {
    return this.queries.shippingHistory(row);
  }

  pendingByRule(): Promise<PendingFigures[]> {
    return this.queries.pendingByRule();
  }

  ruleFigures(ruleIds: string[], now: number, lagWindowMs: number, maxSamples: number): Promise<Map<string, RuleFigures>> {
    return this.queries.ruleFigures(ruleIds, now, lagWindowMs, maxSamples);
  }

  /** Whether a write transaction can start now (the server is up and the user may write the queue). */
  async writable(): Promise<string> {
    try {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('LOCK TABLE queue IN ROW EXCLUSIVE MODE NOWAIT');
        await c.query('ROLLBACK');
      } finally {
        c.release();
      }
      return 'ok';
    } catch (err) {
      return `not writable: ${(err as Error).message}`;
    }
  }

  prune(cutoff: number, opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
    return this.chain.prune(cutoff, opts);
  }

  countPrunable(cutoff: number): Promise<number> {
    return this.chain.countPrunable(cutoff);
  }

  /**
   * The chain, and whether the journal still reaches the head this process last committed (recorded after every
   * commit batch, as the SQLite store's head file is after every sync): a database restored to an older point, or
   * rows deleted at the end together with chain_head, show as missing rows.
   */
  async verifyChain(maxProblems?: number): Promise<ChainReport> {
    const recorded = this.appender.lastHead;
    const report = await this.chain.verify(maxProblems);
    if (recorded && recorded.seq > report.head.seq) {
      const from = report.head.seq + 1;
      report.problems.push({ kind: 'missing', seq: from, detail: `rows ${from}..${recorded.seq} are missing: this process committed ` +
        `seq ${recorded.seq}, but the journal ends before it (the database was restored to an older point, or its tail deleted)` });
      report.ok = false;
    }
    return report;
  }

  async backup(): Promise<{ pages: number }> {
    throw new FerryError('OPTION_INVALID', 'a PostgreSQL journal is backed up with PostgreSQL\'s own tools',
      'use pg_dump --schema=ferry (or the database\'s continuous archiving); `ferry journal backup` copies SQLite journals');
  }

  head(): Promise<ChainHead> {
    return this.chain.head();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
