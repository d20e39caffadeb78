import type pg from 'pg';
import { GENESIS_HASH, chainHash } from '../hash-chain.js';
import type { IntentInput, OutcomeInput } from '../journal-store.js';
import { inTransaction } from './pg-connection.js';
import { enqueueKeys, type KeyToQueue } from './pg-queue.js';

interface Pending {
  intents?: IntentInput[];
  /** Intents recorded as applied in the same commit (resync). */
  applied?: boolean;
  outcomes?: OutcomeInput[];
  resolve: (seqs: number[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit on PostgreSQL: the writes of concurrent requests wait while one transaction is in flight and then
 * share the next, so a process pays one commit (one WAL flush, synchronous_commit on) per batch, not per request.
 * Appends take the chain_head row lock, which serialises them across every process of the fleet: one hash
 * chain, in seq order, with no gaps.
 */
export class PgAppender {
  private pending: Pending[] = [];
  private running = false;

  constructor(private readonly pool: pg.Pool, private readonly writer: string | null, private readonly afterCommit: () => void) {}

  submit(p: Omit<Pending, 'resolve' | 'reject'>): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...p, resolve, reject });
      if (!this.running) setImmediate(() => this.flush());
      this.running = true;
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      this.running = false;
      return;
    }
    this.commit(batch).then((seqs) => {
      batch.forEach((p, i) => p.resolve(seqs[i]!));
      this.afterCommit();
    }, (err: unknown) => {
      for (const p of batch) p.reject(err);
    }).finally(() => this.flush());
  }

  private async commit(batch: Pending[]): Promise<number[][]> {
    const now = Date.now();
    const intents = batch.some((p) => p.intents?.length);
    // Round trips are what a commit costs besides its WAL flush: BEGIN goes with the head's lock in one, the rows
    // with the new head in another (a CTE), then COMMIT.
    const begin = intents ? 'BEGIN; SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE' : 'BEGIN';
    return inTransaction(this.pool, async (c, begun) => {
      const seqs: number[][] = batch.map(() => []);
      if (intents) {
        const res = begun as pg.QueryResult[];
        const head = res[res.length - 1]!.rows[0] as { seq: number; hash: string } | undefined;
        let seq = head?.seq ?? 0;
        let prev = head?.hash ?? GENESIS_HASH;
        const cols: unknown[][] = Array.from({ length: 12 }, () => []);
        batch.forEach((p, i) => {
          for (const e of p.intents ?? []) {
            seq += 1;
            const f = { seq, created_at: now, rule_id: e.ruleId, operation: e.operation, bucket: e.bucket, key: e.key,
              access_key_id: e.accessKeyId, remote_addr: e.remoteAddr, origin: e.origin ?? 'client', writer: this.writer };
            prev = chainHash(prev, f);
            [f.seq, f.created_at, f.rule_id, f.operation, f.bucket, f.key, f.access_key_id, f.remote_addr, f.origin, prev,
              p.applied ? 'pending' : 'intent', f.writer].forEach((v, k) => cols[k]!.push(v));
            seqs[i]!.push(seq);
          }
        });
        await c.query(`WITH rows AS (INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin,
            hash, state, writer, status, outcome_at) SELECT s, ca, r, o, b, k, a, ra, og, h, st, w, CASE WHEN st = 'pending' THEN 0 END,
            CASE WHEN st = 'pending' THEN ca END
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::text[], $12::text[]) AS t(s, ca, r, o, b, k, a, ra, og, h, st, w) RETURNING 1)
          UPDATE chain_head SET seq = $13, hash = $14 WHERE id = 1`, [...cols, seq, prev]);
      }
      const toQueue: KeyToQueue[] = [];
      batch.forEach((p, i) => {
        if (p.applied) for (const [j, e] of (p.intents ?? []).entries()) toQueue.push({ ruleId: e.ruleId, bucket: e.bucket, key: e.key, seq: seqs[i]![j]! });
      });
      const outcomes = batch.flatMap((p) => p.outcomes ?? []);
      if (outcomes.length) {
        const o = outcomes;
        const r = await c.query(`UPDATE changes c SET state = CASE WHEN u.applied THEN 'pending' ELSE 'rejected' END, status = u.status,
            request_id = u.request_id, etag = u.etag, size = u.size, version_id = u.version_id, outcome_at = $9, last_error = u.error
          FROM unnest($1::bigint[], $2::boolean[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
            AS u(seq, applied, status, request_id, etag, size, version_id, error)
          WHERE c.seq = u.seq RETURNING c.seq, c.rule_id, c.bucket, c.key, u.applied`,
        [o.map((x) => x.seq), o.map((x) => x.applied), o.map((x) => x.status), o.map((x) => x.requestId ?? null),
          o.map((x) => x.etag ?? null), o.map((x) => x.size ?? null), o.map((x) => x.versionId ?? null), o.map((x) => x.error ?? null), now]);
        for (const row of r.rows) if (row.applied) toQueue.push({ ruleId: row.rule_id, bucket: row.bucket, key: row.key, seq: row.seq });
      }
      if (toQueue.length) await enqueueKeys(c, toQueue, now);
      return seqs;
    }, '', begin);
  }
}
