import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.js';
import { queueKey, type QueueEntry } from '../journal/ship-queue.js';
import type { ShipperConfig } from '../config/types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Region } from '../region/region.js';
import { isUnanswered } from '../region/region-error.js';
import { replicateKey, SourceChangedError, type CopyResult } from './copy-object.js';
import { backoffDelay } from './backoff.js';

/** What the shipper reports as it works (metrics hook). */
export interface ShipperEvents {
  shipped?(e: QueueEntry, r: CopyResult, lagMs: number): void;
  failed?(e: QueueEntry, err: Error, final: boolean): void;
  /** Uncertain changes settled as `unchanged`: the source showed nothing to copy. */
  unchanged?(e: QueueEntry, rows: number): void;
}

const INTENT_SWEEP_MS = 60_000;
// How long shipping pauses after the journal refused one of the shipper's writes (disk full, read-only).
const JOURNAL_PAUSE_MS = 2_000;

/**
 * Ships queued keys to their rule's target: one key at a time, different keys in parallel. Wakes when the
 * journal commits and on a timer (another process may write the journal), stops through `stop()`.
 */
export class Shipper {
  private readonly busy = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private scheduled = false;
  private readonly abort = new AbortController();
  private lastSweep = 0;
  private journalDownUntil = 0;
  private readonly wake = () => this.schedule();

  constructor(
    private readonly journal: Journal,
    private readonly rules: () => RuleSet,
    private readonly source: Region,
    private readonly targets: Map<string, Region>,
    private readonly config: ShipperConfig,
    private readonly log: Logger,
    private readonly events: ShipperEvents = {},
  ) {
    // Every copy in flight listens on the one stop signal.
    setMaxListeners(0, this.abort.signal);
  }

  start(): void {
    this.running = true;
    this.lastSweep = Date.now();
    this.journal.on('commit', this.wake);
    this.timer = setInterval(this.wake, this.config.pollIntervalMs);
    this.schedule();
  }

  /** Stops taking work and waits for copies in flight (or cancels them when `cancel`). */
  async stop(cancel = false): Promise<void> {
    this.running = false;
    this.journal.off('commit', this.wake);
    clearInterval(this.timer);
    if (cancel) this.abort.abort();
    await Promise.allSettled([...this.inflight]);
  }

  /** Keys being copied right now. */
  get active(): number {
    return this.busy.size;
  }

  private schedule(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.fill();
    });
  }

  private fill(): void {
    if (!this.running) return;
    const now = Date.now();
    if (now < this.journalDownUntil) return;
    try {
      if (now - this.lastSweep > INTENT_SWEEP_MS) {
        this.lastSweep = now;
        this.journal.recoverIntents(now - INTENT_SWEEP_MS);
      }
      const free = this.config.concurrency - this.busy.size;
      if (free <= 0) return;
      for (const entry of this.journal.queue.due(this.rules().enabledIds(), now, free, this.busy)) this.launch(entry);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'shipper cannot read the journal');
    }
  }

  private launch(entry: QueueEntry): void {
    const id = queueKey(entry);
    this.busy.add(id);
    const p = this.shipOne(entry).catch((err: Error) => {
      this.log.error({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: err.message }, 'shipping a key failed unexpectedly');
    }).finally(() => {
      this.busy.delete(id);
      this.inflight.delete(p);
      this.schedule();
    });
    this.inflight.add(p);
  }

  private async shipOne(entry: QueueEntry): Promise<void> {
    const rule = this.rules().get(entry.ruleId);
    const target = rule && this.targets.get(rule.target.region);
    if (!rule || !target) return;
    let result: CopyResult;
    try {
      result = await replicateKey({
        source: this.source, target, sourceBucket: entry.bucket, targetBucket: rule.target.bucket,
        multipartThreshold: this.config.multipartThreshold, partSize: this.config.partSize, signal: this.abort.signal,
      }, entry.key);
    } catch (err) {
      if (!this.abort.signal.aborted) this.record(entry, () => this.retryLater(entry, err as Error));
      return;
    }
    const now = Date.now();
    let unchanged = 0;
    const write = () => { unchanged = this.journal.queue.shipped(entry, entry.maxSeq, result.targetEtag, result.result, now, result.changed); };
    if (this.record(entry, write)) {
      this.events.shipped?.(entry, result, now - entry.firstAt);
      if (unchanged > 0) this.events.unchanged?.(entry, unchanged);
    }
  }

  /**
   * Runs one of the shipper's journal writes. If the journal cannot be written (disk full, read-only), the key
   * stays queued as it was and shipping pauses a while: shipping is idempotent, so it simply ships again later,
   * and the gateway refuses changes meanwhile. Returns whether the write went through.
   */
  private record(entry: QueueEntry, write: () => void): boolean {
    try {
      write();
      return true;
    } catch (err) {
      this.journalDownUntil = Date.now() + JOURNAL_PAUSE_MS;
      this.log.error({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: (err as Error).message },
        'shipper cannot write the journal; shipping paused');
      return false;
    }
  }

  private retryLater(entry: QueueEntry, err: Error): void {
    const now = Date.now();
    if (err instanceof SourceChangedError) {
      // Not the key's fault: ship it again soon, without using up an attempt.
      this.journal.queue.postpone(entry, now + 50, null);
      return;
    }
    // A region that gives no answer (refused, reset, hung, out of descriptors) is waited for, so an outage of an
    // hour loses nothing; only an error answer uses up attempts.
    const unreachable = isUnanswered(err);
    const delay = unreachable
      ? backoffDelay(0, Math.min(5_000, this.config.backoffMaxMs), this.config.backoffMaxMs)
      : backoffDelay(entry.attempts, this.config.backoffBaseMs, this.config.backoffMaxMs);
    const state = unreachable
      ? (this.journal.queue.postpone(entry, now + delay, err.message), 'ready')
      : this.journal.queue.failed(entry, err.message, now + delay, this.config.maxAttempts, now);
    this.events.failed?.(entry, err, state === 'failed');
    this.log.warn({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: err.message, state }, 'ship attempt failed');
  }
}
