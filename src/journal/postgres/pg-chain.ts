import type pg from 'pg';
import { GENESIS_HASH } from '../hash-chain.js';
import { FINISHED_STATES, planPruneBatch, type PruneCursor, type ScanRow } from '../retention.js';
import { ChainChecker, type ChainReport, type ChainRow } from '../verify-chain.js';
import type { ChainHead, PruneResult } from '../journal-store.js';
import { inTransaction } from './pg-connection.js';

const CHAINED = 'seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin, writer, hash';
const PAGE = 5000;
// Every process of a fleet runs retention on its schedule: one batch at a time across the fleet.
const PRUNE_LOCK = 0x46657272 + 1;

/** The PostgreSQL journal's hash chain: verification, the head, and pruning by retention. */
export class PgChain {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Verifies the whole chain in one snapshot (REPEATABLE READ), a page at a time: each page is checked and dropped
   * before the next is read, so memory stays flat however long the chain.
   */
  async verify(maxProblems = 20): Promise<ChainReport> {
    return inTransaction(this.pool, async (c) => {
      const checkpoints = new Map(((await c.query('SELECT seq, hash FROM checkpoints')).rows as Array<{ seq: number; hash: string }>)
        .map((x) => [x.seq, x.hash]));
      const highest = ((await c.query('SELECT seq FROM chain_head WHERE id = 1')).rows[0]?.seq as number | undefined) ?? 0;
      const checker = new ChainChecker(checkpoints, maxProblems);
      let after = 0;
      for (;;) {
        const page = (await c.query({ name: 'verify-page', text: `SELECT ${CHAINED} FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
          values: [after, PAGE] })).rows as ChainRow[];
        for (const row of page) checker.add(row);
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.seq;
      }
      return checker.finish(highest);
    }, 'REPEATABLE READ READ ONLY');
  }

  async head(): Promise<ChainHead> {
    const r = (await this.pool.query(`SELECT seq, hash FROM (SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1) c
      UNION ALL SELECT seq, hash FROM (SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1) k ORDER BY seq DESC LIMIT 1`)).rows[0];
    return (r as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
  }

  private async pruneBatch(cutoff: number, cursor: PruneCursor, batchSize: number, result: PruneResult, now: number): Promise<PruneCursor | undefined> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [PRUNE_LOCK]);
      const newest = ((await c.query('SELECT max(seq) AS s FROM changes')).rows[0]?.s as number | null) ?? 0;
      const rows = (await c.query(`SELECT ${CHAINED}, state FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, [cursor.seq, batchSize])).rows as ScanRow[];
      const last = rows.length ? rows[rows.length - 1]!.seq : cursor.seq;
      const cps = new Map(((await c.query('SELECT seq, hash FROM checkpoints WHERE seq BETWEEN $1 AND $2', [cursor.seq, last])).rows as
        Array<{ seq: number; hash: string }>).map((x) => [x.seq, x.hash]));
      const plan = planPruneBatch(rows, cursor, newest, cutoff, (seq) => cps.get(seq), batchSize);
      for (const run of plan.runs) {
        await c.query('DELETE FROM changes WHERE seq BETWEEN $1 AND $2', [run.first, run.last]);
        await c.query('DELETE FROM attempts WHERE seq BETWEEN $1 AND $2', [run.first, run.last]);
        await c.query('DELETE FROM checkpoints WHERE seq = $1', [run.first - 1]);
        if ((await c.query('SELECT 1 FROM changes WHERE seq = $1', [run.last + 1])).rowCount) {
          await c.query(`INSERT INTO checkpoints (seq, hash, at) VALUES ($1, $2, $3)
            ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, at = excluded.at`, [run.last, run.lastHash, now]);
        }
        result.pruned += run.last - run.first + 1;
      }
      result.oldestKept ??= plan.oldestKept;
      return plan.next;
    });
  }

  async prune(cutoff: number, opts: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<PruneResult> {
    const result: PruneResult = { pruned: 0, checkpoints: 0 };
    let cursor: PruneCursor | undefined = { seq: 0, hash: GENESIS_HASH };
    while (cursor !== undefined && !opts.shouldStop?.()) cursor = await this.pruneBatch(cutoff, cursor, opts.batchSize ?? 2000, result, Date.now());
    if (result.oldestKept === undefined) delete result.oldestKept;
    result.checkpoints = (await this.pool.query('SELECT count(*) AS n FROM checkpoints')).rows[0].n as number;
    return result;
  }

  async countPrunable(cutoff: number): Promise<number> {
    const newest = ((await this.pool.query('SELECT max(seq) AS s FROM changes')).rows[0]?.s as number | null) ?? 0;
    const bound = ((await this.pool.query('SELECT min(seq) AS s FROM changes WHERE created_at >= $1', [cutoff])).rows[0]?.s as number | null) ?? newest;
    return (await this.pool.query('SELECT count(*) AS n FROM changes WHERE seq < $1 AND seq < $2 AND state = ANY($3::text[])',
      [bound, newest, FINISHED_STATES])).rows[0].n as number;
  }
}
