import type { ChainReport } from './verify-chain.js';
import type { ChangeFilter, ChangeRow, ShipAttempt } from './query.js';

/** A change the gateway is about to forward (or Ferry makes itself), as the intent row records it. */
export interface IntentInput {
  ruleId: string;
  operation: string;
  bucket: string;
  key: string;
  accessKeyId: string;
  remoteAddr: string;
  origin?: 'client' | 'resync';
}

/** What the source answered for one intent. */
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

/** One key waiting to be shipped: all its unshipped changes up to `maxSeq` coalesce into one copy. */
export interface QueueEntry {
  ruleId: string;
  bucket: string;
  key: string;
  maxSeq: number;
  firstAt: number;
  attempts: number;
  /**
   * The newest change is a resync's, whose walk found the key missing from the target, and no attempt has been
   * made since: the shipper need not look at the target before copying. A hint only (the target may have
   * gained the key since the walk); it never stands for the target's state on a delete.
   */
  targetAbsent?: boolean;
}

/** The operation of a resync row for a key the walk found in the source and not in the target. */
export const RESYNC_MISSING = 'ResyncMissing';

/** Unshipped work of one rule, for the pending gauges. */
export interface PendingFigures {
  rule: string;
  operations: number;
  bytes: number;
}

/** The raw figures `ferry status` shows for one rule, read in one consistent snapshot. */
export interface RuleFigures {
  pending: { operations: number; bytes: number; oldest: number | null };
  readyKeys: number;
  failed: number;
  unchanged: number;
  shipped: { lastMinute: number; lastHour: number };
  /** shipped_at - (outcome_at or created_at) in ms of the newest rows shipped within the lag window. */
  lagsMs: number[];
}

export interface PruneResult {
  pruned: number;
  /** Checkpoints in the journal afterwards: one per gap, each lets `verify` resume the chain after it. */
  checkpoints: number;
  /** The oldest unfinished row created before the cutoff: it and its like stay, and will be pruned once finished. */
  oldestKept?: { seq: number; state: string };
}

/** Where an unfinished resync of a rule stopped, so a second run lists only the keys after it. */
export interface ResyncMark {
  afterKey: string;
  startedAt: number;
  updatedAt: number;
  rowsWritten: number;
}

export interface ResyncProgressStore {
  get(ruleId: string): Promise<ResyncMark | undefined>;
  save(ruleId: string, mark: ResyncMark): Promise<void>;
  clear(ruleId: string): Promise<void>;
}

/** The newest row of the hash chain: what a lost tail would roll back. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Everything Ferry asks of its journal, whatever stores it (SQLite on one machine, PostgreSQL for a fleet).
 * Writes from the request path resolve only once durable; `commit` is emitted after each commit that may have
 * queued work, so the shipper wakes. Errors of an unwritable store are FerryError JOURNAL_UNAVAILABLE.
 */
export interface JournalStore {
  /** `sqlite` or `postgres`, for logs and for what only one store can do (backup of a file). */
  readonly kind: 'sqlite' | 'postgres';
  /** Where it lives, for messages: a path, or a URL without its password. */
  readonly location: string;

  on(event: 'commit', listener: () => void): this;
  /** The store goes on working, but worse than it should (its checkpoint thread ended): for the operator's log. */
  on(event: 'warning', listener: (message: string) => void): this;
  off(event: 'commit', listener: () => void): this;
  /** Wakes the shipper (after a reload enables rules, for example). */
  emit(event: 'commit'): boolean;

  /** Durably records intents (before forwarding); resolves with their sequence numbers once committed. */
  appendIntents(entries: IntentInput[]): Promise<number[]>;
  /** Records what the source answered; applied changes join the shipping queue in the same commit. */
  recordOutcomes(outcomes: OutcomeInput[]): Promise<void>;
  /** Records intent and applied outcome at once, for changes Ferry makes itself (resync). */
  appendApplied(entries: IntentInput[]): Promise<number[]>;
  /**
   * The source's answer is unknown: the rows stay intents and their keys join the queue, so the shipper settles
   * them from the source. Never throws: on an unwritable journal the intent sweep enqueues them later.
   */
  markUncertain(seqs: number[]): void;
  /** State of the newest change of a key that was (or may have been) applied; undefined when there is none. */
  latestState(ruleId: string, bucket: string, key: string): Promise<string | undefined>;
  /** Queues intents older than `olderThan` whose outcome never came (their gateway died); returns how many. */
  recoverIntents(olderThan: number): Promise<number>;

