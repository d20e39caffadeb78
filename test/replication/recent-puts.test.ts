// A small PUT's bytes go from the gateway to the shipper of the same process: the shipper copies them without a GET
// of the source, and the copy is as exact as one read back (bytes, system metadata, x-amz-meta-*, tags). The held
// state is checked like any read one: a source changed around Ferry before the last look ships again from the source.
import t from 'tap';
import { PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { openJournalFile } from '../helpers/journal-sql.js';
import { storedObject } from '../helpers/objects.js';
import { encodeKey, plainPut, send } from '../helpers/clients-raw.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

async function world(t: Tap.Test) {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  t.teardown(async () => { await proxy.stop(); await regions.stop(); });
  const raw = rawConfig(regions, { rules: [RULE] }) as { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(() => ferry.stop());
  const db = openJournalFile(raw.journal.path);
  t.teardown(() => db.close());
  const client = sdkClient(ferry.endpoint);
  const src = regionClient(regions.source);
  const dst = regionClient(regions.target);
  t.teardown(() => { client.destroy(); src.destroy(); dst.destroy(); });
  const shipped = (key: string) => db.prepare("SELECT count(*) FROM changes WHERE key = ? AND state = 'shipped'").pluck().get(key) as number;
  // The shipper's reads of an object's bytes: GETs of the key at the source that are not tag reads.
  const gets = (key: string) => proxy.log.filter((l) => {
    const [method, url] = l.split(' ');
    const [path, query = ''] = url!.split('?');
    return method === 'GET' && decodeURIComponent(path!) === `/photos/${key}` && !/(^|&)tagging(=|&|$)/.test(query);
  }).length;
  return { regions, proxy, ferry, db, client, src, dst, shipped, gets };
}

t.test('small PUTs ship from the bytes the gateway forwarded, with no GET of the source, and arrive exact', async (t) => {
  const w = await world(t);
  const keys = ['held/plain.txt', 'held/a&b<c "q"', "held/it's ü/東京", 'held/tab\there', 'held/ctl\u0001\u001f'];
  const bodies = new Map(keys.map((k, i) => [k, randomBytes(1000 + i * 3000)]));
  for (const key of keys) {
    await w.client.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: bodies.get(key), ContentType: 'text/x-ferry; charset=utf-8',
      CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="a&b.txt"',
      Metadata: { colour: 'blue & <green>', 'note-two': "it's \"quoted\"" }, Tagging: 'team=a%26b&stage=%3Cone%3E' }));
  }
  await waitFor(() => keys.every((k) => w.shipped(k) === 1), 30_000, 'the PUTs to ship');
  for (const key of keys) {
    const [a, b] = await Promise.all([storedObject(w.src, 'photos', key), storedObject(w.dst, 'photos-replica', key)]);
    t.ok(a && a.size === bodies.get(key)!.length, `${JSON.stringify(key)}: the source holds the bytes sent`);
    t.same(b, a, `${JSON.stringify(key)}: the replica equals the source (bytes, type, metadata, tags)`);
    t.equal(w.gets(key), 0, `${JSON.stringify(key)}: the shipper did not read the bytes back from the source`);
  }

  // A PUT that names no Content-Type (the SDK always names one; a plain HTTP client need not) gets the source's
  // own; the first such copy's last look teaches it (that key ships again, read from the source), and the next
  // ones are held with it.
  const untyped = ['untyped/one', 'untyped/two', 'untyped/three'];
  const port = w.ferry.address!.port;
  for (const key of untyped) {
    const put = plainPut(port, `/photos/${encodeKey(key)}`, randomBytes(2048));
    t.notOk(Object.keys(put.headers).some((h) => h.toLowerCase() === 'content-type'), `${key}: the PUT names no Content-Type`);
    t.equal((await send(port, put)).status, 200);
    await waitFor(() => w.shipped(key) === 1, 30_000, `${key} to ship`);
  }
  for (const key of untyped) {
    const [a, b] = await Promise.all([storedObject(w.src, 'photos', key), storedObject(w.dst, 'photos-replica', key)]);
    t.ok(a?.contentType, `${key}: the source gave it a Content-Type of its own (${a?.contentType})`);
    t.same(b, a, `${key}: the replica equals the source`);
  }
  t.equal(w.gets('untyped/one'), 1, 'the first untyped PUT shipped again, read from the source');
  t.equal(w.gets('untyped/two') + w.gets('untyped/three'), 0, 'once learned, untyped PUTs ship without a GET too');

  // Above the size the gateway verifies whole, a body streams through and the shipper reads it from the source.
  const big = randomBytes(300 * 1024);
  await w.client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'streamed/big', Body: big, ContentType: 'application/x-big' }));
  await waitFor(() => w.shipped('streamed/big') === 1, 30_000, 'the large PUT to ship');
  t.same(await storedObject(w.dst, 'photos-replica', 'streamed/big'), await storedObject(w.src, 'photos', 'streamed/big'), 'the streamed PUT arrives exact');
  t.ok(w.gets('streamed/big') >= 1, 'and was read from the source');
});

t.test('a source changed around Ferry before the last look: the held bytes do not stand, the key ships again from the source', async (t) => {
  const w = await world(t);
  // The last look (a HEAD of the source) is held back until the object has been replaced behind Ferry's back.
  let release!: () => void;
  w.proxy.faults = { methods: ['HEAD'], holdUntil: new Promise<void>((r) => { release = r; }), limit: 1 };
  await w.client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'moved/k', Body: 'through Ferry', ContentType: 'text/plain' }));
  await waitFor(() => w.proxy.injected === 1, 10_000, 'the last look to be held');
  await w.src.send(new PutObjectCommand({ Bucket: 'photos', Key: 'moved/k', Body: 'around Ferry, later', ContentType: 'text/csv' }));
  await w.src.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'moved/k', Tagging: { TagSet: [{ Key: 'late', Value: 'yes' }] } }));
  release();
  await waitFor(() => w.shipped('moved/k') === 1, 30_000, 'the key to ship');
  const b = await storedObject(w.dst, 'photos-replica', 'moved/k');
  t.same(b, await storedObject(w.src, 'photos', 'moved/k'), 'the replica is the source as it is now, not the held bytes');
  t.equal(b?.contentType, 'text/csv');
  t.ok(w.gets('moved/k') >= 1, 'the second copy read the source');
});
