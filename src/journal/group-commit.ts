export interface GroupCommitOptions {
  /** Runs after each durable commit (wakes the shipper). */
  afterCommit?: () => void;
  /** Writes per transaction at most (1: one transaction per write, the baseline group commit is measured against). */
  maxBatch?: number;
  /** Resolves once a commit made before the call is on disk; without it, a commit is durable when it returns. */
  durable?: () => Promise<void>;
}

/**
 * Runs queued writes together in one SQLite transaction per turn of the event loop, so concurrent requests
 * share one fsync. Each caller's promise settles once the commit that contains its write is durable. While one
 * batch waits for its sync, the next batch commits and shares the next sync.
 */
export class GroupCommit {
  private pending: Array<{ run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void; sync: boolean }> = [];
  private scheduled = false;

  private readonly maxBatch: number;

  constructor(private readonly commit: (work: () => void) => void, private readonly opts: GroupCommitOptions = {}) {
    this.maxBatch = opts.maxBatch ?? Infinity;
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
    const batch = this.pending.length <= this.maxBatch ? this.pending : this.pending.splice(0, this.maxBatch);
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
    if (!this.opts.durable || !batch.some((item) => item.sync)) settle();
    else this.opts.durable().then(settle, (err: unknown) => { for (const item of batch) item.reject(err); });
  }
}
