import type pg from 'pg';
import { RESYNC_MISSING, type QueueEntry } from '../journal-store.js';
import { queueKey } from '../queue-key.js';
import { inTransaction } from './pg-connection.js';

export interface KeyToQueue {
  ruleId: string;
  bucket: string;
  key: string;
  seq: number;
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Queues keys (one upsert for all; a key named twice keeps its newest seq, since one statement may not update a row
 * twice). A failed key that changes again starts over with fresh attempts.
 */
export async function enqueueKeys(c: Queryable, keys: KeyToQueue[], now: number): Promise<void> {
  const newest = new Map<string, KeyToQueue>();
  for (const k of keys) {
    const id = queueKey(k);
    const seen = newest.get(id);
    if (!seen || seen.seq < k.seq) newest.set(id, k);
  }
  const ks = [...newest.values()];
  await c.query(`INSERT INTO queue (rule_id, bucket, key, max_seq, first_at)
      SELECT r, b, k, s, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(r, b, k, s)
    ON CONFLICT (rule_id, bucket, key) DO UPDATE SET max_seq = GREATEST(queue.max_seq, excluded.max_seq),
      attempts = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.attempts END,
      next_attempt_at = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.next_attempt_at END,
      state = 'ready'`, [ks.map((k) => k.ruleId), ks.map((k) => k.bucket), ks.map((k) => k.key), ks.map((k) => k.seq), now]);
}

const KEY = 'rule_id = $1 AND bucket = $2 AND key = $3';
const keyArgs = (e: QueueEntry) => [e.ruleId, e.bucket, e.key];

/**
 * The shipping queue shared by every shipper of the fleet. A shipper leases the keys it takes (FOR UPDATE SKIP
 * LOCKED, then a lease that expires), so one key is copied by one process at a time, and the keys of a shipper
 * that died are taken over once its leases run out. Every outcome of a copy releases the lease.
 */
export class PgQueue {
  constructor(private readonly pool: pg.Pool) {}

  async due(enabledRules: string[], now: number, limit: number, busy: ReadonlySet<string>, lease?: { owner: string; ms: number }): Promise<QueueEntry[]> {
    if (enabledRules.length === 0 || limit <= 0) return [];
    const owner = lease?.owner ?? '';
    const r = await this.pool.query(`WITH picked AS (
        SELECT rule_id, bucket, key FROM queue
        WHERE state = 'ready' AND next_attempt_at <= $1 AND rule_id = ANY($2::text[]) AND (lease_until <= $1 OR lease_owner = $4)
        ORDER BY next_attempt_at, first_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      UPDATE queue q SET lease_owner = CASE WHEN $4 = '' THEN q.lease_owner ELSE $4 END,
        lease_until = CASE WHEN $4 = '' THEN q.lease_until ELSE $5::bigint END
      FROM picked p WHERE q.rule_id = p.rule_id AND q.bucket = p.bucket AND q.key = p.key
      RETURNING q.rule_id AS "ruleId", q.bucket, q.key, q.max_seq AS "maxSeq", q.first_at AS "firstAt", q.attempts,
        q.next_attempt_at AS "nextAt", q.attempts = 0 AND coalesce((SELECT c.operation = '${RESYNC_MISSING}' FROM changes c
          WHERE c.seq = q.max_seq), false) AS "targetAbsent"`, [now, enabledRules, limit + busy.size, owner, now + (lease?.ms ?? 0)]);
    const rows = (r.rows as Array<QueueEntry & { nextAt: number }>).sort((a, b) => a.nextAt - b.nextAt || a.firstAt - b.firstAt);
    return rows.filter((e) => !busy.has(queueKey(e))).slice(0, limit).map(({ nextAt: _, ...e }) => e);
  }

  /** Extends the leases `owner` holds on keys it is still copying. */
  async renew(entries: QueueEntry[], owner: string, until: number): Promise<void> {
    if (entries.length === 0) return;
    await this.pool.query(`UPDATE queue q SET lease_until = $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(r, b, k)
      WHERE q.rule_id = t.r AND q.bucket = t.b AND q.key = t.k AND q.lease_owner = $4`,
    [entries.map((e) => e.ruleId), entries.map((e) => e.bucket), entries.map((e) => e.key), owner, until]);
  }

