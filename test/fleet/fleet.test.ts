// A fleet on one PostgreSQL journal: three gateways (`ferry serve --listen`, sharing one configuration) and two
// shippers (`ferry ship`) under a mixed retrying workload spread over the gateways, with gateways and shippers
// killed with SIGKILL. Afterwards nothing acknowledged is missing, the target equals the source, the one hash chain
// verifies with every gateway's rows in it, and a probe in front of the target saw no key written by two copies at once.
import t from 'tap';
import { rawConfig, regionClient, startRegions } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, freePort, seeded, sleep } from '../helpers/faults-world.js';
import { runWorkload, unjournaledAcks, type ChangeStamp } from '../helpers/faults-workload.js';
import { KeyProbe } from '../helpers/key-probe.js';
import { pgCounts, pgRows } from '../helpers/journal-sql.js';
import { startPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/world.js';

const pgServer = await startPostgres().catch((err: Error) => {
  t.fail(`PostgreSQL could not start, so the fleet was not tested: ${err.message}`);
  throw err;
});
t.teardown(() => pgServer.stop());

const KILLS = Number(process.env.FERRY_FLEET_KILLS ?? 9);
const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);

t.test(`three gateways and two shippers on PostgreSQL, ${KILLS} SIGKILLs (seed ${seed})`, async (t) => {
  const random = seeded(seed);
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const probe = await new KeyProbe(regions.target.endpoint).start();
  const url = await pgServer.createDatabase();
  const base = rawConfig(regions, { rules: [RULE], log: { level: 'info' } }) as Record<string, any>;
  base.journal = { url };
  base.regions['cn-sh'].endpoint = probe.endpoint;
  const gatewayFile = writeConfig(regions.dir, { ...base, shipper: { enabled: false } }, 'gateway.json');
  const shipperFile = writeConfig(regions.dir, { ...base, shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000,
    concurrency: 6, leaseMs: 3000 } }, 'shipper.json');
  const ports = [await freePort(), await freePort(), await freePort()];
  // Start-up checks the target bucket; s3rver under a loaded machine sometimes answers that HEAD with a 500, which
  // stops a start (as it should). That is not what this test is about: such a start is tried again.
  const started = async (start: () => Promise<FerryProcess>): Promise<FerryProcess> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (err) {
        if (attempt === 3 || !/HTTP500|500 /.test((err as Error).message)) throw err;
        await sleep(500);
      }
    }
  };
  const startGateway = (i: number) => started(() => startFerryProcess(gatewayFile, 'serve', {}, ['--listen', `127.0.0.1:${ports[i]}`]));
  const startShipper = () => started(() => startFerryProcess(shipperFile, 'ship'));
  const gateways: FerryProcess[] = [];
  for (let i = 0; i < 3; i++) gateways.push(await startGateway(i));
  const shippers: FerryProcess[] = [await startShipper(), await startShipper()];
  const printed = [...gateways, ...shippers].map((p) => p.output);
  let stop = false;
  t.teardown(async () => {
    stop = true;
    // Killed outright: a graceful stop would wait on the workloads' keep-alive connections, and nothing is checked here.
    await Promise.all([...gateways, ...shippers].map((p) => p.kill('SIGKILL')));
    await probe.stop();
    // The probe's own keep-alive connections to the target would hold a graceful s3rver stop open.
    for (const r of [regions.source, regions.target]) r.child.kill('SIGKILL');
    await regions.stop();
  });

  const works = ports.map((port, i) => runWorkload({ endpoint: `http://127.0.0.1:${port}`, bucket: 'photos', keys: 60, clients: 3,
    random: seeded(seed + i), retry: true, done: () => stop, bigMultipartEvery: 30, prefix: `g${i}/` }));
  let gatewayKills = 0;
  let shipperKills = 0;
  for (let i = 0; i < KILLS; i++) {
    await sleep(300 + random() * 1200);
    if (i % 3 === 2) {
      const n = Math.floor(random() * shippers.length);
      await shippers[n]!.kill('SIGKILL');
      shipperKills++;
      shippers[n] = await startShipper();
      printed.push(shippers[n]!.output);
    } else {
      const n = Math.floor(random() * gateways.length);
      await gateways[n]!.kill('SIGKILL');
      gatewayKills++;
      gateways[n] = await startGateway(n);
      printed.push(gateways[n]!.output);
    }
  }
  await sleep(1_000);
  stop = true;
  const results = await Promise.all(works);
  await waitFor(async () => {
    const c = await pgCounts(url);
    return c.queue === 0 && !c.byState.intent && !c.byState.pending;
  }, 180_000, 'the fleet to drain the journal');

  const acks = results.flatMap((r) => r.acks);
  const rows = await pgRows<ChangeStamp & { writer: string | null }>(url, 'SELECT operation, key, created_at, writer FROM changes');
  const lost = unjournaledAcks(acks, rows);
  const counts = await pgCounts(url);
  t.ok(acks.length > 50, `${acks.length} requests acknowledged over three gateways`);
  t.same(lost, [], 'every acknowledged change has its journal row');
  t.equal(counts.byState.failed ?? 0, 0, 'no change failed');
  t.same(rows.filter((r) => !r.writer), [], 'every row says which gateway wrote it');
  const writers = new Set(rows.map((r) => r.writer));
  t.ok(writers.size >= 3 + gatewayKills - 1, `${writers.size} gateway processes wrote to the one journal`);

  const diffs = await compareBuckets(regionClient(regions.source), 'photos', regionClient(regions.target), 'photos-replica');
  t.same(diffs, [], 'the target equals the source, key by key');
  const chain = await runCli(['journal', 'verify', '--config', gatewayFile]);
  t.equal(chain.code, 0, `journal verify: ${chain.stdout.trim()} ${chain.stderr.trim()}`);
  t.match(chain.stdout, new RegExp(`${rows.length} rows checked, ${rows.length} verified`));
  const ls = await runCli(['journal', 'ls', '--json', '--limit', '0', '--config', gatewayFile]);
  t.equal(ls.code, 0, ls.stderr);
  const listed = new Set(ls.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { writer: string }).writer));
  t.same([...listed].sort(), [...writers].sort(), 'journal ls shows the rows of every gateway');
  t.ok(probe.writes > 0, `${probe.writes} writes reached the target`);
  t.same(probe.overlaps, [], 'no key was ever written by two copies at once');
  const password = pgServer.password;
  t.same(printed.flat().filter((l) => l.includes(password)), [], 'the PostgreSQL password appears in nothing Ferry printed');
  t.comment(`FIGURES fleet: seed=${seed} gatewayKills=${gatewayKills} shipperKills=${shipperKills} requestsAcknowledged=${acks.length} ` +
    `journalRows=${rows.length} writers=${writers.size} targetWrites=${probe.writes} overlaps=${probe.overlaps.length} ` +
    `retries=${results.reduce((n, r) => n + r.retries, 0)} finalErrors=${JSON.stringify(Object.assign({}, ...results.map((r) => r.errors)))}`);
});
