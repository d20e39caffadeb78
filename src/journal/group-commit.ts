export interface GroupCommitOptions {
  /** Runs after each durable commit (wakes the shipper). */
  afterCommit?: () => void;
  /** Writes per transaction at most (1: one transaction per write, the baseline group commit is measured against). */
  maxBatch?: number;
  /** Resolves once a commit made before the call is on disk; without it, a commit is durable when it returns. */
  durable?: () => Promise<void>;
  /**
   * From this many queued writes on, they commit while the previous batch syncs instead of after it, and a batch of
   * at least twice as many commits in two halves, the second during the first's sync (Infinity: never).
   */
  overlapAt?: number;
}

/**
 * Below this many queued writes a commit waits for the running sync: a commit costs by the pages it touches, so
 * few writes are cheaper in the next, larger one. From here on, the commit's CPU and the sync's disk time take turns
 * on the same writers unless they overlap: 64 closed-loop writers made one commit (0.9 ms at p50), then one sync (0.7 ms).
 */
const OVERLAP_AT = 32;

/**
 * Runs queued writes together in one SQLite transaction, so concurrent requests share one commit and one fsync.
 * Each caller's promise settles once the commit that contains its write is durable. Writes queued while a sync
 * runs wait for it to end and then commit together, just before the next sync starts: a write made during a
 * sync could not be durable before that next sync anyway, and one transaction per sync costs less than one per
 * turn of the event loop (a commit writes every page it touched to the WAL, however few rows it holds). Under heavy
 * load (`overlapAt` writes queued) one more batch commits while a sync runs, and shares the next sync: the CPU of one
 * commit then overlaps the disk time of the other.
 */
export class GroupCommit {
  private pending: Array<{ run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void; sync: boolean }> = [];
  private scheduled = false;
  /** Committed batches waiting for their sync (at most two: one syncing, one committed behind it). */
  private unsynced = 0;

  private readonly maxBatch: number;
  private readonly overlapAt: number;

  constructor(private readonly commit: (work: () => void) => void, private readonly opts: GroupCommitOptions = {}) {
    this.maxBatch = opts.maxBatch ?? Infinity;
    this.overlapAt = opts.overlapAt ?? OVERLAP_AT;
  }

  /**
   * Queues a write for the next commit. With `sync` false the write needs no sync of its own: its promise
   * settles at commit, and it reaches the disk with the next synced commit (or the journal's background sync).
   */
  submit<T>(run: () => T, sync = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (v: unknown) => void, reject, sync });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Number of writes waiting for the next commit. */
  get queued(): number {
    return this.pending.length;
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.pending.length;
    if (queued === 0 || this.unsynced > 1 || (this.unsynced === 1 && queued < this.overlapAt)) return;
    let size = Math.min(queued, this.maxBatch);
    // Writers that all resolved at once (one sync ended) come back together: half of them commits now, and the
    // other half during that commit's sync, so the two halves take turns from then on.
    if (this.unsynced === 0 && size >= 2 * this.overlapAt) size >>= 1;
    const batch = size === queued ? this.pending : this.pending.splice(0, size);
    if (batch === this.pending) this.pending = [];
    else this.schedule();
    const results: unknown[] = [];
    try {
      this.commit(() => {
        for (const item of batch) results.push(item.run());
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    const settle = () => {
      batch.forEach((item, i) => item.resolve(results[i]));
      this.opts.afterCommit?.();
    };
    if (!this.opts.durable || !batch.some((item) => item.sync)) {
      settle();
      return;
    }
    this.unsynced++;
    const synced = (err?: unknown) => {
      this.unsynced--;
      if (err === undefined) settle();
      else for (const item of batch) item.reject(err);
      this.flush();
    };
    this.opts.durable().then(() => synced(), (err: unknown) => synced(err ?? new Error('sync failed')));
  }
}
