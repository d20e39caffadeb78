// Fault 1: the gateway killed with SIGKILL at random moments under a mixed workload from 8 retrying clients.
// Afterwards nothing acknowledged is missing from the journal, the chain verifies and the target equals the source.
import t from 'tap';
import { rawConfig, regionClient, startRegions, CLIENT_SECRET } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, freePort, journalCounts, secretLeaks, seeded, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';
import { runWorkload, unjournaledAcks, type ChangeStamp } from '../helpers/faults-workload.js';

t.test('the ack-to-row matching finds a missing row', async (t) => {
  const acks = [{ op: 'PutObject', keys: ['a'], sentAt: 100, ackAt: 200 }, { op: 'PutObject', keys: ['a'], sentAt: 150, ackAt: 210 }];
  const row = (created_at: number) => ({ operation: 'PutObject', key: 'a', created_at });
  t.same(unjournaledAcks(acks, [row(120), row(160)]), []);
  t.equal(unjournaledAcks(acks, [row(160)]).length, 1, 'two acks cannot share one row');
  t.equal(unjournaledAcks(acks, [row(90), row(160)]).length, 1, 'a row from before the request does not count');
});

const KILLS = Number(process.env.FERRY_FAULT_KILLS ?? 24);
const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);

t.test(`SIGKILL ${KILLS} times under a mixed workload (seed ${seed})`, async (t) => {
  const random = seeded(seed);
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const port = await freePort();
  const raw = rawConfig(regions, {
    listen: `127.0.0.1:${port}`, rules: [RULE], log: { level: 'debug' },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000, concurrency: 8 },
  }) as { journal: { path: string } };
  const journalPath = raw.journal.path;
  const file = writeConfig(regions.dir, raw);
  const printed: string[][] = [];
  let ferry: FerryProcess = await startFerryProcess(file);
  printed.push(ferry.output);
  t.teardown(async () => { await ferry.kill(); await regions.stop(); });

  let stop = false;
  const work = runWorkload({ endpoint: `http://127.0.0.1:${port}`, bucket: 'photos', keys: 200, clients: 8, random,
    retry: true, done: () => stop, bigMultipartEvery: 40 });
  let kills = 0;
  try {
    for (let i = 0; i < KILLS; i++) {
      // Random moments: sometimes right after start-up (recovery running), mostly mid-traffic.
      await sleep(random() < 0.2 ? random() * 150 : 200 + random() * 1300);
      await ferry.kill('SIGKILL');
      kills++;
      ferry = await startFerryProcess(file);
      printed.push(ferry.output);
    }
    await sleep(1_000);
  } finally {
    // A restart that fails must end the workload too, or its retrying clients outlive the test.
    stop = true;
  }
  const result = await work;
  await waitDrained(journalPath, 180_000);

  const rows = withJournal(journalPath, (db) => db.prepare('SELECT operation, key, created_at FROM changes').all() as ChangeStamp[]);
  const lost = unjournaledAcks(result.acks, rows);
  const counts = journalCounts(journalPath);
  const acked = result.acks.reduce((n, a) => n + a.keys.length, 0);
  t.ok(kills >= 20, `${kills} kills survived`);
  t.ok(result.acks.length > 50, `${result.acks.length} requests acknowledged (${acked} key changes)`);
  t.same(lost, [], 'every acknowledged change has its journal row');
  t.equal(counts.byState.failed ?? 0, 0, 'no change failed');

  const verify = await runCli(['verify', '--config', file, '--rule', 'photos']);
  t.equal(verify.code, 0, `ferry verify: ${verify.stdout.trim().split('\n').pop()}`);
  const diffs = await compareBuckets(regionClient(regions.source), 'photos', regionClient(regions.target), 'photos-replica');
  t.same(diffs, [], 'bytes, metadata and tags equal key by key');
  const chain = await runCli(['journal', 'verify', '--config', file]);
  t.equal(chain.code, 0, 'the journal chain verifies');
  t.match(chain.stdout, /journal chain OK/);

  t.same(printed.flat().filter((l) => l.includes('"msg":"internal error"')), [], 'Ferry never failed a request itself');
  const leaks = secretLeaks([...printed.flat(), verify.stdout, verify.stderr, chain.stdout].join('\n'), [CLIENT_SECRET]);
  t.same(leaks, [], 'no secret in anything Ferry printed');
  t.comment(`FIGURES crash: seed=${seed} kills=${kills} requestsAcknowledged=${result.acks.length} keyChangesAcknowledged=${acked} ` +
    `clientRequests=${result.requests} retries=${result.retries} finalErrors=${JSON.stringify(result.errors)} ` +
    `journalRows=${counts.rows} states=${JSON.stringify(counts.byState)} journalRowsLost=${lost.length} differences=${diffs.length}`);
});
