/**
 * Changes of each bucket the gateway is forwarding right now. A cutover pauses a bucket's changes and then waits
 * here until those already admitted have been answered, so no change slips past the pause unseen by the journal.
 */
export class ChangesInFlight {
  private readonly count = new Map<string, number>();
  private readonly waiters = new Map<string, Array<() => void>>();

  enter(bucket: string): () => void {
    this.count.set(bucket, (this.count.get(bucket) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = (this.count.get(bucket) ?? 1) - 1;
      if (n > 0) {
        this.count.set(bucket, n);
        return;
      }
      this.count.delete(bucket);
      for (const wake of this.waiters.get(bucket) ?? []) wake();
      this.waiters.delete(bucket);
    };
  }

  /** Resolves once no change of `bucket` is in flight, or after `timeoutMs` with false. */
  idle(bucket: string, timeoutMs: number): Promise<boolean> {
    if (!this.count.has(bucket)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiters.get(bucket) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiters.set(bucket, list);
    });
  }
}
