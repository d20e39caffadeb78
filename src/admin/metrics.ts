import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestRecord } from '../gateway/context.js';
import type { ShipperEvents } from '../shipper/shipper.js';

/** Pending work per rule, read from the journal when Prometheus scrapes. */
export type PendingReader = () => Promise<Array<{ rule: string; operations: number; bytes: number }>>;

/** The journal's chain head, read when Prometheus scrapes. */
export type HeadReader = () => Promise<{ seq: number }>;

/**
 * Ferry's Prometheus metrics in a registry of their own (several Ferries may share a process in tests).
 * Request and shipping counters move through the hooks; pending gauges are read from the journal at scrape time,
 * so they are right even when another process (a standalone `ferry ship`) does the shipping.
 */
export class FerryMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'op' | 'code'>;
  private readonly duration: Histogram<'op'>;
  private readonly servedBy: Counter<'by'>;
  private readonly failed: Counter<'rule'>;
  private readonly attemptErrors: Counter<'rule'>;
  private readonly shipped: Counter<'rule'>;
  private readonly shippedBytes: Counter<'rule'>;
  private readonly unchanged: Counter<'rule'>;
  private readonly superseded: Counter<'rule'>;
  private readonly latency: Histogram<'rule'>;
  private readonly journalAppend: Histogram;

  constructor(pending: PendingReader, rules: string[], head?: HeadReader) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'ferry_requests_total', help: 'S3 requests answered by the gateway, by operation and HTTP status',
      labelNames: ['op', 'code'], registers });
    this.duration = new Histogram({ name: 'ferry_request_duration_seconds', help: 'Time from request to response end, by operation',
      labelNames: ['op'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
    this.servedBy = new Counter({ name: 'ferry_requests_served_by_total',
      help: 'Requests another bucket than the source\'s answered: the replica (source down, failover: reads) or the target (rule failed over)',
      labelNames: ['by'], registers });
    const gauge = (name: string, help: string, field: 'operations' | 'bytes') => new Gauge({
      name, help, labelNames: ['rule'], registers,
      async collect(this: Gauge<'rule'>) {
        const rows = await pending();
        this.reset();
        for (const p of rows) this.set({ rule: p.rule }, p[field]);
      },
    });
    gauge('ferry_replication_pending_operations', 'Changes acknowledged but not yet shipped (intent or pending), by rule', 'operations');
    gauge('ferry_replication_pending_bytes', 'Bytes of the changes not yet shipped, by rule', 'bytes');
    if (head) {
      // Recorded by the monitoring system, a head the journal later falls behind shows a lost tail
      // (`ferry journal verify --expect-head SEQ`).
      new Gauge({ name: 'ferry_journal_head_seq', help: 'Sequence number of the newest row of the journal\'s hash chain', registers,
        async collect(this: Gauge) { this.set((await head()).seq); } });
    }
    this.failed = new Counter({ name: 'ferry_replication_failed_total', help: 'Keys marked failed after using up their attempts, by rule',
      labelNames: ['rule'], registers });
    this.attemptErrors = new Counter({ name: 'ferry_replication_attempt_errors_total', help: 'Ship attempts that failed (retried or final), by rule',
      labelNames: ['rule'], registers });
    this.shipped = new Counter({ name: 'ferry_replication_shipped_total', help: 'Keys shipped to the target (copied or deleted), by rule',
      labelNames: ['rule'], registers });
    this.shippedBytes = new Counter({ name: 'ferry_replication_shipped_bytes_total', help: 'Object bytes copied to the target, by rule',
      labelNames: ['rule'], registers });
    this.unchanged = new Counter({ name: 'ferry_replication_unchanged_total',
      help: 'Uncertain changes (source answer unknown) the shipper settled as unchanged: the source showed nothing to copy, by rule',
      labelNames: ['rule'], registers });
    this.superseded = new Counter({ name: 'ferry_replication_superseded_total',
      help: 'Changes of a mirror rule not shipped because a later change of the key made on the other side wins, by rule',
      labelNames: ['rule'], registers });
    this.latency = new Histogram({ name: 'ferry_replication_latency_seconds', help: 'Time from the acknowledgement of a change to its shipping, by rule',
      labelNames: ['rule'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600], registers });
    this.journalAppend = new Histogram({ name: 'ferry_journal_append_seconds', help: 'Time to durably journal the intents of one request (group commit included)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers });
    this.knowRules(rules);
  }

  /** Starts every rule's counters at zero, so dashboards see a series before the first event. */
  knowRules(rules: string[]): void {
    for (const rule of rules) {
      for (const c of [this.failed, this.attemptErrors, this.shipped, this.shippedBytes, this.unchanged, this.superseded]) c.inc({ rule }, 0);
    }
  }

  readonly onRequest = (r: RequestRecord): void => {
    this.requests.inc({ op: r.operation, code: String(r.status) });
    this.duration.observe({ op: r.operation }, r.ms / 1000);
    if (r.servedBy) this.servedBy.inc({ by: r.servedBy });
  };

  readonly onJournalAppend = (seconds: number): void => {
    this.journalAppend.observe(seconds);
  };

  readonly shipperEvents: ShipperEvents = {
    shipped: (e, r, lagMs) => {
      this.shipped.inc({ rule: e.ruleId });
      this.shippedBytes.inc({ rule: e.ruleId }, r.bytes);
      this.latency.observe({ rule: e.ruleId }, Math.max(0, lagMs) / 1000);
    },
    failed: (e, _err, final) => {
      this.attemptErrors.inc({ rule: e.ruleId });
      if (final) this.failed.inc({ rule: e.ruleId });
    },
    unchanged: (e, rows) => this.unchanged.inc({ rule: e.ruleId }, rows),
    superseded: (e) => this.superseded.inc({ rule: e.ruleId }),
  };

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Composes shipper hooks, so the metrics and a caller's own hooks (tests) both hear every event. */
export function bothEvents(a: ShipperEvents | undefined, b: ShipperEvents): ShipperEvents {
  return {
    shipped: (e, r, lag) => { a?.shipped?.(e, r, lag); b.shipped?.(e, r, lag); },
    failed: (e, err, final) => { a?.failed?.(e, err, final); b.failed?.(e, err, final); },
    unchanged: (e, rows) => { a?.unchanged?.(e, rows); b.unchanged?.(e, rows); },
    superseded: (e, why) => { a?.superseded?.(e, why); b.superseded?.(e, why); },
  };
}
