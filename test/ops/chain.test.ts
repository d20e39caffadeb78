import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { GENESIS_HASH, chainHash } from '../../src/journal/hash-chain.js';
import { checkChain, type ChainRow } from '../../src/journal/verify-chain.js';
import { change, fillJournal, markShipped, scratchDir, offlineConfig } from '../helpers/ops-journal.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { journalDb } from '../helpers/journal-sql.js';

const SQLITE = '/usr/bin/sqlite3';

function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const f = { seq, created_at: 1000 + seq, rule_id: 'r', operation: 'PutObject', bucket: 'b', key: `k${seq}`,
      access_key_id: 'A', remote_addr: '127.0.0.1', origin: 'client' };
    prev = chainHash(prev, f);
    rows.push({ ...f, hash: prev });
  }
  return rows;
}

t.test('checkChain names the first break (pure)', async (t) => {
  t.match(checkChain(chain(5), new Map(), 5), { ok: true, verified: 5, rows: 5, head: { seq: 5 } });
  t.match(checkChain([], new Map(), 0), { ok: true, rows: 0 });

  const altered = chain(5);
  altered[2] = { ...altered[2]!, key: 'evil' };
  t.match(checkChain(altered, new Map(), 5).problems, [{ kind: 'altered', seq: 3 }]);

  const deleted = chain(5).filter((r) => r.seq !== 3);
  t.match(checkChain(deleted, new Map(), 5).problems, [{ kind: 'missing', seq: 3, detail: 'row 3 is missing' }]);

  const first = chain(5).slice(2);
  t.match(checkChain(first, new Map(), 5).problems, [{ kind: 'missing', seq: 1, detail: 'rows 1..2 are missing' }]);

  const tail = chain(5).slice(0, 3);
  t.match(checkChain(tail, new Map(), 5).problems, [{ kind: 'missing', seq: 4, detail: /rows 4\.\.5 are missing \(deleted at the end\)/ }]);

  const replaced = chain(5);
  replaced[1] = { ...replaced[1]!, key: 'forged', hash: 'f'.repeat(64) };
  t.match(checkChain(replaced, new Map(), 5).problems, [{ kind: 'inserted', seq: 2 }], 'a row with a foreign hash was inserted');

  const appended = [...chain(5), { ...chain(6)[5]!, hash: 'e'.repeat(64) }];
  t.match(checkChain(appended, new Map(), 6).problems, [{ kind: 'altered', seq: 6, detail: /altered, or inserted/ }]);

  const rows = chain(10);
  const pruned = rows.filter((r) => r.seq <= 2 || r.seq >= 6);
  t.match(checkChain(pruned, new Map([[5, rows[4]!.hash]]), 10), { ok: true, verified: 7, checkpoints: 1 }, 'a checkpoint explains a gap');
  t.match(checkChain(rows.slice(5), new Map([[5, rows[4]!.hash]]), 10), { ok: true, verified: 5 });
  t.match(checkChain(rows.slice(5), new Map([[5, 'x'.repeat(64)]]), 10).problems, [{ kind: 'altered', seq: 6 }], 'a forged checkpoint breaks the chain');

  const many = chain(10).map((r) => (r.seq % 2 ? { ...r, key: 'x' } : r));
  t.equal(checkChain(many, new Map(), 10, 3).problems.length, 3, 'problems are capped');
});

