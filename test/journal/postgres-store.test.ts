import t from 'tap';
import { PgJournalStore } from '../../src/journal/postgres/pg-store.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
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
