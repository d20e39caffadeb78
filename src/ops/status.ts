import type Database from 'better-sqlite3';
import type { RuleConfig } from '../config/types.js';

export interface RuleStatus {
  rule: string;
  enabled: boolean;
  source: string;
  target: string;
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
export function collectStatus(db: Database.Database, rules: RuleConfig[], now = Date.now()): FerryStatus {
  const pending = db.prepare(`SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes, min(created_at) AS oldest
    FROM changes WHERE state IN ('intent', 'pending') AND rule_id = ?`);
  const keys = db.prepare("SELECT count(*) AS n FROM queue WHERE rule_id = ? AND state = 'ready'");
  const failed = db.prepare("SELECT count(*) AS n FROM changes WHERE state = 'failed' AND rule_id = ?");
  const unchanged = db.prepare("SELECT count(*) AS n FROM changes WHERE state = 'unchanged' AND rule_id = ?");
  const shipped = db.prepare(`SELECT count(*) AS hour, coalesce(sum(shipped_at >= ?), 0) AS minute
    FROM changes WHERE rule_id = ? AND shipped_at >= ?`);
  const lags = db.prepare(`SELECT shipped_at - coalesce(outcome_at, created_at) AS ms FROM changes
    WHERE rule_id = ? AND shipped_at >= ? ORDER BY shipped_at DESC LIMIT ?`).pluck();
  db.exec('BEGIN');
  try {
    return {
      at: new Date(now).toISOString(),
      rules: rules.map((r) => {
        const p = pending.get(r.id) as { n: number; bytes: number; oldest: number | null };
        const s = shipped.get(now - 60_000, r.id, now - 3_600_000) as { hour: number; minute: number };
        const sample = (lags.all(r.id, now - LAG_WINDOW_MS, LAG_MAX_SAMPLES) as number[]).map((ms) => Math.max(0, ms) / 1000)
          .sort((a, b) => a - b);
        return {
          rule: r.id, enabled: r.enabled, source: r.source + (r.prefix ? `/${r.prefix}*` : ''),
          target: `${r.target.region}/${r.target.bucket}`,
          pending: { operations: p.n, bytes: p.bytes, keys: (keys.get(r.id) as { n: number }).n,
            oldestAgeSeconds: p.oldest === null ? null : Math.max(0, (now - p.oldest) / 1000) },
          failed: (failed.get(r.id) as { n: number }).n,
          unchanged: (unchanged.get(r.id) as { n: number }).n,
          shipped: { lastMinute: s.minute, lastHour: s.hour },
          lagSeconds: { p50: percentile(sample, 50), p99: percentile(sample, 99), samples: sample.length, windowSeconds: LAG_WINDOW_MS / 1000 },
        };
      }),
    };
  } finally {
    db.exec('COMMIT');
  }
}
