// Fault 6: the standalone shipper (`ferry ship`) killed with SIGKILL in the middle of a multipart copy of a
// ~40 MB object (5 MiB parts, the target slowed by the proxy's stalls). The target never shows a partial object,
// and after a restart the key ships completely.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { md5, rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { RULE, memoryOf, waitDrained, withJournal } from '../helpers/faults-world.js';

const MiB = 1024 * 1024;

t.test('the shipper killed mid multipart copy: after a restart the key ships completely', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.target.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], log: { level: 'info' },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, multipartThreshold: 5 * MiB, partSize: 5 * MiB } }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-sh']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const gateway = await startTestFerry(raw, { shipper: false });
  let shipper: FerryProcess | undefined;
  t.teardown(async () => { await shipper?.kill('SIGKILL'); await gateway.stop(); await proxy.stop(); await regions.stop(); });

  const body = randomBytes(40 * MiB + 12345);
  await sdkClient(gateway.endpoint).send(new PutObjectCommand({ Bucket: 'photos', Key: 'big.bin', Body: body }));
  const parts = () => proxy.log.filter((l) => l.startsWith('PUT /photos-replica/big.bin?partNumber=')).length;
  proxy.faults = { stallMs: 700, stallRate: 1, methods: ['PUT'] };
  shipper = await startFerryProcess(file, 'ship');
  await waitFor(() => parts() >= 3, 30_000, 'three parts to reach the target');
  await shipper.kill('SIGKILL');
  const sent = parts();
  t.ok(sent >= 3 && sent < 9, `killed after ${sent} of 9 parts`);
  t.notOk(proxy.log.some((l) => l.startsWith('POST /photos-replica/big.bin?uploadId=')), 'before the upload was completed');
  const dst = regionClient(regions.target);
  const head = await dst.send(new HeadObjectCommand({ Bucket: 'photos-replica', Key: 'big.bin' })).then(() => 200, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  t.equal(head, 404, 'the target shows no partial object');
  t.equal(withJournal(raw.journal.path, (db) => (db.prepare("SELECT state FROM changes WHERE key = 'big.bin'").get() as { state: string }).state),
    'pending', 'the change is still pending in the journal');

  proxy.faults = {};
  shipper = await startFerryProcess(file, 'ship');
  let peakKb = 0;
  const sampler = setInterval(() => { void memoryOf(shipper!.child.pid!).then((m) => { peakKb = Math.max(peakKb, m.peakKb); }, () => {}); }, 100);
  await waitDrained(raw.journal.path, 60_000);
  clearInterval(sampler);
  const copy = await storedObject(dst, 'photos-replica', 'big.bin');
  t.equal(copy?.size, body.length, 'the whole object reached the target');
  t.equal(copy?.md5, md5(body), 'byte for byte');
  t.ok(proxy.log.some((l) => l.startsWith('PUT /photos-replica/big.bin?partNumber=9&')), 'again as a multipart upload');
  t.ok(peakKb < 200 * 1024, `the shipper's peak resident memory stayed at ${Math.round(peakKb / 1024)} MiB for a 40 MiB object`);
  t.comment(`FIGURES shipper-kill: partsBeforeKill=${sent} objectBytes=${body.length} shipperPeakRssMiB=${Math.round(peakKb / 1024)}`);
});
