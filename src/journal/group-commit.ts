/**
 * Runs queued writes together in one SQLite transaction per turn of the event loop, so concurrent requests
 * share one fsync. Each caller's promise settles after the commit that contains its write.
 */
export class GroupCommit {
  private pending: Array<{ run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(private readonly commit: (work: () => void) => void, private readonly afterCommit: () => void = () => {}) {}

  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Number of writes waiting for the next commit. */
  get queued(): number {
    return this.pending.length;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const results: unknown[] = [];
    try {
      this.commit(() => {
        for (const item of batch) results.push(item.run());
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => item.resolve(results[i]));
    this.afterCommit();
  }
}
