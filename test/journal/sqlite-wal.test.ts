// The SQLite journal's WAL: checkpointed into journal.db (a copy of the file alone is the journal), on a thread of its
// own once the journal is busy; cut back to its limit after a reader held checkpoints back, bounded under a long
// workload, nothing acknowledged lost to a SIGKILL while the thread copies; a lost tail (deleted or truncated WAL)
// is refused at start and reported by verify; `--expect-head`; online backups.
import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import type { IntentInput } from '../../src/journal/journal-store.js';
import { journalDb, openJournalFile } from '../helpers/journal-sql.js';
import { offlineConfig } from '../helpers/ops-journal.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-wal-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `j${n++}`, 'journal.db');
const intent = (key: string): IntentInput => ({ ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key, accessKeyId: 'AK', remoteAddr: '127.0.0.1' });
const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => intent(`k/${from + i}/${'x'.repeat(60)}`));
const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rowsIn = (file: string) => {
  const db = openJournalFile(file);
  try {
    return db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'changes'").pluck().get() ? db.prepare('SELECT count(*) FROM changes').pluck().get() : 0;
  } finally {
    db.close();
  }
};

t.test('journal.db itself holds the rows once the WAL is checkpointed, and a clean close empties the WAL', async (t) => {
  const path = fresh();
  const j = new SqliteJournalStore(path, { checkpointMs: 100 });
  await j.appendApplied(batch(0, 50));
  await sleep(400);
  const copy = join(dir, 'copy-of-db-alone.db');
  copyFileSync(path, copy);
  t.equal(rowsIn(copy), 50, 'a copy of journal.db without its WAL has every row');
  await j.close();
  t.equal(walSize(path), 0, 'no WAL left after a clean close');
  t.equal(rowsIn(path), 50);
});

t.test('the WAL is cut back to its limit once a reader that held checkpoints back lets go', async (t) => {
  const path = fresh();
  const j = new SqliteJournalStore(path, { checkpointMs: 100 });
  t.teardown(() => j.close());
  await j.appendApplied(batch(0, 10));
  const reader = openJournalFile(path);
  reader.exec('BEGIN');
  reader.prepare('SELECT count(*) FROM changes').get();
  for (let i = 0; i < 40; i++) await j.appendApplied(batch(10 + i * 1000, 1000));
  const grown = walSize(path);
  reader.exec('COMMIT');
  reader.close();
  for (let i = 0; i < 20; i++) {
    await sleep(150);
    await j.appendApplied(batch(100_000 + i, 1));
  }
  const after = walSize(path);
  t.ok(grown > 12 * 1024 * 1024, `the held-back WAL grew to ${(grown / 1048576).toFixed(1)} MiB`);
  t.ok(after <= 8 * 1024 * 1024, `and is back to ${(after / 1048576).toFixed(1)} MiB (limit 8 MiB) once the reader let go`);
  t.comment(`FIGURES wal-cutback: grownBytes=${grown} afterBytes=${after}`);
});

t.test('the WAL stays bounded under a long workload (writers, a shipper, a status reader)', async (t) => {
  const path = fresh();
  const j = new SqliteJournalStore(path);
  t.teardown(() => j.close());
  const seconds = Number(process.env.FERRY_WAL_SECONDS ?? 20);
  const end = Date.now() + seconds * 1000;
  let appended = 0;
  let maxWal = 0;
  const sampler = setInterval(() => { maxWal = Math.max(maxWal, walSize(path)); }, 50);
  const writers = Array.from({ length: 16 }, async (_, w) => {
    while (Date.now() < end && appended < 2_000_000) {
      const [seq] = await j.appendIntents([intent(`w${w}/${appended}`)]);
      await j.recordOutcomes([{ seq: seq!, applied: true, status: 200, etag: '"e"', size: 100 }]);
      appended++;
    }
  });
  const shipper = (async () => {
    while (Date.now() < end) {
      for (const e of await j.due(['photos'], Date.now(), 32, new Set(), { owner: 'bench', ms: 5000 })) await j.shipped(e, e.maxSeq, '"e"', 'shipped', Date.now());
      await sleep(2);
    }
  })();
  const status = (async () => {
    while (Date.now() < end) {
      await j.ruleFigures(['photos'], Date.now(), 60_000, 1000);
      await sleep(100);
    }
  })();
  await Promise.all([...writers, shipper, status]);
  clearInterval(sampler);
  const dbBytes = statSync(path).size;
  t.ok(appended > 1000, `${appended} appends in ${seconds} s`);
  t.ok(maxWal <= 16 * 1024 * 1024, `the WAL peaked at ${(maxWal / 1048576).toFixed(1)} MiB`);
  t.ok(dbBytes > 4096, `journal.db holds the data (${(dbBytes / 1048576).toFixed(1)} MiB)`);
  const thread = j.checkpointThreadFigures!;
  t.ok(thread.checkpoints > 0, `the busy journal checkpointed on its own thread (${thread.checkpoints} times, ${thread.finished} finished by the writer)`);
  t.equal(thread.failure, undefined, 'and the thread never failed');
  t.comment(`FIGURES wal-bound: seconds=${seconds} appends=${appended} maxWalBytes=${maxWal} dbBytes=${dbBytes} threadCheckpoints=${thread.checkpoints} finished=${thread.finished}`);
});

