import t from 'tap';
import { join } from 'node:path';
import { rawConfig, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { deleteKey, directClient, keyRange, putKeys } from '../helpers/ops-objects.js';
import { journalDb, openJournalFile } from '../helpers/journal-sql.js';
import { FaultProxy } from '../helpers/fault-proxy.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, prefix: 'p/', enabled: true };

t.test('drift made in the target is found by verify and repaired by resync', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const raw = rawConfig(regions, { rules: [RULE] });
  const file = writeConfig(regions.dir, raw);
  const ferry = (...args: string[]) => runCli([...args, '-c', file]);
  const src = directClient(regions.source);
  const dst = directClient(regions.target);
  t.teardown(async () => { await src.close(); await dst.close(); });

  const keys = keyRange(200, 'p/');
  await putKeys(src, 'photos', [...keys, 'other/outside-the-prefix']);
  await putKeys(dst, 'photos-replica', [...keys, 'other/only-in-target']);
  const same = await ferry('verify', '--rule', 'photos');
  t.equal(same.code, 0, same.stderr);
  t.equal(same.stdout, `rule photos: 200 keys walked in ${/in (\d+\.\d)s/.exec(same.stdout)?.[1]}s: 0 missing, 0 extra, 0 different (target equals source)\n`,
    'keys outside the prefix are not compared');

  await deleteKey(dst, 'photos-replica', 'p/k000010');
  await deleteKey(dst, 'photos-replica', 'p/k000020');
  await putKeys(dst, 'photos-replica', ['p/k000030'], () => 'longer than before');
  await putKeys(dst, 'photos-replica', ['p/k000040'], () => 'p/k0000XX');
  await putKeys(dst, 'photos-replica', ['p/k000010x', 'p/zzz']);

  const drift = await ferry('verify', '--rule', 'photos');
  t.equal(drift.code, 1, 'exit 1 on drift');
  t.match(drift.stdout.split('\n').slice(0, 6), [
    'missing    p/k000010  (source size 9)',
    'extra      p/k000010x  (target size 10)',
    'missing    p/k000020  (source size 9)',
    'different  p/k000030  (size 9 != 18)',
    /^different  p\/k000040  \(etag [0-9a-f]{32} != [0-9a-f]{32}\)$/,
    'extra      p/zzz  (target size 5)',
  ], 'in key order, with what differs');
  t.match(drift.stdout, /rule photos: 202 keys walked in \d+\.\ds: 2 missing, 2 extra, 2 different\n$/);
  const json = (await ferry('verify', '--rule', 'photos', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.match(json[0], { kind: 'missing', key: 'p/k000010', source: { size: 9, etag: /^[0-9a-f]{32}$/ } });
  t.match(json[4], { kind: 'different', key: 'p/k000040', reason: /^etag / });
  t.match(json[6], { summary: { rule: 'photos', walked: 202, missing: 2, extra: 2, different: 2, equal: false } });

  const dry = await ferry('resync', '--rule', 'photos', '--dry-run');
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /rule photos: 202 keys walked: 2 missing, 2 extra, 2 different; 4 resync row\(s\) would be written; 2 extra key\(s\) left in the target/);

  // The shipper runs in this process, as `ferry ship` would beside the CLI; it polls the journal.
  const shipper = await startTestFerry(raw, { gateway: false });
  t.teardown(() => shipper.stop());
  const db = openJournalFile((raw.journal as { path: string }).path);
  t.teardown(() => db.close());
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  t.equal(count("SELECT count(*) AS n FROM changes"), 0, 'a dry run writes nothing');

  const resync = await ferry('resync', '--rule', 'photos');
  t.equal(resync.code, 0, resync.stderr);
  t.match(resync.stdout, /4 resync row\(s\) written; 2 extra key\(s\) left in the target \(use --delete-extra to delete them\)\n$/);
  const rows = db.prepare("SELECT key, operation, origin, access_key_id, remote_addr FROM changes ORDER BY seq").all();
  t.match(rows, [
    { key: 'p/k000010', operation: 'ResyncMissing', origin: 'resync', access_key_id: 'ferry-resync', remote_addr: /@/ },
    { key: 'p/k000020', operation: 'ResyncMissing' }, { key: 'p/k000030', operation: 'Resync' }, { key: 'p/k000040', operation: 'Resync' },
  ], 'a key missing from the target is told apart from one that differs');
  await waitFor(() => count("SELECT count(*) AS n FROM changes WHERE state = 'shipped'") === 4, 20_000, 'the resync rows to ship');
  const after = await ferry('verify', '--rule', 'photos');
  t.equal(after.code, 1);
  t.match(after.stdout, /^extra      p\/k000010x.*\nextra      p\/zzz.*\nrule photos: 202 keys walked in \d+\.\ds: 0 missing, 2 extra, 0 different\n$/);

  const del = await ferry('resync', '--rule', 'photos', '--delete-extra');
  t.match(del.stdout, /2 resync row\(s\) written\n$/);
  await waitFor(() => count("SELECT count(*) AS n FROM changes WHERE state = 'shipped'") === 6, 20_000, 'the deletions to ship');
  const equal = await ferry('verify', '--rule', 'photos');
  t.equal(equal.code, 0, equal.stdout);
  const shown = await ferry('journal', 'show', '5');
  t.match(shown.stdout, /operation\s+Resync\n.*key\s+p\/k000010x\n.*shipping history.*\n.*deleted\s+5\s+-/s, 'the audit trail shows the deletion');
});

t.test('a bucket that existed before its rule is backfilled', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const src = directClient(regions.source);
  t.teardown(() => src.close());
  await putKeys(src, 'photos', keyRange(300, 'p/'), (k) => `${k}:${'z'.repeat(100)}`);
  const raw = rawConfig(regions, { rules: [RULE] });
  const file = writeConfig(regions.dir, raw);
  t.equal((await runCli(['verify', '--rule', 'photos', '-c', file])).code, 1, 'the target starts empty');
  const r = await runCli(['resync', '--rule', 'photos', '-c', file], { env: { NO_COLOR: '1' } });
  t.match(r.stdout, /rule photos: 300 keys walked: 300 missing, 0 extra, 0 different; 300 resync row\(s\) written\n$/);
  const shipper = await startTestFerry(raw, { gateway: false });
  t.teardown(() => shipper.stop());
  await waitFor(() => (journalDb(shipper.journal).prepare("SELECT count(*) AS n FROM changes WHERE state = 'shipped'").get() as { n: number }).n === 300,
    60_000, 'the backfill to ship');
  const v = await runCli(['verify', '--rule', 'photos', '-c', file]);
  t.equal(v.code, 0, v.stdout);
  t.match(v.stdout, /300 keys walked .*target equals source/);
});

