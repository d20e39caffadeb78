// PostgreSQL stopped for 30 s under load: changes are refused with 503 and never forwarded, reads keep working,
// nothing acknowledged is lost, and the gateway recovers by itself (no restart) when the database returns.
import t from 'tap';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { compareBuckets, storedObject } from '../helpers/objects.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { RULE, freePort, seeded, sleep } from '../helpers/faults-world.js';
import { runWorkload, unjournaledAcks, type ChangeStamp } from '../helpers/faults-workload.js';
import { pgCounts, pgRows } from '../helpers/journal-sql.js';
import { startPostgres } from '../helpers/postgres.js';

const pgServer = await startPostgres().catch((err: Error) => {
  t.fail(`PostgreSQL could not start, so the outage was not tested: ${err.message}`);
  throw err;
});
t.teardown(() => pgServer.stop());

const OUTAGE_MS = Number(process.env.FERRY_PG_OUTAGE_MS ?? 30_000);

t.test(`PostgreSQL down for ${OUTAGE_MS / 1000} s under load`, async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const url = await pgServer.createDatabase();
  const port = await freePort();
  const raw = rawConfig(regions, { listen: `127.0.0.1:${port}`, rules: [RULE], log: { level: 'info' },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000 } }) as Record<string, unknown>;
  raw.journal = { url };
  const file = writeConfig(regions.dir, raw);
  const ferry = await startFerryProcess(file);
  t.teardown(async () => { await ferry.kill(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'steady.txt', Body: 'before the outage' }));

  let stop = false;
  const work = runWorkload({ endpoint: ferry.endpoint, bucket: 'photos', keys: 80, clients: 4, random: seeded(7), retry: false,
    done: () => stop, pauseMs: 50 });
  await sleep(3_000);
  pgServer.halt();
  const downAt = Date.now();
  await sleep(2_000);
  const refused = await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'during.txt', Body: 'x' })).then(() => 200,
    (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode);
  t.equal(refused, 503, 'a change while the journal is down is refused with 503');
  t.equal(await storedObject(regionClient(regions.source), 'photos', 'during.txt'), null, 'and was not forwarded to the source');
  const read = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'steady.txt' }));
  t.equal(await read.Body!.transformToString(), 'before the outage', 'reads keep working');
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
  pgServer.start();
  const upAt = Date.now();
  await waitFor(async () => s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'after.txt', Body: 'y' })).then(() => true, () => false),
    30_000, 'changes to be taken again');
  const recoveredMs = Date.now() - upAt;
  await sleep(2_000);
  stop = true;
  const result = await work;
  await waitFor(async () => {
    const c = await pgCounts(url);
    return c.queue === 0 && !c.byState.intent && !c.byState.pending;
  }, 120_000, 'the journal to drain');

  const rows = await pgRows<ChangeStamp>(url, 'SELECT operation, key, created_at FROM changes');
  t.same(unjournaledAcks(result.acks, rows), [], 'every acknowledged change has its journal row');
  const refusedDuring = result.failures.filter((f) => f.status === 503).length;
  t.ok(refusedDuring > 0, `${refusedDuring} changes refused with 503 during the outage`);
  // A copy whose source key the workload deleted meanwhile is the source's own answer, not the outage's.
  t.same(result.failures.filter((f) => f.status !== 503 && f.name !== 'NoSuchKey').map((f) => `${f.op} ${f.name} ${f.status}`), [], 'no other failure');
  const diffs = await compareBuckets(regionClient(regions.source), 'photos', regionClient(regions.target), 'photos-replica');
  t.same(diffs, [], 'the target equals the source');
  t.same(ferry.output.filter((l) => l.includes(pgServer.password)), [], 'the password appears in nothing Ferry printed');
  t.comment(`FIGURES pg-outage: outageMs=${OUTAGE_MS} acknowledged=${result.acks.length} refused503=${refusedDuring} ` +
    `recoveredMsAfterRestart=${recoveredMs} journalRows=${rows.length}`);
});