t.test('a short-lived journal never starts a checkpoint thread, and one kept out of it checkpoints on its own connection', async (t) => {
  const quiet = new SqliteJournalStore(fresh(), { checkpointMs: 50 });
  await quiet.appendApplied(batch(0, 20));
  await sleep(150);
  t.same(quiet.checkpointThreadFigures, { checkpoints: 0, finished: 0, failure: undefined });
  await quiet.close();
  const path = fresh();
  const baseline = new SqliteJournalStore(path, { checkpointThread: false });
  for (let i = 0; i < 600; i++) await baseline.appendIntents([intent(`b/${i}`)]);
  t.equal(baseline.checkpointThreadFigures!.checkpoints, 0, 'no thread when told so');
  t.ok(walSize(path) <= 8 * 1024 * 1024, 'SQLite checkpointed at its commits');
  await baseline.close();
  t.equal(rowsIn(path), 600);
});

t.test('a checkpoint thread that dies hands checkpoints back to SQLite, and the WAL stays bounded', async (t) => {
  const path = fresh();
  // The timer's checkpoints held off (an hour apart): only SQLite's automatic ones, restored, can bound the WAL.
  const j = new SqliteJournalStore(path, { checkpointMs: 3_600_000 });
  const warnings: string[] = [];
  j.on('warning', (m) => warnings.push(m));
  const db = journalDb(j);
  let i = 0;
  // The thread starts after 256 commits; under a TypeScript loader its module takes seconds to load.
  const until = Date.now() + 60_000;
  while (j.checkpointThreadFigures!.checkpoints === 0 && Date.now() < until) await j.appendIntents([intent(`d/${i++}/${'x'.repeat(60)}`)]);
  t.ok(j.checkpointThreadFigures!.checkpoints > 0, `the thread took over after ${i} commits`);
  t.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0, 'and SQLite stopped checkpointing at commits');
  // The thread ends as one that ran out of memory or crashed would.
  await (j as unknown as { keeper: { thread: { worker: { terminate(): Promise<number> } } } }).keeper.thread.worker.terminate();
  let maxWal = 0;
  const before = i;
  for (; i < before + 3_000; i++) {
    await j.appendIntents([intent(`d/${i}/${'x'.repeat(60)}`)]);
    maxWal = Math.max(maxWal, walSize(path));
  }
  t.match(j.checkpointThreadFigures!.failure, /exited/, 'the failure is recorded');
  t.equal(warnings.length, 1, 'and told once, for the log');
  t.match(warnings[0], /checkpoint thread stopped \(checkpoint thread exited\)/);
  t.ok(Number(db.pragma('wal_autocheckpoint', { simple: true })) > 0, 'SQLite checkpoints at its commits again');
  t.ok(maxWal <= 10 * 1024 * 1024, `the WAL stayed bounded through 3,000 more commits (${maxWal} bytes at most)`);
  await j.close();
  t.equal(rowsIn(path), i, 'every append is in journal.db after the close');
});

const dist = fileURLToPath(new URL('../../dist/journal/sqlite/sqlite-store.js', import.meta.url));