t.test('a backfill queues keys as the source is listed, and an interrupted one walks again from the first key', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  // The resync lists the source through a proxy, which logs each page asked for.
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  t.teardown(async () => { await proxy.stop(); await regions.stop(); });
  const src = directClient(regions.source);
  t.teardown(() => src.close());
  const N = 3_500; // four listing pages of at most 1,000 keys
  await putKeys(src, 'photos', keyRange(N, 'p/'));
  const raw = rawConfig(regions, { rules: [RULE] });
  (raw.regions as Record<string, { endpoint: string }>)['cn-bj']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const pages = () => proxy.log.filter((l) => l.startsWith('GET /photos?') && l.includes('list-type=2')).length;

  let pid = 0;
  let pagesAtFirstRow: number | undefined;
  const first = await runCli(['resync', '--rule', 'photos', '-c', file], {
    env: { NO_COLOR: '1' }, keepStdout: true, onStart: (p) => { pid = p; },
    onStdout: () => { if (pagesAtFirstRow === undefined) { pagesAtFirstRow = pages(); process.kill(pid, 'SIGINT'); } },
  });
  t.equal(first.code, 130, 'interrupted');
  t.ok(pagesAtFirstRow !== undefined && pagesAtFirstRow < 4, `the first missing key came after ${pagesAtFirstRow} of 4 source pages`);
  t.match(first.stdout, /interrupted: run the same command again to walk again \(keys already shipped are found equal and not queued\)\n$/);
  const db = openJournalFile((raw.journal as { path: string }).path);
  t.teardown(() => db.close());
  const written = db.prepare("SELECT count(*) FROM changes WHERE operation = 'ResyncMissing'").pluck().get() as number;
  t.ok(written > 0 && written < N, `the interrupted walk queued ${written} keys`);
  t.equal(db.prepare('SELECT count(*) FROM resync_progress').pluck().get(), 0, 'no position: the walk was in listing order, not key order');

  const second = await runCli(['resync', '--rule', 'photos', '-c', file], { env: { NO_COLOR: '1' } });
  t.equal(second.code, 0, second.stderr);
  t.match(second.stdout, new RegExp(`rule photos: ${N} keys walked: ${N} missing, 0 extra, 0 different; ${N} resync row\\(s\\) written\\n$`));
  t.equal(db.prepare('SELECT count(*) FROM queue').pluck().get(), N, 'one queue entry per key, however many rows name it');

  const shipper = await startTestFerry(raw, { gateway: false });
  t.teardown(() => shipper.stop());
  await waitFor(() => db.prepare('SELECT count(*) FROM queue').pluck().get() === 0, 120_000, 'the backfill to ship');
  const v = await runCli(['verify', '--rule', 'photos', '-c', file]);
  t.equal(v.code, 0, v.stdout);
  t.match(v.stdout, new RegExp(`${N} keys walked .*target equals source`));
});
