// Read failover: the source region's process is killed (and, later, hung) under a read workload. Shipped keys are
// served from the replica without a failed read, keys whose newest change has not shipped answer 503, changes
// answer 503 and are not journaled, and reads return to the source by themselves once it answers again.
import t from 'tap';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startLocalRegion } from '../../src/regions/s3rver-process.js';
import { md5, rawConfig, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEYS = ['plain.txt', `it's "quoted" & <angled>.txt`, 'tab\there.txt', 'unicode/日本語-é.txt', 'deep/a/b/c.bin'];

async function read(client: S3Client, key: string): Promise<{ status: number; md5?: string; replica?: string; code?: string }> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: key }));
    return { status: 200, md5: md5(Buffer.from(await r.Body!.transformToByteArray())), replica: r.ReplicationStatus };
  } catch (err) {
    const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
    return { status: e.$metadata?.httpStatusCode ?? 0, code: e.name };
  }
}

t.test('reads fail over to the replica while the source is down, and come back', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, {
    rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, failover: 'reads' }],
    upstream: { timeoutMs: 1500, breakerFailures: 2, probeMs: 200 },
    gateway: { idleTimeoutMs: 10_000 },
  });
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); regions.source.child.kill('SIGKILL'); await regions.stop(); });
  const client = sdkClient(ferry.endpoint);
  const bodies = new Map<string, string>();
  for (const [i, key] of KEYS.entries()) {
    const body = `shipped body ${i} ${'x'.repeat(i * 1000)}`;
    bodies.set(key, md5(body));
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: body, ContentType: 'text/plain' }));
  }
  await waitFor(async () => (await ferry.journal.pendingByRule()).length === 0, 20_000, 'the first keys shipped');

  // Newest changes that will not have shipped when the source dies: the shipper is stopped first.
  await ferry.shipper!.stop(true);
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'pending/new.txt', Body: 'never shipped' }));
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: KEYS[0], Body: 'a newer body, not shipped' }));
  await client.send(new DeleteObjectCommand({ Bucket: 'photos', Key: KEYS[4] }));
  const stale = new Set([KEYS[0], KEYS[4], 'pending/new.txt']);
  const fresh = KEYS.filter((k) => !stale.has(k));

  // A read workload over the shipped keys runs across the kill.
  let reading = true;
  const failures: string[] = [];
  let reads = 0;
  let fromReplica = 0;
  const readers = Array.from({ length: 4 }, async (_, n) => {
    for (let i = 0; reading && i < 100_000; i++) {
      const key = fresh[(i + n) % fresh.length]!;
      const r = await read(client, key);
      reads++;
      if (r.status !== 200 || r.md5 !== bodies.get(key)) failures.push(`${key}: ${JSON.stringify(r)}`);
      else if (r.replica === 'REPLICA') fromReplica++;
    }
  });
  await sleep(500);
  const port = regions.source.port;
  const killedAt = Date.now();
  regions.source.child.kill('SIGKILL');
  await regions.source.stop();
  await waitFor(() => ferry.context.sourceHealth.down, 10_000, 'the breaker to open');
  const detectMs = ferry.context.sourceHealth.since! - killedAt;
  await sleep(1_500);
  const journalRows = async () => { let n = 0; for await (const rows of ferry.journal.listChanges({}, [])) n += rows.length; return n; };
  const rowsBefore = await journalRows();

  // Served from the replica, named as the client's bucket.
  const head = await client.send(new HeadObjectCommand({ Bucket: 'photos', Key: KEYS[1] }));
  t.equal(head.ReplicationStatus, 'REPLICA', 'HEAD of a shipped key: served by the replica, marked REPLICA');
  t.equal(head.ContentType, 'text/plain', 'with the metadata the replica holds');
  const listing = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'unicode/' }));
  t.equal(listing.Name, 'photos', 'a listing from the replica names the client\'s bucket');
  t.same(listing.Contents?.map((o) => o.Key), ['unicode/日本語-é.txt'], 'and lists the shipped keys under its prefix');
  const missing = await read(client, 'never/written.txt');
  t.equal(missing.status, 404, 'a key that never existed: 404 from the replica');
  t.equal(missing.code, 'NoSuchKey');

  // Not served stale: the newest change of these keys has not shipped.
  for (const key of stale) {
    const r = await read(client, key);
    t.equal(r.status, 503, `${JSON.stringify(key)}: its newest change has not shipped, so 503 (not the replica's older copy)`);
  }
  const pendingList = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'pending/' })).then(() => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  t.equal(pendingList, 503, 'a listing over an unshipped change: 503');
  const fullList = await client.send(new ListObjectsV2Command({ Bucket: 'photos' })).then(() => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  t.equal(fullList, 503, 'so is a listing of the whole bucket');

  // Changes: 503 at once (the breaker is open), neither forwarded nor journaled.
  const t0 = Date.now();
  const put = await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'during-outage.txt', Body: 'x' })).then(() => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  const putMs = Date.now() - t0;
  t.equal(put, 503, 'a change while the source is down: 503');
  t.ok(putMs < 1_000, `answered without waiting on the dead source (${putMs} ms)`);
  t.equal(await journalRows(), rowsBefore, 'and nothing was journaled');

  // The source restarted on its port: the probe finds it, and reads are its own again.
  regions.source = await startLocalRegion(join(regions.dir, 'cn-bj'), { port, buckets: ['photos'] });
  const restartedAt = Date.now();
  await waitFor(() => !ferry.context.sourceHealth.down, 10_000, 'reads to return to the source');
  const backMs = Date.now() - restartedAt;
  const back = await read(client, KEYS[1]);
  t.equal(back.status, 200);
  t.equal(back.replica, 'COMPLETED', 'once the source answers, reads are its own again (COMPLETED, not REPLICA)');
  reading = false;
  await Promise.all(readers);
  t.same(failures, [], `no failed read of a shipped key across the kill (${reads} reads, ${fromReplica} from the replica)`);
  t.ok(fromReplica > 0, 'some reads were served by the replica');

  // A source that hangs (SIGSTOP: connections accepted, nothing answered).
  regions.source.child.kill('SIGSTOP');
  const hung0 = Date.now();
  const hungRead = await read(client, KEYS[2]);
  const hungMs = Date.now() - hung0;
  t.equal(hungRead.status, 200, 'a hung source: the read is served by the replica after the source\'s timeout');
  t.equal(hungRead.replica, 'REPLICA');
  await read(client, KEYS[3]);
  await waitFor(() => ferry.context.sourceHealth.down, 10_000, 'the breaker to open on timeouts');
  const quick0 = Date.now();
  const quick = await read(client, KEYS[3]);
  const quickMs = Date.now() - quick0;
  t.equal(quick.replica, 'REPLICA');
  t.ok(quickMs < 1_000, `once the source is known down a read costs no timeout (${quickMs} ms, against ${hungMs} ms for the first)`);
  regions.source.child.kill('SIGCONT');
  await waitFor(() => !ferry.context.sourceHealth.down, 10_000, 'the hung source to be probed back');
  t.comment(`FIGURES read-failover: detectMs=${detectMs} reads=${reads} fromReplica=${fromReplica} failedReads=${failures.length} ` +
    `backToSourceAfterRestartMs=${backMs} hungFirstReadMs=${hungMs} knownDownReadMs=${quickMs}`);
});