/** A writer process that appends `rows` rows, waits for its head file, says so and waits to be killed. */
async function killedWriter(path: string, rows: number): Promise<void> {
  const script = `import { SqliteJournalStore } from ${JSON.stringify(dist)};
    const j = new SqliteJournalStore(${JSON.stringify(path)}, { checkpointMs: 3600000 });
    for (let i = 0; i < ${rows}; i++) await j.appendApplied([{ ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key: 'k' + i,
      accessKeyId: 'AK', remoteAddr: '127.0.0.1' }]);
    setTimeout(() => process.stdout.write('ready\\n'), 600);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise<void>((resolve) => createInterface({ input: child.stdout! }).on('line', (l) => { if (l === 'ready') resolve(); }));
  child.kill('SIGKILL');
  await exited;
}

t.test('a journal whose WAL was deleted after a SIGKILL is refused at start, and verify reports the lost rows', async (t) => {
  const path = fresh();
  new SqliteJournalStore(path).close();
  await killedWriter(path, 5);
  rmSync(`${path}-wal`);
  rmSync(`${path}-shm`, { force: true });
  t.throws(() => new SqliteJournalStore(path), { code: 'JOURNAL_TAMPERED', message: /rows 1\.\.5 are lost/ }, 'Ferry refuses to start on it');
  const reader = new SqliteJournalStore(path, { readonly: true });
  const report = await reader.verifyChain();
  await reader.close();
  t.equal(report.ok, false, 'verify does not call it OK');
  t.match(report.problems, [{ kind: 'missing', seq: 1, detail: /rows 1\.\.5 are missing: the head file/ }]);
});

t.test('a journal whose schema vanished with its WAL is refused, not silently recreated', async (t) => {
  const path = fresh();
  await killedWriter(path, 7);
  rmSync(`${path}-wal`);
  rmSync(`${path}-shm`, { force: true });
  t.throws(() => new SqliteJournalStore(path), { code: 'JOURNAL_TAMPERED', message: /lost its schema|are lost/ });
  t.throws(() => new SqliteJournalStore(path, { readonly: true }), { code: 'JOURNAL_TAMPERED' }, 'the CLI says so too, not "no such table"');
});

t.test('a truncated WAL (part of the tail cut off) is refused', async (t) => {
  const path = fresh();
  new SqliteJournalStore(path).close();
  await killedWriter(path, 40);
  truncateSync(`${path}-wal`, Math.floor(statSync(`${path}-wal`).size / 2));
  t.throws(() => new SqliteJournalStore(path), { code: 'JOURNAL_TAMPERED', message: /are lost/ });
});

t.test('journal verify --expect-head, and ferry journal backup of a running journal', async (t) => {
  const sub = join(dir, 'cli');
  mkdirSync(sub);
  const file = writeConfig(sub, offlineConfig([{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' } }]));
  const path = join(sub, 'journal.db');
  const j = new SqliteJournalStore(path);
  await j.appendApplied(batch(0, 20));
  const early = join(sub, 'early.db');
  const backup = await runCli(['journal', 'backup', '--to', early, '-c', file]);
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /journal backed up to .*early\.db/);
  const writing = (async () => { for (let i = 0; i < 50; i++) await j.appendApplied(batch(1000 + i * 10, 10)); })();
  const during = join(sub, 'during.db');
  await j.backup(during);
  await writing;
  const head = await j.head();
  t.equal(head.seq, 520);
  const ok = await runCli(['journal', 'verify', '--expect-head', `${head.seq}:${head.hash}`, '-c', file]);
  t.equal(ok.code, 0, `${ok.stdout} ${ok.stderr}`);
  await j.close();
  const copy = new SqliteJournalStore(during, { readonly: true });
  const r = await copy.verifyChain();
  await copy.close();
  t.ok(r.ok && r.rows >= 20, `a backup taken under writes is a whole journal (${r.rows} rows) whose chain verifies`);
  // Put the early backup in place of the journal: the chain alone verifies, the expected head does not.
  rmSync(`${path}-head`);
  copyFileSync(early, path);
  rmSync(`${path}-wal`, { force: true });
  const plain = await runCli(['journal', 'verify', '-c', file]);
  t.equal(plain.code, 0, 'an older copy verifies on its own');
  const stale = await runCli(['journal', 'verify', '--expect-head', `${head.seq}:${head.hash}`, '-c', file]);
  t.equal(stale.code, 1, 'but not against the head recorded before');
  t.match(stale.stdout, /rows 21\.\.520 are lost/);
  const bad = await runCli(['journal', 'verify', '--expect-head', 'yesterday', '-c', file]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /OPTION_INVALID/);
});

t.test('every acknowledged append survives SIGKILL while the checkpoint thread copies the WAL', async (t) => {
  const path = fresh();
  new SqliteJournalStore(path).close();
  // 16 writers print each seq once acknowledged, and say how many checkpoints the thread has made.
  const script = `import { SqliteJournalStore } from ${JSON.stringify(dist)};
    const j = new SqliteJournalStore(${JSON.stringify(path)});
    const one = async (w) => { for (let i = 0; ; i++) { const [seq] = await j.appendIntents([{ ruleId: 'photos', operation: 'PutObject',
      bucket: 'photos', key: 'w' + w + '/' + i, accessKeyId: 'AK', remoteAddr: '127.0.0.1' }]);
      process.stdout.write(seq + ' ' + j.checkpointThreadFigures.checkpoints + '\\n'); } };
    for (let w = 0; w < 16; w++) void one(w);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  const acked: number[] = [];
  let threadCheckpoints = 0;
  const killAt = setTimeout(() => child.kill('SIGKILL'), 30_000);
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const [seq, checkpoints] = l.split(' ').map(Number);
    acked.push(seq!);
    threadCheckpoints = checkpoints!;
    if (threadCheckpoints >= 5 && acked.length >= 5_000) child.kill('SIGKILL');
  });
  t.equal(await exited, 'SIGKILL', 'the writer ran until it was killed');
  clearTimeout(killAt);
  t.ok(threadCheckpoints >= 5, `the thread had checkpointed ${threadCheckpoints} times before the kill`);
  const j = new SqliteJournalStore(path);
  t.teardown(() => j.close());
  const present = new Set(journalDb(j).prepare('SELECT seq FROM changes').pluck().all() as number[]);
  t.same(acked.filter((s) => !present.has(s)), [], `none of the ${acked.length} acknowledged appends is missing`);
  t.ok((await j.verifyChain()).ok, 'the chain verifies after the crash');
});
