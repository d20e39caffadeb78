import type { JournalStore } from '../journal/journal-store.js';
import type { RuleConfig } from '../config/types.js';

export interface RuleStatus {
  rule: string;
  enabled: boolean;
  source: string;
  target: string;
  /** Which bucket serves the rule's clients: `source`, or `target` after `ferry failover`; `paused` while one moves. */
  serving: 'source' | 'target' | 'paused';
  pending: { operations: number; bytes: number; keys: number; oldestAgeSeconds: number | null };
  failed: number;
  /** Uncertain changes the shipper settled as unchanged (the source showed nothing to copy). */
  unchanged: number;
  shipped: { lastMinute: number; lastHour: number };
  /** shipped_at - outcome_at of rows shipped within the window (at most `samples` of the newest). */
  lagSeconds: { p50: number | null; p99: number | null; samples: number; windowSeconds: number };
}

export interface FerryStatus {
  at: string;
  rules: RuleStatus[];
}

export const LAG_WINDOW_MS = 15 * 60_000;
const LAG_MAX_SAMPLES = 10_000;

/** Pure: the nearest-rank percentile of ascending values, or null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Replication state per configured rule, read from the journal (works beside a running Ferry, or without one). */
export async function collectStatus(journal: JournalStore, rules: RuleConfig[], now = Date.now()): Promise<FerryStatus> {
  const figures = await journal.ruleFigures(rules.map((r) => r.id), now, LAG_WINDOW_MS, LAG_MAX_SAMPLES);
  return {
    at: new Date(now).toISOString(),
    rules: rules.map((r) => {
      const f = figures.get(r.id)!;
      const sample = f.lagsMs.map((ms) => Math.max(0, ms) / 1000).sort((a, b) => a - b);
      return {
        rule: r.id, enabled: r.enabled, source: r.source + (r.prefix ? `/${r.prefix}*` : ''),
        target: `${r.target.region}/${r.target.bucket}`,
        serving: r.writesPaused ? 'paused' : r.primary ?? 'source',
        pending: { operations: f.pending.operations, bytes: f.pending.bytes, keys: f.readyKeys,
          oldestAgeSeconds: f.pending.oldest === null ? null : Math.max(0, (now - f.pending.oldest) / 1000) },
        failed: f.failed,
        unchanged: f.unchanged,
        shipped: { lastMinute: f.shipped.lastMinute, lastHour: f.shipped.lastHour },
        lagSeconds: { p50: percentile(sample, 50), p99: percentile(sample, 99), samples: sample.length, windowSeconds: LAG_WINDOW_MS / 1000 },
      };
    }),
  };
}
