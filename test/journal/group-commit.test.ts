import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GroupCommit } from '../../src/journal/group-commit.js';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import type { IntentInput } from '../../src/journal/journal-store.js';
import { journalDb, openJournalFile } from '../helpers/journal-sql.js';

const intent = (key: string): IntentInput => ({ ruleId: 'r1', operation: 'PutObject', bucket: 'photos', key, accessKeyId: 'AK',
  remoteAddr: '127.0.0.1' });

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-journal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A GroupCommit over a fake store: records each commit's writes, and syncs only when told to. */
function fake(opts: { maxBatch?: number; syncOnCommit?: boolean; overlapAt?: number } = {}) {
  const commits: string[][] = [];
  const syncs: Array<() => void> = [];
  let current: string[] = [];
  const log: string[] = [];
  const group = new GroupCommit((work) => {
    current = [];
    work();
    commits.push(current);
  }, { maxBatch: opts.maxBatch, overlapAt: opts.overlapAt, afterCommit: () => log.push('after'),
    // syncOnCommit: each commit is durable when it returns (synchronous=FULL), as in the one-per-append baseline.
    durable: opts.syncOnCommit ? undefined : () => new Promise<void>((resolve) => syncs.push(resolve)) });
  const write = (name: string) => group.submit(() => { current.push(name); return name; }).then((v) => { log.push(`resolved ${v}`); return v; });
  return { group, commits, syncs, log, write };
}

const turn = () => new Promise((r) => setImmediate(r));

t.test('writes of one turn share a commit, and resolve only once it is durable', async (t) => {
  const f = fake();
  const a = f.write('a');
  const b = f.write('b');
  await turn();
  t.same(f.commits, [['a', 'b']], 'one transaction for both');
  await turn();
  t.same(f.log, [], 'nothing resolves before the sync');
  // Writes submitted while the first commit waits for its sync wait for it, then commit together before the next.
  const c = f.write('c');
  await turn();
  const d = f.write('d');
  const outcome = f.group.submit(() => 'outcome', false);
  await turn();
  t.same(f.commits, [['a', 'b']], 'nothing more commits while the sync runs');
  f.syncs[0]!();
  t.same(await Promise.all([a, b]), ['a', 'b']);
  t.same([...f.log].sort(), ['after', 'resolved a', 'resolved b'], 'resolved after the sync, and the shipper woken once');
  t.same(f.commits, [['a', 'b'], ['c', 'd']], 'the writes queued during the sync share the next commit');
  t.equal(f.syncs.length, 2, 'and the next sync');
  f.syncs[1]!();
  t.same(await Promise.all([c, d, outcome]), ['c', 'd', 'outcome']);
  t.equal(f.commits.length, 2, 'an unsynced write queued during a sync rode the same commit');
});

t.test('under load one more batch commits while a sync runs, and resolves only after a sync of its own', async (t) => {
  const f = fake({ overlapAt: 2 });
  const first = ['a', 'b', 'c', 'd'].map(f.write);
  await turn();
  t.same(f.commits, [['a', 'b']], 'writers that came back together: half of them commits first');
  await turn();
  t.same(f.commits, [['a', 'b'], ['c', 'd']], 'the other half commits while the first half syncs');
  t.equal(f.syncs.length, 2, 'and asks for the sync after it');
  const second = ['e', 'f', 'g'].map(f.write);
  await turn();
  t.equal(f.commits.length, 2, 'no third batch while two wait for their syncs');
  f.syncs[0]!();
  t.same(await Promise.all(first.slice(0, 2)), ['a', 'b']);
  t.same(f.log.filter((l) => l.startsWith('resolved')), ['resolved a', 'resolved b'], 'the second half waits for its own sync');
  t.same(f.commits[2], ['e', 'f', 'g'], 'once one sync ended, the writes queued meanwhile commit behind the other');
  const few = f.write('h');
  await turn();
  t.equal(f.commits.length, 3, 'fewer than overlapAt queued: they wait for the running sync');
  f.syncs[1]!();
  t.same(await Promise.all(first.slice(2)), ['c', 'd']);
  t.equal(f.commits.length, 3, 'still one batch committed and unsynced');
  f.syncs[2]!();
  t.same(await Promise.all(second), ['e', 'f', 'g']);
  t.same(f.commits[3], ['h'], 'and commit once it ends');
  f.syncs[3]!();
  t.equal(await few, 'h');
});

