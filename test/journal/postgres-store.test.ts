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

t.test('verify streams the chain page by page, across page boundaries, and reaches the head this process committed', async (t) => {
  const url = await pg.createDatabase();
  const s = await PgJournalStore.open(url, { writer: 'gw-v' });
  t.teardown(() => s.close());
  const intent = (key: string): IntentInput => ({ ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key, accessKeyId: 'AK', remoteAddr: '10.0.0.1' });
  for (let i = 0; i < 12; i++) await s.appendIntents(Array.from({ length: 1000 }, (_, k) => intent(`v/${i}/${k}`)));
  t.match(await s.verifyChain(), { ok: true, rows: 12_000, verified: 12_000, head: { seq: 12_000 } }, 'three pages of rows');
  await pgRows(url, "UPDATE changes SET key = 'v/forged' WHERE seq = 5001");
  const altered = await s.verifyChain();
  t.match(altered, { ok: false, problems: [{ kind: 'altered', seq: 5001 }] }, 'an altered row just past a page boundary is found');
  await pgRows(url, "UPDATE changes SET key = 'v/5/0' WHERE seq = 5001");
  // The tail and the head row rolled back together, as a restore to an older point would leave them.
  await pgRows(url, 'DELETE FROM changes WHERE seq > 11990');
  await pgRows(url, "UPDATE chain_head SET seq = 11990, hash = (SELECT hash FROM changes WHERE seq = 11990) WHERE id = 1");
  const other = await PgJournalStore.open(url, { readonly: true });
  t.match(await other.verifyChain(), { ok: true, rows: 11_990 }, 'nothing inside the database tells');
  await other.close();
  t.match(await s.verifyChain(), { ok: false, problems: [{ kind: 'missing', seq: 11_991, detail: /rows 11991\.\.12000 are missing/ }] },
    'the process that committed seq 12000 does');
});
