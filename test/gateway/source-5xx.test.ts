import t from 'tap';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, REPLICA, startClientWorld } from '../helpers/clients-world.js';
import { storedObject } from '../helpers/objects.js';
import { regionClient, waitFor } from '../helpers/world.js';

// A 5xx says nothing of whether the change happened. s3rver shows it: a DeleteObjects that empties a "folder"
// deletes every key, then fails its clean-up (two rmdir race) and answers 500.
t.test('a change the source answers with a 5xx is settled from the source state, not dropped', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const target = regionClient(w.regions.target);
  const keys = ['race/a.txt', 'race/b.txt'];
  for (const key of keys) await w.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  await waitFor(async () => (await Promise.all(keys.map((k) => storedObject(target, REPLICA, k)))).every(Boolean), 20_000, 'replicas');

  const res = await w.s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }))
    .then(() => 200, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  t.comment(`the source answered ${res}`);
  for (const key of keys) t.equal(await w.stored(key), null, `${key} is gone at the source`);
  for (const key of keys) t.notOk(w.journalRows(key).some((r) => r.state === 'rejected'), `${key}: not journaled as rejected`);
  await waitFor(async () => (await Promise.all(keys.map((k) => storedObject(target, REPLICA, k)))).every((o) => o === null),
    20_000, 'the deletions in the target');
  t.pass('the target follows the source');
});