  async shipped(e: QueueEntry, seq: number, targetEtag: string | null, result: 'shipped' | 'deleted', now: number, changed: boolean): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const unchanged = changed ? 0 : (await c.query(`UPDATE changes SET state = 'unchanged', outcome_at = $5, last_error = NULL
        WHERE ${KEY} AND seq <= $4 AND state = 'intent'`, [...keyArgs(e), seq, now])).rowCount ?? 0;
      await c.query(`UPDATE changes SET state = 'shipped', shipped_at = $5, target_etag = $6, last_error = NULL
        WHERE ${KEY} AND seq <= $4 AND state IN ('intent', 'pending', 'failed')`, [...keyArgs(e), seq, now, targetEtag]);
      const gone = (await c.query(`DELETE FROM queue WHERE ${KEY} AND max_seq <= $4`, [...keyArgs(e), seq])).rowCount;
      if (!gone) await c.query(`UPDATE queue SET lease_owner = NULL, lease_until = 0 WHERE ${KEY}`, keyArgs(e));
      await c.query('INSERT INTO attempts (seq, at, result, detail) VALUES ($1, $2, $3, $4)', [seq, now, changed ? result : 'unchanged', targetEtag]);
      return unchanged;
    });
  }

  async failed(e: QueueEntry, error: string, nextAt: number, maxAttempts: number, now: number): Promise<'ready' | 'failed'> {
    return inTransaction(this.pool, async (c) => {
      const r = await c.query(`UPDATE queue SET attempts = attempts + 1, next_attempt_at = $4, last_error = $5,
          state = CASE WHEN attempts + 1 >= $6 THEN 'failed' ELSE 'ready' END, lease_owner = NULL, lease_until = 0
        WHERE ${KEY} RETURNING state`, [...keyArgs(e), nextAt, error, maxAttempts]);
      const state = (r.rows[0]?.state ?? 'ready') as 'ready' | 'failed';
      if (state === 'failed') {
        await c.query(`UPDATE changes SET state = 'failed', last_error = $5 WHERE ${KEY} AND seq <= $4 AND state IN ('intent', 'pending')`,
          [...keyArgs(e), e.maxSeq, error]);
      } else {
        await c.query(`UPDATE changes SET last_error = $5 WHERE ${KEY} AND seq <= $4 AND state IN ('intent', 'pending')`, [...keyArgs(e), e.maxSeq, error]);
      }
      await c.query('INSERT INTO attempts (seq, at, result, detail) VALUES ($1, $2, $3, $4)', [e.maxSeq, now, 'error', error]);
      return state;
    });
  }

  async postpone(e: QueueEntry, nextAt: number, error: string | null): Promise<void> {
    await this.pool.query(`UPDATE queue SET next_attempt_at = $4, last_error = coalesce($5, last_error), lease_owner = NULL, lease_until = 0
      WHERE ${KEY}`, [...keyArgs(e), nextAt, error]);
  }

  async retryFailed(ruleId?: string): Promise<{ keys: number; changes: number }> {
    return inTransaction(this.pool, async (c) => {
      const where = ruleId === undefined ? '' : ' AND rule_id = $1';
      const args = ruleId === undefined ? [] : [ruleId];
      const changes = (await c.query(`SELECT count(*) AS n FROM changes WHERE state = 'failed'${where}`, args)).rows[0].n as number;
      const orphans = (await c.query(`SELECT c.rule_id AS "ruleId", c.bucket, c.key, max(c.seq) AS seq FROM changes c
        WHERE c.state = 'failed'${ruleId === undefined ? '' : ' AND c.rule_id = $1'} AND NOT EXISTS (SELECT 1 FROM queue q
          WHERE q.rule_id = c.rule_id AND q.bucket = c.bucket AND q.key = c.key) GROUP BY c.rule_id, c.bucket, c.key`, args)).rows as KeyToQueue[];
      if (orphans.length) await enqueueKeys(c, orphans, Date.now());
      await c.query(`UPDATE changes SET state = 'pending' WHERE state = 'failed'${where}`, args);
      const keys = (await c.query(`UPDATE queue SET state = 'ready', attempts = 0, next_attempt_at = 0 WHERE state = 'failed'${where}`, args)).rowCount ?? 0;
      return { keys: keys + orphans.length, changes };
    });
  }

  async cancelRule(ruleId: string): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM queue WHERE rule_id = $1', [ruleId]);
      return (await c.query(`UPDATE changes SET state = 'cancelled' WHERE rule_id = $1 AND state IN ('intent', 'pending', 'failed')`, [ruleId])).rowCount ?? 0;
    });
  }

  async rulesWithWork(): Promise<string[]> {
    return (await this.pool.query('SELECT DISTINCT rule_id AS r FROM queue')).rows.map((x) => x.r as string);
  }

  /** Queues the keys of the change rows `where` selects; returns how many rows. */
  async enqueueChanges(where: string, params: unknown[]): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const rows = (await c.query(`SELECT seq, rule_id AS "ruleId", bucket, key FROM changes WHERE ${where}`, params)).rows as KeyToQueue[];
      if (rows.length) await enqueueKeys(c, rows, Date.now());
      return rows.length;
    });
  }
}