t.test('tampering with sqlite3 is caught by ferry journal verify', async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const path = join(dir, 'journal.db');
  const file = writeConfig(dir, offlineConfig([{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' } }], '${SECRET_NOT_SET}'));
  const journal = new SqliteJournalStore(path);
  await fillJournal(journal, 50, (i) => change(i), 10);
  await journal.close();
  const sql = (q: string) => execFileSync(SQLITE, [path, q], { encoding: 'utf8' });
  const snapshot = () => execFileSync(SQLITE, [path, '.dump changes'], { encoding: 'utf8' });
  const restore = (dump: string) => {
    sql('DELETE FROM changes');
    execFileSync(SQLITE, [path], { input: dump.replace(/CREATE TABLE[^;]*;/s, '').replace(/CREATE INDEX[^;]*;/g, '') });
    sql("UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM changes) WHERE name = 'changes'");
  };

  const ok = await runCli(['journal', 'verify', '-c', file]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /50 rows checked, 50 verified.*\nhead: seq 50 hash [0-9a-f]{64}\njournal chain OK/s);
  t.notMatch(ok.stderr, /SECRET_NOT_SET/, 'journal commands need no region secrets');
  const clean = snapshot();

  sql("UPDATE changes SET key = 'k999999' WHERE seq = 17");
  let r = await runCli(['journal', 'verify', '-c', file]);
  t.equal(r.code, 1, 'an edited row fails verification');
  t.match(r.stdout, /JOURNAL_TAMPERED: first problem at seq 17: row 17 was altered/);
  restore(clean);
  t.equal((await runCli(['journal', 'verify', '-c', file])).code, 0, 'restored');

  sql("UPDATE changes SET access_key_id = 'SOMEONE' WHERE seq = 1");
  r = await runCli(['journal', 'verify', '-c', file, '--json']);
  t.equal(r.code, 1);
  t.match(JSON.parse(r.stdout), { ok: false, problems: [{ kind: 'altered', seq: 1 }] });
  restore(clean);

  sql('DELETE FROM changes WHERE seq = 30');
  r = await runCli(['journal', 'verify', '-c', file]);
  t.equal(r.code, 1, 'a deleted row fails verification');
  t.match(r.stdout, /first problem at seq 30: row 30 is missing/);
  restore(clean);

  sql('DELETE FROM changes WHERE seq >= 48');
  r = await runCli(['journal', 'verify', '-c', file]);
  t.equal(r.code, 1, 'rows deleted at the end are found through sqlite_sequence');
  t.match(r.stdout, /first problem at seq 48: rows 48\.\.50 are missing \(deleted at the end\)/);
  restore(clean);

  sql(`INSERT INTO changes (created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin, hash, state)
       VALUES (1, 'photos', 'DeleteObject', 'photos', 'k000001', 'AKIATEST', '127.0.0.1', 'client', '${'a'.repeat(64)}', 'shipped')`);
  r = await runCli(['journal', 'verify', '-c', file]);
  t.equal(r.code, 1, 'an inserted row fails verification');
  t.match(r.stdout, /first problem at seq 51: row 51 does not match the chain: it was altered, or inserted/);
  restore(clean);

  sql(`DELETE FROM changes WHERE seq = 20; INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id,
       remote_addr, origin, hash, state) VALUES (20, 1, 'photos', 'DeleteObject', 'photos', 'k000001', 'X', '', 'client', '${'b'.repeat(64)}', 'shipped')`);
  r = await runCli(['journal', 'verify', '-c', file]);
  t.equal(r.code, 1, 'a row replaced in the middle fails verification');
  t.match(r.stdout, /first problem at seq 20: row 20 was inserted or replaced/);
  restore(clean);

  t.equal((await runCli(['journal', 'verify', '-c', file])).code, 0, 'the clean journal verifies again');
});

t.test('the chain verifies across pruning, and new rows chain on', async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const journal = new SqliteJournalStore(join(dir, 'journal.db'));
  t.teardown(() => journal.close());
  await fillJournal(journal, 100, (i) => change(i), 25);
  // created_at is chained, so the rows are not aged; the cutoff moves forward instead.
  const cutoff = Date.now() + 60_000;
  markShipped(journal, Array.from({ length: 100 }, (_, i) => i + 1).filter((s) => s !== 40 && s !== 41 && s !== 70));
  const r = await journal.prune(cutoff, { batchSize: 16 });
  t.equal(r.pruned, 96, 'finished rows are pruned; unfinished ones and the newest row stay');
  t.same(r.oldestKept, { seq: 40, state: 'pending' });
  const left = journalDb(journal).prepare('SELECT seq FROM changes ORDER BY seq').pluck().all();
  t.same(left, [40, 41, 70, 100]);
  t.same(journalDb(journal).prepare('SELECT seq FROM checkpoints ORDER BY seq').pluck().all(), [39, 69, 99], 'one checkpoint per gap');
  t.match((await journal.verifyChain()), { ok: true, rows: 4, verified: 4, checkpoints: 3 });

  await fillJournal(journal, 10, (i) => change(200 + i));
  t.match((await journal.verifyChain()), { ok: true, rows: 14 }, 'rows appended after pruning chain from the newest row');

  markShipped(journal, [40, 41, 70]);
  const again = await journal.prune(cutoff);
  t.equal(again.pruned, 4, 'the rows kept before are pruned once finished');
  t.same(journalDb(journal).prepare('SELECT seq FROM checkpoints ORDER BY seq').pluck().all(), [100], 'merged gaps need one checkpoint');
  t.match((await journal.verifyChain()), { ok: true, rows: 10, checkpoints: 1 });

  journalDb(journal).prepare('DELETE FROM changes WHERE seq = 105').run();
  t.match((await journal.verifyChain()).problems, [{ kind: 'missing', seq: 105 }], 'a deletion is still caught after pruning');

  // Retention must not launder tampering: pruning over a deleted or altered row stops and says so.
  journalDb(journal).prepare("UPDATE changes SET state = 'shipped'").run();
  const before = journalDb(journal).prepare('SELECT count(*) FROM changes').pluck().get();
  await t.rejects(journal.prune(cutoff), { code: 'JOURNAL_TAMPERED', message: /pruning stopped at seq 106: row 105 is missing and no checkpoint explains it/ });
  t.equal(journalDb(journal).prepare('SELECT count(*) FROM changes').pluck().get(), before, 'the batch that met the gap was rolled back');
  journalDb(journal).prepare("UPDATE changes SET key = 'rewritten' WHERE seq = 103").run();
  await t.rejects(journal.prune(cutoff), { code: 'JOURNAL_TAMPERED', message: /seq 103: row 103 does not match the chain/ });
  t.equal(journalDb(journal).prepare('SELECT min(seq) FROM changes').pluck().get(), 101, 'nothing from the altered row on was pruned');
});
