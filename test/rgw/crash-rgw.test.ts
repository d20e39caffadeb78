// The crash suites (test/faults/crash.test.ts, shipper-kill.test.ts) over two Ceph RGW regions, at a load RGW
// takes (it does tens of small PUTs a second): the gateway SIGKILLed under a mixed workload, then the standalone
// shipper SIGKILLed mid multipart copy. After draining, both ends hold the same bytes, metadata and tags, and no
// multipart upload is left in the target bucket.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CLIENT_SECRET, md5, sdkClient, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets, listKeys, storedObject } from '../helpers/objects.js';
import { startBackendRegions, uploadsInProgress } from '../helpers/backend-regions.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, freePort, journalCounts, secretLeaks, seeded, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';
import { runWorkload, unjournaledAcks, type ChangeStamp } from '../helpers/faults-workload.js';

const KILLS = Number(process.env.FERRY_RGW_KILLS ?? 6);
const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);
const MiB = 1024 * 1024;
const BIG_RULE = { id: 'big', source: 'big-src', target: { region: 'cn-sh', bucket: 'big-replica' }, enabled: true };

t.test('crash suites over Ceph RGW regions', async (t) => {
  const regions = await startBackendRegions('rgw', { source: ['photos', 'big-src'], target: ['photos-replica', 'big-replica'] });
  t.teardown(() => regions.stop());
  t.comment(`RGW cluster created and started in ${regions.rgw!.startMs} ms`);
  const src = regions.sourceClient();
  const dst = regions.targetClient();
  t.teardown(() => { src.destroy(); dst.destroy(); });

  await t.test(`SIGKILL ${KILLS} times under a mixed workload (seed ${seed})`, async (t) => {
    const started = Date.now();
    const random = seeded(seed);
    const port = await freePort();
    const raw = regions.rawConfig({
      listen: `127.0.0.1:${port}`, rules: [RULE], log: { level: 'debug' },
      shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000, concurrency: 4 },
    }) as { journal: { path: string } };
    const journalPath = raw.journal.path;
    const file = writeConfig(regions.dir, raw, 'crash.json');
    const printed: string[][] = [];
    let ferry: FerryProcess = await startFerryProcess(file);
    printed.push(ferry.output);
    t.teardown(() => ferry.kill());

    let stop = false;
    // Four clients over 60 keys: a load RGW answers without falling behind.
    const work = runWorkload({ endpoint: `http://127.0.0.1:${port}`, bucket: 'photos', keys: 60, clients: 4, random,
      retry: true, done: () => stop, bigMultipartEvery: 15, tagEvery: 4 });
    let kills = 0;
    const restartMs: number[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        await sleep(random() < 0.2 ? random() * 150 : 300 + random() * 1200);
        await ferry.kill('SIGKILL');
        kills++;
        const killedAt = Date.now();
        ferry = await startFerryProcess(file);
        restartMs.push(Date.now() - killedAt);
        printed.push(ferry.output);
      }
      await sleep(1_000);
    } finally {
      // Also when a restart fails: the clients must end, or they would retry for ever.
      stop = true;
    }
    const result = await work;
    await waitDrained(journalPath, 120_000);

    const rows = withJournal(journalPath, (db) => db.prepare('SELECT operation, key, created_at FROM changes').all() as ChangeStamp[]);
    const lost = unjournaledAcks(result.acks, rows);
    const counts = journalCounts(journalPath);
    const acked = result.acks.reduce((n, a) => n + a.keys.length, 0);
    t.equal(kills, KILLS, `${kills} kills survived`);
    t.ok(result.acks.length > 20, `${result.acks.length} requests acknowledged (${acked} key changes)`);
    t.same(lost, [], 'every acknowledged change has its journal row');
    t.equal(counts.byState.failed ?? 0, 0, 'no change failed');

    const verify = await runCli(['verify', '--config', file, '--rule', 'photos']);
    t.equal(verify.code, 0, `ferry verify: ${verify.stdout.trim().split('\n').pop()}`);
    const diffs = await compareBuckets(src, 'photos', dst, 'photos-replica');
    t.same(diffs, [], 'bytes, metadata and tags equal key by key');
    const keys = await listKeys(dst, 'photos-replica');
    const tagged = (await Promise.all(keys.map((k) => storedObject(dst, 'photos-replica', k)))).filter((o) => o && Object.keys(o.tags).length);
    t.ok(tagged.length > 0, `${tagged.length} of the ${keys.length} replicas carry tags, compared with the source's`);
    t.same(await uploadsInProgress(dst, 'photos-replica'), [], 'no multipart upload is left in the target bucket');
    const chain = await runCli(['journal', 'verify', '--config', file]);
    t.equal(chain.code, 0, 'the journal chain verifies');
    t.match(chain.stdout, /journal chain OK/);

    t.same(printed.flat().filter((l) => l.includes('"msg":"internal error"')), [], 'Ferry never failed a request itself');
    const leaks = secretLeaks([...printed.flat(), verify.stdout, verify.stderr, chain.stdout].join('\n'), [CLIENT_SECRET, ...regions.secrets]);
    t.same(leaks, [], 'no secret (client or region) in anything Ferry printed');
    t.comment(`FIGURES crash-rgw: seed=${seed} kills=${kills} requestsAcknowledged=${result.acks.length} keyChangesAcknowledged=${acked} ` +
      `clientRequests=${result.requests} retries=${result.retries} finalErrors=${JSON.stringify(result.errors)} ` +
      `journalRows=${counts.rows} states=${JSON.stringify(counts.byState)} journalRowsLost=${lost.length} differences=${diffs.length} ` +
      `replicas=${keys.length} tagged=${tagged.length} restartMs=${JSON.stringify(restartMs)} ` +
      `failures=${JSON.stringify(result.failures.filter((f) => f.name !== 'NoSuchKey').map((f) => `${f.op} ${f.status ?? ''} ${(f.message ?? '').slice(0, 80)}`))} ` +
      `ms=${Date.now() - started}`);
  });

  await t.test('the shipper killed mid multipart copy: after a restart the key ships completely', async (t) => {
    const started = Date.now();
    const proxy = await new FaultProxy(regions.targetEndpoint).start();
    const raw = regions.rawConfig({ rules: [BIG_RULE], log: { level: 'info' },
      shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, multipartThreshold: 5 * MiB, partSize: 5 * MiB } }) as
      { regions: Record<string, { endpoint: string }>; journal: { path: string } };
    raw.regions['cn-sh']!.endpoint = proxy.endpoint;
    const file = writeConfig(regions.dir, raw, 'ship.json');
    const gateway = await startTestFerry(raw, { shipper: false });
    let shipper: FerryProcess | undefined;
    t.teardown(async () => { await shipper?.kill('SIGKILL'); await gateway.stop(); await proxy.stop(); });

    const body = randomBytes(20 * MiB + 12345);
    const s3 = sdkClient(gateway.endpoint);
    await s3.send(new PutObjectCommand({ Bucket: 'big-src', Key: 'big.bin', Body: body, Metadata: { kind: 'big' }, Tagging: 'tier=large' }));
    s3.destroy();
    const parts = () => proxy.log.filter((l) => l.startsWith('PUT /big-replica/big.bin?partNumber=')).length;
    proxy.faults = { stallMs: 700, stallRate: 1, methods: ['PUT'] };
    shipper = await startFerryProcess(file, 'ship');
    await waitFor(() => parts() >= 3, 30_000, 'three parts to reach the target');
    await shipper.kill('SIGKILL');
    const sent = parts();
    t.ok(sent >= 3 && sent < 5, `killed after ${sent} of 5 parts`);
    t.notOk(proxy.log.some((l) => l.startsWith('POST /big-replica/big.bin?uploadId=')), 'before the upload was completed');
    const head = await dst.send(new HeadObjectCommand({ Bucket: 'big-replica', Key: 'big.bin' })).then(() => 200,
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
    t.equal(head, 404, 'the target shows no partial object');
    const left = await uploadsInProgress(dst, 'big-replica');
    t.same(left.map((u) => u.key), ['big.bin'], 'the killed shipper left its upload in progress at the target');
    t.equal(withJournal(raw.journal.path, (db) => (db.prepare("SELECT state FROM changes WHERE key = 'big.bin'").get() as { state: string }).state),
      'pending', 'the change is still pending in the journal');

    // Uploads are aborted at start only when older than shipper.abandonedUploadMs (10 min by default, so a live
    // shipper's upload is never taken for an abandoned one): this one is seconds old, so the restart takes any age.
    proxy.faults = {};
    const ship = raw as { shipper: Record<string, unknown> };
    writeConfig(regions.dir, { ...raw, shipper: { ...ship.shipper, abandonedUploadMs: 0 } }, 'ship.json');
    shipper = await startFerryProcess(file, 'ship');
    await waitDrained(raw.journal.path, 60_000);
    const copy = await storedObject(dst, 'big-replica', 'big.bin');
    t.same([copy?.size, copy?.md5], [body.length, md5(body)], 'the whole object reached the target, byte for byte');
    t.same(await compareBuckets(src, 'big-src', dst, 'big-replica'), [], 'bytes, metadata and tags equal at both ends');
    t.same(copy?.tags, { tier: 'large' }, 'with its tags');
    t.ok(proxy.log.some((l) => l.startsWith('PUT /big-replica/big.bin?partNumber=5&')), 'again as a multipart upload');
    await waitFor(async () => (await uploadsInProgress(dst, 'big-replica')).length === 0, 10_000, 'the abandoned upload to be aborted')
      .catch(() => undefined);
    t.same(await uploadsInProgress(dst, 'big-replica'), [], 'the restarted shipper aborted the abandoned upload: none left in the target bucket');
    t.ok(shipper.output.some((l) => l.includes('aborted multipart uploads left by an earlier shipper')), 'and logged it');
    t.comment(`FIGURES shipper-kill-rgw: partsBeforeKill=${sent} objectBytes=${body.length} ms=${Date.now() - started}`);
  });
});
