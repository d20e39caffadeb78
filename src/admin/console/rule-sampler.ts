import type { Logger } from 'pino';
import type { RuleConfig } from '../../config/types.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { percentile } from '../../ops/status.js';
import { SampleRing, type Sample } from './sample-ring.js';

const MINUTE_MS = 60_000;
const LAG_MAX_SAMPLES = 10_000;
/** Six hours at one sample a minute. */
export const SAMPLE_CAPACITY = 360;

/** One sample of every rule, read from the journal in one snapshot (so a standalone shipper's work counts too). */
export async function takeSample(journal: JournalStore, rules: RuleConfig[], now: number): Promise<Sample> {
  const figures = await journal.ruleFigures(rules.map((r) => r.id), now, MINUTE_MS, LAG_MAX_SAMPLES);
  const sample: Sample = { at: now, rules: {} };
  for (const r of rules) {
    const f = figures.get(r.id)!;
    const p99 = percentile(f.lagsMs.map((ms) => Math.max(0, ms) / 1000).sort((a, b) => a - b), 99);
    const waiting = f.pending.oldest === null ? null : Math.max(0, now - f.pending.oldest) / 1000;
    sample.rules[r.id] = {
      pendingOperations: f.pending.operations, pendingBytes: f.pending.bytes, shipped: f.shipped.lastMinute,
      lagSeconds: Math.max(p99 ?? 0, waiting ?? 0),
    };
  }
  return sample;
}

/**
 * Samples the rules' figures into a ring every `everyMs` (a minute by default), from start, whether or not a
 * console is open: the charts then show the hours before someone looks.
 */
export class RuleSampler {
  readonly ring = new SampleRing(SAMPLE_CAPACITY);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly journal: JournalStore, private readonly rules: () => RuleConfig[],
    readonly everyMs: number, private readonly log: Logger) {}

  start(): void {
    void this.sampleIntoRing();
    this.timer = setInterval(() => void this.sampleIntoRing(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The ring's samples, then one taken now. */
  async series(now = Date.now()): Promise<Sample[]> {
    const live = await takeSample(this.journal, this.rules(), now);
    return [...this.ring.list(), live];
  }

  private async sampleIntoRing(): Promise<void> {
    try {
      this.ring.push(await takeSample(this.journal, this.rules(), Date.now()));
    } catch (err) {
      // A journal that cannot be read now leaves a gap in the charts; readiness and the logs say why.
      this.log.debug({ err: (err as Error).message }, 'console sample skipped');
    }
  }
}
