import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { filterSql } from '../../src/journal/sql/filter-sql.js';
import { toChangeFilter } from '../../src/ops/filter-options.js';
import { scratchDir, offlineConfig } from '../helpers/ops-journal.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';

const rule = (id: string, enabled = true) => ({ id, source: id, target: { region: 'cn-sh', bucket: `${id}-replica` }, enabled });
const who = { accessKeyId: 'AKIAALICE', remoteAddr: '10.0.0.7' };

/** A journal with one row in each state, and a shipping history with a failed attempt before the success. */
async function buildJournal(path: string): Promise<Record<string, number>> {
  const j = new SqliteJournalStore(path);
  const now = Date.now();
  const intent = (ruleId: string, key: string, operation = 'PutObject', w = who) => ({ ruleId, bucket: ruleId, key, operation, ...w });
  const [a, b, c] = await j.appendIntents([intent('photos', 'cats/a.jpg'), intent('photos', 'cats/b.jpg'),
    intent('photos', 'dogs/c.jpg', 'PutObject', { accessKeyId: 'AKIABOB', remoteAddr: '10.0.0.8' })]);
  await j.recordOutcomes([
    { seq: a!, applied: true, status: 200, etag: '"0cc175b9c0f1b6a831c399e269772661"', size: 1024, requestId: 'REQ1' },
    { seq: b!, applied: false, status: 403, error: 'AccessDenied' },
    { seq: c!, applied: true, status: 200, etag: '"92eb5ffee6ae2fec3ad71c777531578f"', size: 2048 },
  ]);
  const due = await j.due(['photos'], now + 1, 10, new Set());
  const ea = due.find((e) => e.key === 'cats/a.jpg')!;
  const ec = due.find((e) => e.key === 'dogs/c.jpg')!;
  await j.failed(ea, 'PutObject: 503 SlowDown: Please reduce your request rate', now, 10, now);
  await j.shipped(ea, ea.maxSeq, '"0cc175b9c0f1b6a831c399e269772661"', 'shipped', now + 5);
  await j.failed(ec, 'PutObject: 400 InvalidArgument: bad metadata', now, 1, now);
  const [d] = await j.appendApplied([intent('docs', 'report.pdf', 'CompleteMultipartUpload')]);
  const [e] = await j.appendApplied([intent('old', 'gone.txt', 'DeleteObject')]);
  await j.cancelRule('old');
  await j.close();
  return { a: a!, b: b!, c: c!, d: d!, e: e! };
}

t.test('filters build the right SQL (pure)', async (t) => {
  t.same(filterSql({}, []), { where: '', params: [] });
  t.same(filterSql({ state: 'pending' }, ['docs']), { where: "WHERE state IN ('intent', 'pending') AND rule_id NOT IN (?)", params: ['docs'] });
  t.same(filterSql({ state: 'held' }, []), { where: "WHERE state IN ('intent', 'pending') AND 1 = 0", params: [] });
  t.same(filterSql({ rule: 'r', prefix: 'a/', since: 5 }, []),
    { where: 'WHERE rule_id = ? AND substr(key, 1, length(?)) = ? AND created_at >= ?', params: ['r', 'a/', 'a/', 5] });
});

