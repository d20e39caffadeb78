import t from 'tap';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, DeleteObjectsCommand, PutObjectCommand, PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets, storedObject } from '../helpers/objects.js';
import { journalDb } from '../helpers/journal-sql.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('changes through the gateway reach the target region', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const ferry = await startTestFerry(rawConfig(regions, { rules: [RULE] }));
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const src = regionClient(regions.source);
  const dst = regionClient(regions.target);
  const drained = () => waitFor(() => (journalDb(ferry.journal).prepare('SELECT count(*) AS n FROM queue').get() as { n: number }).n === 0
    && (journalDb(ferry.journal).prepare("SELECT count(*) AS n FROM changes WHERE state IN ('intent','pending')").get() as { n: number }).n === 0,
  60_000, 'the journal to drain');
  const converged = async (tt: Tap.Test) => {
    await drained();
    tt.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'target equals source');
  };

  t.test('put, overwrite, zero bytes, odd keys, metadata', async (t) => {
    const keys = ['plain.txt', 'with space.txt', 'plus+sign.txt', 'unicode/图片/😀.jpg', 'deep/a/b/c/d/e/f/g.txt', 'empty'];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: key === 'empty' ? '' : `body of ${key}`,
        ContentType: 'text/plain', CacheControl: 'max-age=60', ContentDisposition: 'inline', Metadata: { who: 'test' } }));
    }
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'plain.txt', Body: 'overwritten', ContentType: 'text/x-other' }));
    await converged(t);
    t.equal((await storedObject(dst, 'photos-replica', 'plain.txt'))?.contentType, 'text/x-other');
    t.equal((await storedObject(dst, 'photos-replica', 'empty'))?.size, 0);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'plain.txt' }));
    t.equal(head.ReplicationStatus, 'COMPLETED', 'HEAD through Ferry reports the replication status');
  });

  t.test('copy, tag change, delete and multi-delete', async (t) => {
    await s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copied.txt', CopySource: 'photos/with%20space.txt' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'copied.txt', Tagging: { TagSet: [{ Key: 'team', Value: 'blue' }] } }));
    await converged(t);
    t.same((await storedObject(dst, 'photos-replica', 'copied.txt'))?.tags, { team: 'blue' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'plus+sign.txt' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: 'empty' }, { Key: 'deep/a/b/c/d/e/f/g.txt' }] } }));
    await converged(t);
    t.equal(await storedObject(dst, 'photos-replica', 'plus+sign.txt'), null);
    t.equal(await storedObject(dst, 'photos-replica', 'empty'), null);
    const ops = journalDb(ferry.journal).prepare("SELECT operation, key, state FROM changes WHERE operation = 'DeleteObjects' ORDER BY seq").all();
    t.same(ops, [{ operation: 'DeleteObjects', key: 'empty', state: 'shipped' }, { operation: 'DeleteObjects', key: 'deep/a/b/c/d/e/f/g.txt', state: 'shipped' }]);
  });

  t.test('a 20 MB multipart upload from lib-storage ships as multipart', async (t) => {
    const body = randomBytes(20 * 1024 * 1024 + 123);
    await new Upload({ client: s3, params: { Bucket: 'photos', Key: 'big/20mb.bin', Body: Readable.from([body]), ContentType: 'application/x-big' }, partSize: 5 * 1024 * 1024 }).done();
    await converged(t);
    const row = journalDb(ferry.journal).prepare("SELECT operation, state, etag FROM changes WHERE key = 'big/20mb.bin'").get() as { operation: string; state: string };
    t.equal(row.operation, 'CompleteMultipartUpload');
    t.equal(row.state, 'shipped');
  });

  t.test('500 mixed changes from 8 concurrent clients converge', async (t) => {
    let n = 0;
    // Each client owns five keys: s3rver is not atomic, so two writers of one key at once can leave a source
    // object whose bytes contradict its ETag (S3 would not). The clients still run concurrently.
    const worker = async (w: number) => {
      const client = sdkClient(ferry.endpoint);
      const own = (j: number) => `mixed/${w}-${j % 5}`;
      for (let i = 0; i < 63 && n < 500; i++, n++) {
        const key = own(i);
        const roll = (w + i) % 5;
        if (roll === 4) await client.send(new DeleteObjectCommand({ Bucket: 'photos', Key: key }));
        else if (roll === 3) await client.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: key }, { Key: own(i + 1) }] } }));
        else await client.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: randomBytes(1000 + ((w * i) % 5000)) }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await converged(t);
  });
});
