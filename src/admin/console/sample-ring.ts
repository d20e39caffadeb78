/** One rule's figures over the minute before a sample. */
export interface RuleSample {
  pendingOperations: number;
  pendingBytes: number;
  /** Changes shipped in the minute before the sample. */
  shipped: number;
  /**
   * How far the target is behind, in seconds: the larger of the p99 lag of what shipped in that minute and the age
   * of the oldest change still waiting (0 when nothing shipped and nothing waits: caught up). Failed keys are not
   * lag; they are counted apart.
   */
  lagSeconds: number;
}

export interface Sample {
  at: number;
  rules: Record<string, RuleSample>;
}

/** The newest `capacity` samples, oldest first; memory stays bounded however long Ferry runs. */
export class SampleRing {
  private readonly slots: Sample[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(sample: Sample): void {
    if (this.slots.length < this.capacity) this.slots.push(sample);
    else this.slots[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
  }

  list(): Sample[] {
    return this.slots.length < this.capacity ? [...this.slots] : [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)];
  }
}
