import type pg from 'pg';
import { GENESIS_HASH, chainHash } from '../hash-chain.js';
import type { ChainHead, IntentInput, OutcomeInput } from '../journal-store.js';
import { inTransaction } from './pg-connection.js';

interface Pending {
  intents?: IntentInput[];
  /** Intents recorded as applied in the same commit (resync). */
  applied?: boolean;
  outcomes?: OutcomeInput[];
  resolve: (seqs: number[]) => void;
  reject: (err: unknown) => void;
}

/** A batch as the arguments of append_batch, its rows chained from `from`. */
interface Chained {
  seqs: number[][];
  head: ChainHead;
  args: unknown[];
}

const APPEND = 'SELECT ok, head_seq, head_hash FROM append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, ' +
  '$16, $17, $18, $19, $20, $21, $22)';

/**
 * Group commit on PostgreSQL: the writes of concurrent requests wait while one batch is in flight and then share
 * the next, so a process pays one commit (one WAL flush, synchronous_commit on) per batch, not per request. A batch
 * is one statement in its own transaction, one round trip: append_batch checks, under the chain_head row lock that
 * serialises appends across every process of the fleet, that the head is the one the rows were chained from (the
 * head this process's last batch left), and writes them, the outcomes and the queue. When another process appended
 * meanwhile it writes nothing and answers the real head; the batch is then chained again inside a transaction that
 * holds the lock (three round trips). One hash chain, in seq order, with no gaps, whatever the interleaving.
 */
export class PgAppender {
  private pending: Pending[] = [];
  private running = false;
  /** The head this process last saw committed: the chain's head unless another process appended since. */
  private known: ChainHead | undefined;

  constructor(private readonly pool: pg.Pool, private readonly writer: string | null, private readonly afterCommit: () => void) {}

  /** The head as of this process's last commit (undefined before its first): what the journal must still reach. */
  get lastHead(): ChainHead | undefined {
    return this.known && { ...this.known };
  }

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
      // The batch may or may not have committed (a connection lost at COMMIT): the next one finds the head anew.
      this.known = undefined;
      for (const p of batch) p.reject(err);
    }).finally(() => this.flush());
  }

  private async commit(batch: Pending[]): Promise<number[][]> {
    const now = Date.now();
    const intents = batch.some((p) => p.intents?.length);
    if (!intents || this.known) {
      const first = this.chain(batch, this.known ?? { seq: 0, hash: GENESIS_HASH }, now);
      const r = (await this.pool.query({ name: 'append-batch', text: APPEND, values: first.args })).rows[0] as { ok: boolean; head_seq: number; head_hash: string };
      if (r.ok) {
        if (intents) this.known = first.head;
        return first.seqs;
      }
      this.known = { seq: r.head_seq, hash: r.head_hash };
    }
    // Another process appended since our last batch (or this is our first): chain from the head under its lock.
    return inTransaction(this.pool, async (c, begun) => {
      const res = begun as pg.QueryResult[];
      const head = (res[res.length - 1]!.rows[0] as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
      const again = this.chain(batch, head, now);
      const r = (await c.query({ name: 'append-batch', text: APPEND, values: again.args })).rows[0] as { ok: boolean };
      if (!r.ok) throw new Error('the chain head moved while its lock was held');
      this.known = again.head;
      return again.seqs;
    }, '', 'BEGIN; SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE');
  }

  /** Pure but for the hashing: the batch's rows chained from `from`, and the outcomes, as append_batch's arguments. */
  private chain(batch: Pending[], from: ChainHead, now: number): Chained {
    let seq = from.seq;
    let prev = from.hash;
    const seqs: number[][] = batch.map(() => []);
    const cols: unknown[][] = Array.from({ length: 10 }, () => []);
    const [s, r, o, b, k, a, ra, og, h, ap] = cols as [number[], string[], string[], string[], string[], string[], string[], string[], string[], boolean[]];
    batch.forEach((p, i) => {
      for (const e of p.intents ?? []) {
        seq += 1;
        const origin = e.origin ?? 'client';
        prev = chainHash(prev, { seq, created_at: now, rule_id: e.ruleId, operation: e.operation, bucket: e.bucket, key: e.key,
          access_key_id: e.accessKeyId, remote_addr: e.remoteAddr, origin, writer: this.writer });
        s.push(seq); r.push(e.ruleId); o.push(e.operation); b.push(e.bucket); k.push(e.key); a.push(e.accessKeyId);
        ra.push(e.remoteAddr); og.push(origin); h.push(prev); ap.push(p.applied ?? false);
        seqs[i]!.push(seq);
      }
    });
    const out = batch.flatMap((p) => p.outcomes ?? []);
    const outcomes = [out.map((x) => x.seq), out.map((x) => x.applied), out.map((x) => x.status), out.map((x) => x.requestId ?? null),
      out.map((x) => x.etag ?? null), out.map((x) => x.size ?? null), out.map((x) => x.versionId ?? null), out.map((x) => x.error ?? null)];
    return { seqs, head: { seq, hash: prev }, args: [from.seq, from.hash, now, this.writer, ...cols, ...outcomes] };
  }
}
