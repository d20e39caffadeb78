export interface GroupCommitOptions {
  /** Runs after each durable commit (wakes the shipper). */
  afterCommit?: () => void;
  /** Writes per transaction at most (1: one transaction per write, the baseline group commit is measured against). */
  maxBatch?: number;
  /** Resolves once a commit made before the call is on disk; without it, a commit is durable when it returns. */
  durable?: () => Promise<void>;
}

/**
 * Runs queued writes together in one SQLite transaction, so concurrent requests share one commit and one fsync.
 * Each caller's promise settles once the commit that contains its write is durable. Writes queued while a sync
 * runs wait for it to end and then commit together, just before the next sync starts: a write made during a
 * sync could not be durable before that next sync anyway, and one transaction per sync costs less than one per
 * turn of the event loop (a commit writes every page it touched to the WAL, however few rows it holds).
 */
export class GroupCommit {
  private pending: Array<{ run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void; sync: boolean }> = [];
  private scheduled = false;
  /** A committed batch is waiting for its sync; the writes queued meanwhile commit when it ends. */
  private syncing = false;

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
    if (this.syncing || this.pending.length === 0) return;
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
    if (!this.opts.durable || !batch.some((item) => item.sync)) {
      settle();
      return;
    }
    this.syncing = true;
    const synced = (err?: unknown) => {
      this.syncing = false;
      if (err === undefined) settle();
      else for (const item of batch) item.reject(err);
      this.flush();
    };
    this.opts.durable().then(() => synced(), (err: unknown) => synced(err ?? new Error('sync failed')));
  }
}
