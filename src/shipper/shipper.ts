import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JournalStore, QueueEntry } from '../journal/journal-store.js';
import { queueKey } from '../journal/queue-key.js';
import type { ShipperConfig } from '../config/types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Region } from '../region/region.js';
import { isUnanswered } from '../region/region-error.js';
import { replicateKey, SourceChangedError, type CopyResult } from './copy-object.js';
import { backoffDelay } from './backoff.js';
import { abortAbandonedUploads } from './abandoned-uploads.js';
import { boundRules } from './bound-rules.js';
import { replicateMirrored, type MirroredResult } from './mirror/replicate-mirrored.js';
import type { LocalChange } from './mirror/decide.js';
import type { RecentPuts } from './recent-puts.js';
import { traitsOf } from '../region/region-traits.js';

/** What the shipper reports as it works (metrics hook). */
export interface ShipperEvents {
  shipped?(e: QueueEntry, r: CopyResult, lagMs: number): void;
  failed?(e: QueueEntry, err: Error, final: boolean): void;
  /** Uncertain changes settled as `unchanged`: the source showed nothing to copy. */
  unchanged?(e: QueueEntry, rows: number): void;
  /** A mirror rule's change that lost to a later one made on the other side (which ships here instead). */
  superseded?(e: QueueEntry, why: string): void;
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
  // One look at the queue at a time (the journal answers asynchronously); a wake meanwhile looks again after it.
  private filling = false;
  private refill = false;
  // Keys this shipper took from the queue are leased to it, so no other shipper of the fleet copies them meanwhile.
  private readonly leaseOwner = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private readonly leased = new Map<string, QueueEntry>();
  private lastRenew = 0;
  // Keys leased ahead of the free slots (up to half the concurrency): a copy that ends starts the next one without
  // a journal transaction, and the queue is asked again once fewer than half of them are left. Each look leases
  // several keys, not one per copy; the lookahead stays small so that a fleet's other shippers still find work.
  private readonly ready: QueueEntry[] = [];

  constructor(
    private readonly journal: JournalStore,
    private readonly rules: () => RuleSet,
    private readonly source: Region,
    private readonly targets: Map<string, Region>,
    private readonly config: ShipperConfig,
    private readonly log: Logger,
    private readonly events: ShipperEvents = {},
    private readonly recentPuts?: RecentPuts,
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
    void this.sweepUploads(new Date(Date.now() - this.config.abandonedUploadMs));
  }

  /** Aborts what a killed shipper left half-copied in the enabled rules' target buckets. */
  private async sweepUploads(before: Date): Promise<void> {
    const bound = boundRules(this.rules(), this.targets);
    for (const id of this.rules().enabledIds()) {
      const b = bound.get(id);
      if (b && this.running) await abortAbandonedUploads(b.target, b.rule.target.bucket, before, this.log);
    }
  }