t.test('journal ls, show, export, retry, status and prune from the command line', async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const file = writeConfig(dir, offlineConfig([rule('photos'), rule('docs', false)]));
  const seq = await buildJournal(join(dir, 'journal.db'));
  const ferry = (...args: string[]) => runCli([...args, '-c', file]);
  const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  const ls = await ferry('journal', 'ls');
  t.equal(ls.code, 0, ls.stderr);
  const lines = ls.stdout.trim().split('\n');
  t.match(lines[0], /^SEQ\s+TIME \(UTC\)\s+RULE\s+OPERATION\s+BUCKET\/KEY\s+CLIENT\s+STATE\s+SIZE\s+LAG$/);
  t.equal(lines.length, 6, 'header and five rows');
  t.match(lines[1], new RegExp(`^${seq.e}\\s.*old\\s+DeleteObject\\s+old/gone.txt\\s+AKIAALICE\\s+cancelled`), 'newest first');
  t.match(ls.stdout, /docs\s+CompleteMultipartUpload\s+docs\/report\.pdf\s+AKIAALICE\s+held/, 'pending rows of a disabled rule are held');
  t.match(ls.stdout, /photos\/cats\/a\.jpg\s+AKIAALICE\s+shipped\s+1\.0 KiB\s+\d+\.\d\ds/);

  // Filters run in-process (the CLI adds only option parsing, checked once with --json below).
  const reader = new SqliteJournalStore(join(dir, 'journal.db'), { readonly: true });
  t.teardown(() => reader.close());
  const keysOf = async (...args: string[]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 2) o[args[i]!.slice(2)] = args[i + 1]!;
    const { limit, ...filters } = o;
    const keys: string[] = [];
    for await (const rows of reader.listChanges(toChangeFilter(filters, Date.now()), ['docs'], { order: 'desc', limit: Number(limit ?? 0) })) {
      keys.push(...rows.map((r) => r.key));
    }
    return keys;
  };
  t.same(await keysOf('--state', 'failed'), ['dogs/c.jpg']);
  t.same(await keysOf('--state', 'held'), ['report.pdf']);
  t.same(await keysOf('--state', 'pending'), [], 'held rows are not pending');
  t.same(await keysOf('--state', 'rejected'), ['cats/b.jpg']);
  t.same(await keysOf('--state', 'cancelled'), ['gone.txt']);
  t.same(await keysOf('--rule', 'photos', '--prefix', 'cats/'), ['cats/b.jpg', 'cats/a.jpg']);
  t.same(await keysOf('--client', 'AKIABOB'), ['dogs/c.jpg']);
  t.same(await keysOf('--op', 'CompleteMultipartUpload'), ['report.pdf']);
  t.same(await keysOf('--bucket', 'photos', '--key', 'cats/a.jpg'), ['cats/a.jpg']);
  t.same(await keysOf('--since', '1h', '--limit', '2'), ['gone.txt', 'report.pdf']);
  t.same(await keysOf('--until', '2000-01-01'), []);
  const cliKeys = jsonLines((await ferry('journal', 'ls', '--json', '--rule', 'photos', '--prefix', 'cats/', '--since', '1h', '--limit', '5')).stdout);
  t.same(cliKeys.map((r) => r.key), ['cats/b.jpg', 'cats/a.jpg'], 'the CLI passes every filter on');
  const row = cliKeys[1]!;
  t.match(row, { seq: seq.a, rule_id: 'photos', operation: 'PutObject', access_key_id: 'AKIAALICE', remote_addr: '10.0.0.7',
    state: 'shipped', status: 200, size: 1024, request_id: 'REQ1', hash: /^[0-9a-f]{64}$/ });
  const bad = await ferry('journal', 'ls', '--state', 'done');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /OPTION_INVALID: --state "done" is not a state/);

  const show = await ferry('journal', 'show', String(seq.a));
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /^seq\s+\d+\ncreated\s+.* UTC\nrule\s+photos\n/);
  t.match(show.stdout, /client\s+AKIAALICE from 10\.0\.0\.7/);
  t.match(show.stdout, /source answer\s+200 at .* UTC, request id REQ1/);
  t.match(show.stdout, /shipping history.*\nTIME \(UTC\)\s+RESULT\s+COVERS UP TO\s+DETAIL\n.*error\s+\d+\s+PutObject: 503 SlowDown.*\n.*shipped\s+\d+\s+"0cc1/s);
  const shown = JSON.parse((await ferry('journal', 'show', String(seq.a), '--json')).stdout) as { history: unknown[] };
  t.match(shown, { seq: seq.a, history: [{ result: 'error' }, { result: 'shipped' }] });
  t.match((await ferry('journal', 'show', String(seq.b))).stdout, /no shipping attempts \(the source refused the change\)/);
  const missing = await ferry('journal', 'show', '99999');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /JOURNAL_ROW_NOT_FOUND: no journal row has seq 99999/);

  const status = JSON.parse((await ferry('status', '--json')).stdout) as { rules: unknown[] };
  t.match(status.rules, [
    { rule: 'photos', enabled: true, pending: { operations: 0, bytes: 0 }, failed: 1, shipped: { lastMinute: 1, lastHour: 1 } },
    { rule: 'docs', enabled: false, pending: { operations: 1, keys: 1, oldestAgeSeconds: Number } },
  ]);
  const table = await ferry('status');
  t.match(table.stdout, /^RULE\s+ENABLED\s+SERVING\s+PENDING\s+BYTES\s+OLDEST\s+FAILED\s+UNCHANGED\s+SHIPPED 1M\s+SHIPPED 1H\s+LAG P50\s+LAG P99\nphotos\s+yes\s+source\s+0\s+0 B\s+-\s+1\s+0\s+1\s+1\s+/);
  t.match(table.stdout, /\ndocs\s+no \(held\)\s+source\s+1\s+/);

  let pid = 0;
  let seen = 0;
  const watch = await runCli(['status', '--watch', '0.2', '--json', '-c', file], {
    onStart: (p) => { pid = p; },
    onStdout: (c) => { seen += c.toString().split('\n').length - 1; if (seen === 3) process.kill(pid, 'SIGINT'); },
  });
  t.equal(watch.code, 0, 'status --watch refreshes until Ctrl-C');
  t.ok(watch.stdout.trim().split('\n').length >= 3 && watch.stdout.trim().split('\n').every((l) => Array.isArray(JSON.parse(l).rules)));

  const csvFile = join(dir, 'out.csv');
  const exp = await ferry('journal', 'export', '--format', 'csv', '--rule', 'photos', '-o', csvFile);
  t.equal(exp.code, 0, exp.stderr);
  const csv = readFileSync(csvFile, 'utf8').trim().split('\n');
  t.equal(csv[0], 'seq,created_at,rule_id,operation,bucket,key,access_key_id,remote_addr,origin,hash,state,request_id,status,etag,size,version_id,outcome_at,shipped_at,target_etag,last_error,writer');
  t.equal(csv.length, 4, 'header and the three photos rows, oldest first');
  t.match(csv[1], new RegExp(`^${seq.a},\\d+,photos,PutObject,photos,cats/a.jpg,AKIAALICE,10.0.0.7,client,[0-9a-f]{64},shipped,REQ1,200,"""0cc1`));
  t.match(csv[3], /,failed,,200,"""92eb5ffee6ae2fec3ad71c777531578f""",2048,,\d+,,,PutObject: 400 InvalidArgument: bad metadata,$/, 'the writer last (none: this journal was written without one)');
  const jsonl = await ferry('journal', 'export', '--state', 'held');
  t.same(jsonLines(jsonl.stdout).map((r) => r.key), ['report.pdf']);

  const retry = await ferry('journal', 'retry', '--rule', 'photos');
  t.equal(retry.code, 0, retry.stderr);
  t.match(retry.stdout, /^1 failed change\(s\) on 1 key\(s\) queued again for rule photos/);
  t.same(await keysOf('--state', 'failed'), []);
  t.same(await keysOf('--state', 'pending'), ['dogs/c.jpg'], 'the failed change is pending again');
  t.match((await ferry('journal', 'retry', '--state', 'held')).stderr, /OPTION_INVALID/);
  t.match((await ferry('journal', 'retry', '--rule', 'nope')).stderr, /RULE_NOT_FOUND/);

  const dry = await ferry('journal', 'prune', '--older-than', '1ms', '--dry-run');
  t.match(dry.stdout, /^2 finished row\(s\) created before .* would be pruned/, 'shipped and rejected; never the newest row (cancelled, here)');
  await new Promise((r) => setTimeout(r, 5));
  const prune = await ferry('journal', 'prune', '--older-than', '1ms');
  t.equal(prune.code, 0, prune.stderr);
  t.match(prune.stdout, /^2 finished row\(s\) created before .* pruned; 1 checkpoint\(s\) keep the chain verifiable; oldest unfinished row kept: seq 3 \(pending\)/);
  t.equal((await ferry('journal', 'verify')).code, 0, 'the chain verifies after pruning');
  t.match((await ferry('journal', 'prune')).stderr, /OPTION_INVALID: no retention to prune by/);
});
