import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseConfig } from '../../src/config/parse.js';
import { ruleEnds, walkRule } from '../../src/ops/rule-walk.js';
import { rawConfig, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { deleteKey, directClient, putKeys } from '../helpers/ops-objects.js';
import { openJournalFile } from '../helpers/journal-sql.js';

const N = 10_000;
// Keys of 220 bytes (s3rver keeps each object as files named after the key, so a flat key stays under NAME_MAX).
const key = (i: number) => `big/${'x'.repeat(200)}-k${String(i).padStart(6, '0')}`;
const RULE = { id: 'big', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, prefix: 'big/', enabled: true };
const mib = (kb: number) => (kb / 1024).toFixed(0);
const short = (keys: Array<string | undefined>) => keys.map((k) => k!.slice(k!.lastIndexOf('-') + 1)).sort();

t.test(`verify and resync on a ${N}-key bucket, in bounded memory`, async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(async () => {
    // rm(1) unlinks s3rver's 60,000 files several times faster than the helper's rmSync would.
    spawnSync('rm', ['-rf', join(regions.dir, 'cn-bj'), join(regions.dir, 'cn-sh')]);
    await regions.stop();
  });
  const raw = rawConfig(regions, { rules: [RULE] });
  const file = writeConfig(regions.dir, raw);
  const ferry = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli([...args, '-c', file], { keepStdout: false, ...opts });
  const src = directClient(regions.source);
  const dst = directClient(regions.target);
  t.teardown(async () => { await src.close(); await dst.close(); });

  const t0 = Date.now();
  const phase = (what: string) => t.comment(`${((Date.now() - t0) / 1000).toFixed(1)}s: ${what}`);
  let started = Date.now();
  await putKeys(src, 'photos', Array.from({ length: N }, (_, i) => key(i)), (k) => k.slice(-7));
  t.comment(`${N} objects uploaded to the source in ${Date.now() - started} ms`);

  // The target is seeded by copying s3rver's files (an instant replica: uploading 10,000 more objects would only
  // slow the test), and drift is made in it through the S3 API. (Backfilling an empty target: drift.test.ts.)
  cpSync(join(regions.dir, 'cn-bj', 'photos'), join(regions.dir, 'cn-sh', 'photos-replica'), { recursive: true });
  const missing = Array.from({ length: 100 }, (_, i) => key(37 + i * 97));
  const changed = Array.from({ length: 60 }, (_, i) => key(60 + i * 193)).filter((k) => !missing.includes(k)).slice(0, 50);
  // A suffix that sorts after '.', since s3rver lists by file name (`<key>._S3rver_object`), not strictly by key.
  const extra = Array.from({ length: 50 }, (_, i) => `${key(i * 199)}x`);
  for (const k of missing) await deleteKey(dst, 'photos-replica', k);
  await putKeys(dst, 'photos-replica', changed.slice(0, 25), () => 'a longer body');
  await putKeys(dst, 'photos-replica', changed.slice(25), (k) => k.slice(-7).replace('k', 'x'));
  await putKeys(dst, 'photos-replica', extra);

  phase('target seeded and drifted');
  const verify = await ferry(['verify', '--rule', 'big', '--json'], { keepStdout: true });
  t.equal(verify.code, 1, `exit 1 on drift ${verify.stderr}`);
  const lines = verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind?: string; key?: string; summary?: Record<string, number> });
  t.match(lines.at(-1), { summary: { walked: N + 50, missing: 100, extra: 50, different: 50, equal: false } });
  t.same(short(lines.filter((l) => l.kind === 'missing').map((l) => l.key)), short(missing), 'the deleted keys are missing');
  t.same(short(lines.filter((l) => l.kind === 'different').map((l) => l.key)), short(changed), 'the overwritten keys differ');
  t.same(short(lines.filter((l) => l.kind === 'extra').map((l) => l.key)), short(extra), 'the added keys are extra');
  t.comment(`verify ${N} keys: ${verify.ms} ms (${Math.round(N / (verify.ms / 1000))} keys/s), peak RSS ${mib(verify.peakRssKb)} MiB`);
  t.ok(verify.peakRssKb < 256 * 1024, 'verify peak RSS under 256 MiB');

  // Interrupted (Ctrl-C) at its first difference, then run again: it resumes after the last key walked.
  const shipper = await startTestFerry(raw, { gateway: false });
  t.teardown(() => shipper.stop());
  let pid = 0;
  let signalled = false;
  const first = await ferry(['resync', '--rule', 'big', '--delete-extra'], {
    keepStdout: true, onStart: (p) => { pid = p; },
    onStdout: () => { if (!signalled) { signalled = true; process.kill(pid, 'SIGINT'); } },
  });
  phase('resync interrupted');
  t.equal(first.code, 130, 'an interrupted resync exits 130');
  t.match(first.stdout, /interrupted: run the same command again to resume after the last key walked\n$/);
  const db = openJournalFile((raw.journal as { path: string }).path);
  t.teardown(() => db.close());
  const mark = db.prepare("SELECT after_key AS k, rows_written AS n FROM resync_progress WHERE rule_id = 'big'").get() as { k: string; n: number };
  t.ok(mark && mark.k.startsWith('big/'), 'the position is saved');
  started = Date.now();
  const second = await ferry(['resync', '--rule', 'big', '--delete-extra'], { keepStdout: true });
  t.equal(second.code, 0, second.stderr);
  const summary = second.stdout.trim().split('\n').at(-1)!;
  t.match(summary, /^rule big: \d+ keys walked \(resumed after "big\/x+-k\d+x?"\): /);
  t.match(summary, new RegExp(`; ${200 - mark.n} resync row\\(s\\) written$`));
  t.comment(`resync resumed after ${mark.n} of 200 rows: ${second.ms} ms, peak RSS ${mib(second.peakRssKb)} MiB`);
  t.ok(second.peakRssKb < 256 * 1024, 'resync peak RSS under 256 MiB');
  t.equal(db.prepare('SELECT count(*) FROM resync_progress').pluck().get(), 0, 'a finished resync clears its position');
  const rows = db.prepare("SELECT key FROM changes WHERE operation IN ('Resync', 'ResyncMissing')").pluck().all() as string[];
  t.equal(rows.length, 200, 'one row per missing, different or extra key, none twice');
  t.same(short(rows), short([...missing, ...changed, ...extra]));

  await waitFor(() => db.prepare("SELECT count(*) FROM changes WHERE state = 'shipped'").pluck().get() === 200, 90_000, 'resync rows to ship');
  t.comment(`${Date.now() - started} ms from the resumed resync to the 200 keys shipped`);

  phase('shipped');
  // The final comparison runs in this process, so the heap can be measured after each collection.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const ends = ruleEnds(parseConfig(raw), 'big');
  t.teardown(() => ends.close());
  gc();
  const before = process.memoryUsage().heapUsed;
  let n = 0;
  let drift = 0;
  const heap: number[] = [];
  for await (const d of walkRule(ends)) {
    if (d.kind !== 'same') drift++;
    if (++n % 1000 === 0) {
      gc();
      heap.push(process.memoryUsage().heapUsed - before);
    }
  }
  phase('walked in-process');
  t.equal(n, N);
  t.equal(drift, 0, 'the target equals the source');
  // Two pages per side are held (the one being merged and the next, fetched ahead): about 2.5 MB of these keys.
  // Holding every key listed would add about 10 MB by the end.
  const mb = heap.map((h) => (h / 1048576).toFixed(1));
  t.comment(`heap growth after each 1000 keys (MiB): ${mb.join(' ')}`);
  t.ok(Math.max(...heap) < 5 * 1048576, `peak heap growth ${mb.reduce((a, b) => (Number(a) > Number(b) ? a : b))} MiB stays under 5 MiB`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.ok(mean(heap.slice(5)) - mean(heap.slice(0, 5)) < 2 * 1048576, 'and does not grow from the first 5000 keys to the last');
});
