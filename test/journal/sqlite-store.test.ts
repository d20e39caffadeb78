import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-store-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

t.test('the SQLite store keeps the journal store contract', async (t) => {
  storeContract(t, async () => new SqliteJournalStore(join(dir, `journal-${n++}.db`), { writer: 'gw-1' }));
});
