import t from 'tap';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, GetObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { md5, regionClient, rawConfig, sdkClient, startRegions, startTestFerry } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';

t.test('the SDK through the gateway, checking what the source stores', async (t) => {
  const regions = await startRegions({ source: ['data'], target: [] });
  const ferry = await startTestFerry(rawConfig(regions));
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const direct = regionClient(regions.source);

  t.test('PutObject with a Buffer body', async (t) => {
    const body = randomBytes(100_000);
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'buf.bin', Body: body, ContentType: 'image/png', Metadata: { owner: 'ann' } }));
    const stored = await storedObject(direct, 'data', 'buf.bin');
    t.equal(stored?.md5, md5(body));
    t.equal(stored?.contentType, 'image/png');
    t.same(stored?.metadata, { owner: 'ann' });
  });

  t.test('PutObject with a stream body (aws-chunked with a trailing checksum) stores the decoded bytes', async (t) => {
    const body = randomBytes(300_000);
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'stream.bin', Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]), ContentLength: body.length }));
    const stored = await storedObject(direct, 'data', 'stream.bin');
    t.equal(stored?.size, body.length);
    t.equal(stored?.md5, md5(body));
  });

  t.test('GetObject and HeadObject return the source answer', async (t) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'buf.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    t.equal(bytes.length, 100_000);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'buf.bin' }));
    t.equal(head.ContentLength, 100_000);
    t.equal(head.Metadata?.owner, 'ann');
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'nope' })).catch((e: Error) => e);
    t.equal((missing as Error).name, 'NoSuchKey');
  });

  t.test('ListObjectsV2 paginates', async (t) => {
    for (let i = 0; i < 7; i++) await s3.send(new PutObjectCommand({ Bucket: 'data', Key: `page/${i}`, Body: `v${i}` }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'page/', MaxKeys: 3, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    t.equal(pages, 3);
    t.same(seen, ['page/0', 'page/1', 'page/2', 'page/3', 'page/4', 'page/5', 'page/6']);
  });

  t.test('CopyObject, tagging, DeleteObject and DeleteObjects', async (t) => {
    await s3.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy.bin', CopySource: 'data/buf.bin' }));
    t.equal((await storedObject(direct, 'data', 'copy.bin'))?.size, 100_000);
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: 'copy.bin', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'copy.bin' }));
    t.same(tags.TagSet, [{ Key: 'k', Value: 'v' }]);
    await s3.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'copy.bin' }));
    t.equal(await storedObject(direct, 'data', 'copy.bin'), null);
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'page/0' }, { Key: 'page/1' }] } }));
    t.equal(res.Deleted?.length, 2);
    t.equal(await storedObject(direct, 'data', 'page/0'), null);
  });

  t.test('lib-storage Upload of 20 MB goes multipart and stores the right bytes', async (t) => {
    const body = randomBytes(20 * 1024 * 1024);
    await new Upload({ client: s3, params: { Bucket: 'data', Key: 'big/20mb.bin', Body: Readable.from([body]) }, partSize: 5 * 1024 * 1024, queueSize: 4 }).done();
    const stored = await storedObject(direct, 'data', 'big/20mb.bin');
    t.equal(stored?.md5, md5(body));
  });
});
