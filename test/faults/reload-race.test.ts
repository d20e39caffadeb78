// Reloads that overlap (several POST /rules/reload, SIGHUP on top of an admin call that timed out) run one at a
// time and coalesce, so exactly one shipper ever runs: each key is copied once. A reload does not wait out a
// stalled copy: after a short grace the old shipper cancels it and hands the key back, still queued with no attempt
// used (not failed), and the new shipper ships it.
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/config/parse.js';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { RULE, journalCounts, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';

const RELOADS = Number(process.env.FERRY_FAULT_RELOADS ?? 6);
const KEYS = 10;

t.test('overlapping reloads leave exactly one shipper; a stalled copy is handed back, not failed', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.target.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], upstream: { timeoutMs: 20_000 }, shipper: { maxAttempts: 2, pollIntervalMs: 100,
    backoffBaseMs: 50, backoffMaxMs: 500 } }) as { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-sh']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const dst = regionClient(regions.target);
  const copiesOf = (key: string) => proxy.log.filter((l) => l === `PUT /photos-replica/${key}`).length;

  // A copy the target will not answer for 15 s is in flight when several reloads come at once, and more follow.
  proxy.faults = { stallMs: 15_000, stallRate: 1, methods: ['PUT'] };
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'stalled.txt', Body: 'stalled body' }));
  await waitFor(() => copiesOf('stalled.txt') > 0, 10_000, 'the copy to be in flight');
  const t0 = Date.now();
  await Promise.all(Array.from({ length: RELOADS }, (_, i) => sleep(i < RELOADS / 2 ? 0 : i * 20).then(() => ferry.reload(parseConfig(raw)))));
  const reloadMs = Date.now() - t0;
  t.ok(reloadMs < 8_000, `${RELOADS} overlapping reloads did not wait out the stalled copy (${reloadMs} ms)`);
  const row = () => withJournal(raw.journal.path, (db) => db.prepare(`SELECT c.state, q.attempts FROM changes c
    LEFT JOIN queue q ON q.rule_id = c.rule_id AND q.bucket = c.bucket AND q.key = c.key WHERE c.key = 'stalled.txt'`).get() as
    { state: string; attempts: number | null });
  const errors = () => withJournal(raw.journal.path, (db) => (db.prepare(`SELECT count(*) AS n FROM attempts a JOIN changes c
    ON c.seq = a.seq WHERE c.key = 'stalled.txt' AND a.result = 'error'`).get() as { n: number }).n);
  const after = row();
  // Handed back, it is queued again at once; the new shipper may already have found the bytes the stalled PUT wrote.
  t.ok(after.state === 'shipped' || (after.state === 'pending' && after.attempts === 0),
    `the cancelled copy left its key queued, no attempt used (${JSON.stringify(after)})`);
  t.equal(errors(), 0, 'no failed attempt was recorded for it');
  proxy.faults = {};

  // Exactly one shipper runs now: each new key is copied once.
  for (let i = 0; i < KEYS; i++) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `k${i}.txt`, Body: `body ${i}` }));
  await waitDrained(raw.journal.path, 30_000);
  await sleep(1_000); // a second shipper, if any, would copy again meanwhile
  const copies = Array.from({ length: KEYS }, (_, i) => copiesOf(`k${i}.txt`));
  t.same(copies, copies.map(() => 1), 'each key was copied exactly once');
  for (let i = 0; i < KEYS; i++) t.equal((await storedObject(dst, 'photos-replica', `k${i}.txt`))?.size, `body ${i}`.length, `k${i}.txt shipped`);
  t.equal(row().state, 'shipped', 'the handed-back key shipped');
  t.equal((await storedObject(dst, 'photos-replica', 'stalled.txt'))?.size, 'stalled body'.length, 'the target has it');
  t.equal(errors(), 0, 'still no failed attempt');
  t.notOk(journalCounts(raw.journal.path).byState.failed, 'no row failed');
  t.comment(`FIGURES reloads: overlapping=${RELOADS} copiesPerKey=${Math.max(...copies)} stalledReloadMs=${reloadMs}`);
});
