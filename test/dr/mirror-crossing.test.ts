// Two mirror copies that cross: each side's shipper copies its own write of one key into the other bucket, and each
// copy lands after the other side's shipper has already read its own bucket. Each bucket then holds the other's
// copy. Both sides must notice and settle on the later write, as they do when the copies do not cross.
import t from 'tap';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { sleep } from '../helpers/faults-world.js';

// undefined when the read failed, in the request or in the body (s3rver resets a GET whose file a shipper's PUT is
// rewriting), so a waitFor simply looks again.
const text = (c: S3Client, bucket: string, key: string) => c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  .then(async (r) => Buffer.from(await r.Body!.transformToByteArray()).toString())
  .catch(() => undefined);

t.test('copies that cross between the two buckets of a mirror pair settle on the later write', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  // Each gateway reaches the other side's region through a proxy that holds its first PUT (the shipper's copy) for
  // 1.5 s, long enough for the other side's shipper to read its own bucket before the copy lands there.
  const toSh = await new FaultProxy(regions.target.endpoint).start();
  const toBj = await new FaultProxy(regions.source.endpoint).start();
  toSh.faults = toBj.faults = { holdMs: 1_500, methods: ['PUT'], limit: 1 };
  const base = rawConfig(regions);
  const regionsVia = (name: string, endpoint: string) => {
    const all = base.regions as Record<string, Record<string, string>>;
    return { ...all, [name]: { ...all[name]!, endpoint } };
  };
  const a = await startTestFerry({ ...base, source: 'cn-bj', regions: regionsVia('cn-sh', toSh.endpoint),
    rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, mirror: true }] });
  const b = await startTestFerry({ ...rawConfig(regions), source: 'cn-sh', regions: regionsVia('cn-bj', toBj.endpoint),
    rules: [{ id: 'photos-back', source: 'photos-replica', target: { region: 'cn-bj', bucket: 'photos' }, mirror: true }] });
  t.teardown(async () => {
    await a.stop();
    await b.stop();
    await toSh.stop();
    await toBj.stop();
    await regions.stop();
  });

  const key = 'crossing/it\'s & <both>.txt';
  await sdkClient(b.endpoint).send(new PutObjectCommand({ Bucket: 'photos-replica', Key: key, Body: 'earlier, in b' }));
  // More than a second later (Last-Modified counts seconds), while b's copy is held on its way to a.
  await sleep(1_100);
  await sdkClient(a.endpoint).send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: 'later, in a' }));

  const bj = regionClient(regions.source);
  const sh = regionClient(regions.target);
  let seen: Array<string | undefined> = [];
  await waitFor(async () => {
    seen = [await text(bj, 'photos', key), await text(sh, 'photos-replica', key)];
    return seen[0] === 'later, in a' && seen[1] === 'later, in a';
  }, 15_000, 'both buckets to hold the later write').catch(() => {});
  t.equal(toSh.injected + toBj.injected, 2, 'both copies were held, so they crossed');
  t.same(seen, ['later, in a', 'later, in a'], 'both buckets hold the later write');
  // And they stay so: nothing goes on copying the key back and forth.
  await sleep(1_500);
  t.same([await text(bj, 'photos', key), await text(sh, 'photos-replica', key)], ['later, in a', 'later, in a'], 'still so afterwards');
});