  /**
   * Stops taking work and waits for the copies in flight: all of them, none (`cancel` true: they are cancelled),
   * or for `cancel` ms before cancelling the rest. A copy that ends in error or cancelled once stopping has begun
   * hands its key back: it stays queued as it was, with no attempt used.
   */
  async stop(cancel: boolean | number = false): Promise<void> {
    this.running = false;
    this.journal.off('commit', this.wake);
    clearInterval(this.timer);
    if (cancel === true) this.abort.abort();
    const grace = typeof cancel === 'number' ? setTimeout(() => this.abort.abort(), cancel) : undefined;
    const held = [...this.leased.values()];
    this.ready.length = 0;
    await Promise.allSettled([...this.inflight]);
    clearTimeout(grace);
    // Cancelled copies leave their keys queued: give their leases up so another shipper need not wait them out.
    await this.journal.renewLeases(held, this.leaseOwner, 0).catch(() => {});
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
      void this.fill();
    });
  }

  private async fill(): Promise<void> {
    if (!this.running) return;
    if (this.filling) {
      this.refill = true;
      return;
    }
    const now = Date.now();
    if (now < this.journalDownUntil) return;
    this.filling = true;
    try {
      if (now - this.lastSweep > INTENT_SWEEP_MS) {
        this.lastSweep = now;
        await this.journal.recoverIntents(now - INTENT_SWEEP_MS);
      }
      const leaseMs = this.config.leaseMs ?? 30_000;
      if (this.leased.size && now - this.lastRenew > leaseMs / 3) {
        this.lastRenew = now;
        await this.journal.renewLeases([...this.leased.values()], this.leaseOwner, now + leaseMs);
      }
      let free = this.config.concurrency - this.busy.size;
      for (; free > 0 && this.ready.length > 0 && this.running; free--) this.launch(this.ready.shift()!);
      const ahead = Math.ceil(this.config.concurrency / 2);
      if (free <= 0 && this.ready.length * 2 >= ahead) return;
      const skip = new Set(this.busy);
      for (const e of this.ready) skip.add(queueKey(e));
      const due = await this.journal.due(this.rules().enabledIds(), now, free + ahead - this.ready.length, skip,
        { owner: this.leaseOwner, ms: leaseMs });
      for (const entry of due) {
        if (!this.running) break;
        if (this.busy.size < this.config.concurrency) this.launch(entry);
        else {
          this.ready.push(entry);
          this.leased.set(queueKey(entry), entry);
        }
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'shipper cannot read the journal');
    } finally {
      this.filling = false;
      if (this.refill) {
        this.refill = false;
        this.schedule();
      }
    }
  }

  private launch(entry: QueueEntry): void {
    const id = queueKey(entry);
    this.busy.add(id);
    this.leased.set(id, entry);
    const p = this.shipOne(entry).catch((err: Error) => {
      this.log.error({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: err.message }, 'shipping a key failed unexpectedly');
    }).finally(() => {
      this.busy.delete(id);
      this.leased.delete(id);
      this.inflight.delete(p);
      this.schedule();
    });
    this.inflight.add(p);
  }

  private async shipOne(entry: QueueEntry): Promise<void> {
    const bound = boundRules(this.rules(), this.targets).get(entry.ruleId);
    if (!bound) return;
    const { rule, target } = bound;
    // A rule cut over to its target (`ferry failover`) takes its changes there: they ship back to the source.
    const back = rule.primary === 'target';
    let result: MirroredResult;
    // The bytes of the key's newest change, when this process's gateway forwarded them a moment ago. Not where the
    // source counts tags in its GET answers: there one GET tells the tags too, and held bytes would save no request.
    const taken = this.recentPuts?.take(queueKey(entry), entry.maxSeq);
    const held = back || rule.mirror || traitsOf(this.source).countsTags === true ? undefined : taken;
    try {
      const copy = {
        source: back ? target : this.source, target: back ? this.source : target,
        sourceBucket: back ? rule.target.bucket : entry.bucket, targetBucket: back ? entry.bucket : rule.target.bucket,
        multipartThreshold: this.config.multipartThreshold, partSize: this.config.partSize, signal: this.abort.signal,
        targetAbsent: entry.targetAbsent === true && !back && !rule.mirror,
        sourceState: held?.state, sourceBody: held?.body,
      };
      // A mirror rule's target ships into this bucket too: both sides settle each key on one winner.
      result = rule.mirror && !back ? await replicateMirrored(copy, entry.key, await this.localChange(entry))
        : await replicateKey(copy, entry.key);
    } catch (err) {
      if (held && err instanceof SourceChangedError) this.recentPuts!.learn(held, err.seen);
      // Once stopping, a failure says nothing of the key (its copy was cancelled, or its clients closed under it).
      if (this.running) await this.record(entry, () => this.retryLater(entry, err as Error));
      return;
    }
    const now = Date.now();
    let unchanged = 0;
    const write = async () => { unchanged = await this.journal.shipped(entry, entry.maxSeq, result.targetEtag, result.result, now, result.changed); };
    if (await this.record(entry, write)) {
      if (result.superseded) {
        this.log.info({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, why: result.superseded }, 'change superseded');
        this.events.superseded?.(entry, result.superseded);
      }
      this.events.shipped?.(entry, result, now - entry.firstAt);
      if (unchanged > 0) this.events.unchanged?.(entry, unchanged);
    }
  }

  /** The newest change of the key this side made (applied or maybe applied), for a mirror rule's decision. */
  private async localChange(entry: QueueEntry): Promise<LocalChange | undefined> {
    for await (const rows of this.journal.listChanges({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key }, [],
      { order: 'desc', limit: 16 })) {
      const row = rows.find((r) => r.state !== 'rejected' && r.state !== 'cancelled');
      return row && { deleted: row.operation.startsWith('DeleteObject'), at: row.outcome_at ?? row.created_at };
    }
    return undefined;
  }

  /**
   * Runs one of the shipper's journal writes. If the journal cannot be written (disk full, read-only), the key
   * stays queued as it was and shipping pauses a while: shipping is idempotent, so it simply ships again later,
   * and the gateway refuses changes meanwhile. Returns whether the write went through.
   */
  private async record(entry: QueueEntry, write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      this.journalDownUntil = Date.now() + JOURNAL_PAUSE_MS;
      this.log.error({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: (err as Error).message },
        'shipper cannot write the journal; shipping paused');
      return false;
    }
  }

  private async retryLater(entry: QueueEntry, err: Error): Promise<void> {
    const now = Date.now();
    if (err instanceof SourceChangedError) {
      // Not the key's fault: ship it again soon, without using up an attempt.
      await this.journal.postpone(entry, now + 50, null);
      return;
    }
    // A region that gives no answer (refused, reset, hung, out of descriptors) is waited for, so an outage of an
    // hour loses nothing; only an error answer uses up attempts.
    const unreachable = isUnanswered(err);
    const delay = unreachable
      ? backoffDelay(0, Math.min(5_000, this.config.backoffMaxMs), this.config.backoffMaxMs)
      : backoffDelay(entry.attempts, this.config.backoffBaseMs, this.config.backoffMaxMs);
    const state = unreachable
      ? (await this.journal.postpone(entry, now + delay, err.message), 'ready')
      : await this.journal.failed(entry, err.message, now + delay, this.config.maxAttempts, now);
    this.events.failed?.(entry, err, state === 'failed');
    this.log.warn({ rule: entry.ruleId, bucket: entry.bucket, key: entry.key, err: err.message, state }, 'ship attempt failed');
  }
}
