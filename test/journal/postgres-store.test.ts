import t from 'tap';
import { PgJournalStore } from '../../src/journal/postgres/pg-store.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { pgRows } from '../helpers/journal-sql.js';
import type { IntentInput } from '../../src/journal/journal-store.js';
import { storeContract } from './store-contract.js';

let pg: Postgres;
try {
  pg = await startPostgres();
} catch (err) {
  t.fail(`PostgreSQL could not start, so the PostgreSQL store was not tested: ${(err as Error).message}`);
  process.exit(1);
}
t.teardown(() => pg.stop());

t.test('the PostgreSQL store keeps the journal store contract', async (t) => {
  storeContract(t, async () => PgJournalStore.open(await pg.createDatabase(), { writer: 'gw-1' }));
});

t.test('several processes append to one chain: one statement per batch, the head checked under its lock', async (t) => {
  const url = await pg.createDatabase();
  // Three stores are three processes of a fleet: each its own pool and its own idea of the head.
  const stores = await Promise.all(['gw-a', 'gw-b', 'gw-c'].map((writer) => PgJournalStore.open(url, { writer, connections: 4 })));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  const intent = (key: string): IntentInput => ({ ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key, accessKeyId: 'AK', remoteAddr: '10.0.0.1' });
  const seqs = await Promise.all(stores.flatMap((s, i) => Array.from({ length: 16 }, async (_, w) => {
    const mine: number[] = [];
    for (let n = 0; n < 10; n++) {
      const got = await s.appendIntents([intent(`s${i}/w${w}/${n}`)]);
      const outcome = s.recordOutcomes([{ seq: got[0]!, applied: true, status: 200, etag: '"e"', size: 1 }]);
      mine.push(...got, ...(n % 3 === 0 ? await s.appendApplied([intent(`s${i}/w${w}/r${n}`)]) : []));
      await outcome;
    }
    return mine;
  })));
  const all = seqs.flat().sort((a, b) => a - b);
  t.same(all, Array.from({ length: all.length }, (_, i) => i + 1), `${all.length} rows from three writers, distinct seqs, no gaps`);
  const rows = await pgRows<{ seq: string; writer: string; state: string }>(url, 'SELECT seq, writer, state FROM changes ORDER BY seq');
  const switches = rows.filter((r, i) => i > 0 && r.writer !== rows[i - 1]!.writer).length;
  t.ok(switches > 3, `the writers' batches interleave (${switches} changes of writer along the chain)`);
  t.same([...new Set(rows.map((r) => r.state))], ['pending'], 'every outcome and applied change recorded');
  const queued = await pgRows<{ n: string }>(url, 'SELECT count(*) AS n FROM queue');
  t.equal(Number(queued[0]!.n), rows.length, 'and queued, one entry per key');
  for (const s of stores) t.match(await s.verifyChain(), { ok: true, rows: all.length, verified: all.length, head: { seq: all.length } });
});