  /**
   * Keys due now for the enabled rules, oldest first, skipping `busy` ones. Each key returned is leased to
   * `owner` until `now + leaseMs`: no other owner gets it before the lease ends or is released by
   * shipped/failed/postpone.
   */
  due(enabledRules: string[], now: number, limit: number, busy: ReadonlySet<string>, lease?: { owner: string; ms: number }): Promise<QueueEntry[]>;
  /** Extends the leases `owner` holds on keys it is still copying until `until`; `until` 0 gives them up. */
  renewLeases(entries: QueueEntry[], owner: string, until: number): Promise<void>;
  /**
   * Marks every change of the key up to `seq` shipped and drops the entry unless newer changes arrived. With
   * `changed` false, uncertain rows become `unchanged`, not `shipped`. Returns how many rows became unchanged.
   */
  shipped(e: QueueEntry, seq: number, targetEtag: string | null, result: 'shipped' | 'deleted', now: number, changed?: boolean): Promise<number>;
  /** Records a failed attempt; after `maxAttempts` the key and its changes are marked failed. */
  failed(e: QueueEntry, error: string, nextAt: number, maxAttempts: number, now: number): Promise<'ready' | 'failed'>;
  /** Delays a key without using up an attempt (source changed mid-copy, or region unreachable). */
  postpone(e: QueueEntry, nextAt: number, error: string | null): Promise<void>;
  /**
   * Puts failed changes (of one rule, or all) back in the queue, and queues failed changes whose key has no
   * queue entry (a crash between two bookkeeping steps). Returns keys queued and changes concerned.
   */
  retryFailed(ruleId?: string): Promise<{ keys: number; changes: number }>;
  /** A removed rule's unshipped changes are kept, marked cancelled, and leave the queue; returns how many rows. */
  cancelRule(ruleId: string): Promise<number>;
  /** Rules that have queue entries, so a reload can cancel those of removed rules. */
  rulesWithWork(): Promise<string[]>;

  /** Matching rows, a batch at a time, so callers can stream any number of them. */
  listChanges(f: ChangeFilter, heldRules: string[], opts?: { order?: 'asc' | 'desc'; limit?: number }): AsyncIterable<ChangeRow[]>;
  /** Matching rows oldest first, each an array in CHANGE_COLUMNS order (cheaper, for exports), in batches. */
  exportChanges(f: ChangeFilter, heldRules: string[]): AsyncIterable<unknown[][]>;
  /** One row by seq, or JOURNAL_ROW_NOT_FOUND (never written, or pruned). */
  getChange(seq: number): Promise<ChangeRow>;
  /** The shipper's attempts that concerned one change, up to the first success. */
  shippingHistory(row: ChangeRow): Promise<ShipAttempt[]>;
  /** Unshipped operations and bytes of every rule that has any. */
  pendingByRule(): Promise<PendingFigures[]>;
  /** The status figures of each rule, read in one snapshot. */
  ruleFigures(ruleIds: string[], now: number, lagWindowMs: number, maxSamples: number): Promise<Map<string, RuleFigures>>;
  /** 'ok', or why the journal would refuse a write now (lock, disk, connection). */
  writable(): Promise<string>;

  /** Prunes finished rows created before `cutoff` in short batches, leaving chain checkpoints. */
  prune(cutoff: number, opts?: { batchSize?: number; shouldStop?: () => boolean }): Promise<PruneResult>;
  /** How many rows `prune` would remove, for `--dry-run`. */
  countPrunable(cutoff: number): Promise<number>;
  /** Walks the whole hash chain in one snapshot. */
  verifyChain(maxProblems?: number): Promise<ChainReport>;
  /** The newest chained row (or checkpoint); the genesis when the journal is empty. */
  head(): Promise<ChainHead>;

  readonly resyncProgress: ResyncProgressStore;

  /** A consistent copy of the whole journal taken while it runs (SQLite's online backup); returns the pages copied. */
  backup(destination: string): Promise<{ pages: number }>;

  close(): Promise<void>;
}