t.test('a failed sync rejects its batch; a failed commit rejects its batch and nothing else', async (t) => {
  const commits: number[] = [];
  let failCommit = false;
  let failSync = true;
  const group = new GroupCommit((work) => {
    if (failCommit) throw new Error('disk full');
    work();
    commits.push(1);
  }, { durable: () => (failSync ? Promise.reject(new Error('EIO')) : Promise.resolve()) });
  await t.rejects(group.submit(() => 1), /EIO/);
  failSync = false;
  failCommit = true;
  await t.rejects(group.submit(() => 2), /disk full/);
  failCommit = false;
  t.equal(await group.submit(() => 3), 3);
});

t.test('writes that need no sync of their own settle at commit, unless they share it with one that does', async (t) => {
  const f = fake();
  const outcome = f.group.submit(() => 'outcome', false);
  await turn();
  t.equal(await outcome, 'outcome', 'settled without a sync');
  t.equal(f.syncs.length, 0, 'and none was asked for');
  const both = Promise.all([f.group.submit(() => 'intent'), f.group.submit(() => 'outcome', false)]);
  await turn();
  t.equal(f.syncs.length, 1, 'a batch with one synced write syncs once');
  f.syncs[0]!();
  t.same(await both, ['intent', 'outcome']);
});

t.test('maxBatch 1 commits each write alone (the one-transaction-per-append baseline)', async (t) => {
  const f = fake({ maxBatch: 1, syncOnCommit: true });
  const all = Promise.all([f.write('a'), f.write('b'), f.write('c')]);
  for (let i = 0; i < 4; i++) await turn();
  t.same(f.commits, [['a'], ['b'], ['c']]);
  t.same(await all, ['a', 'b', 'c']);
});

t.test('the journal: appends are visible to other connections and the chain holds under concurrency', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'journal.db');
  const journal = new SqliteJournalStore(path);
  t.equal(journalDb(journal).pragma('synchronous', { simple: true }), 1, 'NORMAL: commits are synced by WalSync, off the event loop');
  const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => journal.appendIntents([intent(`k${i}`)])));
  t.same(seqs.flat().sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), 'one seq each, no gaps');
  const reader = openJournalFile(path);
  t.equal((reader.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n, 200);
  reader.close();
  await journal.close();
  const again = new SqliteJournalStore(path);
  t.ok((await again.verifyChain()).ok, 'hash chain verifies after reopening');
  await again.close();

  const baseline = new SqliteJournalStore(join(dir, 'baseline.db'), { groupCommit: false });
  t.equal(journalDb(baseline).pragma('synchronous', { simple: true }), 2, 'the baseline syncs each commit itself (FULL)');
  t.same(await baseline.appendIntents([intent('a')]), [1]);
  await baseline.close();
});

// 8 writers commit one batch per sync; 96 fill two batches, the second committed while the first syncs.
for (const writers of [8, 96]) t.test(`every acknowledged append survives SIGKILL of the writer (${writers} writers)`, async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'journal.db');
  const dist = fileURLToPath(new URL('../../dist/journal/sqlite/sqlite-store.js', import.meta.url));
  // The child appends as fast as it can and prints each seq once its promise resolved (acknowledged), and a line
  // per durable commit.
  const script = `import { SqliteJournalStore } from ${JSON.stringify(dist)};
    const j = new SqliteJournalStore(${JSON.stringify(path)});
    j.on('commit', () => process.stdout.write('commit\\n'));
    const one = async (w) => { for (let i = 0; ; i++) { const [seq] = await j.appendIntents([{ ruleId: 'r1', operation: 'PutObject',
      bucket: 'photos', key: 'w' + w + '-' + i, accessKeyId: 'AK', remoteAddr: '127.0.0.1' }]); process.stdout.write(seq + '\\n'); } };
    for (let w = 0; w < ${writers}; w++) void one(w);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked: number[] = [];
  let commits = 0;
  const killAt = Math.max(500, writers * 25);
  const exited = new Promise((r) => child.once('exit', r));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l === 'commit') commits++;
    else acked.push(Number(l));
    if (acked.length === killAt) child.kill('SIGKILL');
  });
  await exited;
  t.ok(acked.length >= killAt, `${acked.length} appends acknowledged before the kill`);
  if (writers > 64) t.ok(acked.length / commits < 0.75 * writers, `${commits} commits: ${Math.round(acked.length / commits)} appends each, fewer than all the writers at once`);
  const journal = new SqliteJournalStore(path);
  const present = new Set((journalDb(journal).prepare('SELECT seq FROM changes').pluck().all() as number[]));
  t.same(acked.filter((s) => !present.has(s)), [], 'no acknowledged row is missing');
  t.ok((await journal.verifyChain()).ok, 'the chain verifies after the crash');
  await journal.close();
});
