// The region contract, straight against Ceph RGW 16.2 (two radosgw regions of one cluster), with the AWS SDK and
// with Ferry's own region client. Where RGW differs from S3, the test asserts what RGW does, named as a quirk, so
// that a change of RGW shows up here first.
import t from 'tap';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import aws4 from 'aws4';
import { request } from 'undici';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, GetObjectTaggingCommand, HeadBucketCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, PutObjectTaggingCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { rgwClient, startRgwRegions, type RgwRegion } from '../helpers/rgw-regions.js';
import { S3Region } from '../../src/region/s3-region.js';
import { regionContract } from '../region/region-contract.js';
import { md5 } from '../helpers/world.js';

const BUCKET = 'contract';
/** Empty at the start in both regions, for the shared contract. */
const PORT_BUCKET = 'port-contract';
const ODD_KEYS = ['it\'s "quoted".txt', 'a&b.txt', '<tag>.txt', 'with space.txt', 'unicode/图片/😀.jpg', 'plus+sign=eq?.txt'];

async function text(body: unknown): Promise<string> {
  return (body as { transformToString(): Promise<string> }).transformToString();
}

async function bytesOf(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** The SDK's error, or a failure when the call succeeded. */
async function refusal(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('the request succeeded, a refusal was expected');
}

/** A raw request signed with aws4, to look at exactly what RGW answers. */
async function raw(region: RgwRegion, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) {
  const signed = aws4.sign({ host: `127.0.0.1:${region.port}`, method, path, service: 's3', region: region.name,
    headers: { ...headers, 'x-amz-content-sha256': body ? createHash('sha256').update(body).digest('hex') : 'UNSIGNED-PAYLOAD' }, body },
  { accessKeyId: region.accessKeyId, secretAccessKey: region.secretAccessKey });
  const res = await request(`${region.endpoint}${path}`, { method: method as 'GET', headers: signed.headers as Record<string, string>, body });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

t.test('Ceph RGW 16.2 regions keep the region contract', async (t) => {
  const rgw = await startRgwRegions({ source: [BUCKET, PORT_BUCKET], target: [BUCKET, PORT_BUCKET] });
  t.teardown(() => rgw.stop());
  t.comment(`RGW cluster created and started in ${rgw.startMs} ms`);
  const src = rgwClient(rgw.source);
  const dst = rgwClient(rgw.target);
  // An SDK client with request checksums only where an operation requires them: no aws-chunked bodies.
  const plain = new S3Client({ endpoint: rgw.source.endpoint, region: rgw.source.name, forcePathStyle: true,
    credentials: { accessKeyId: rgw.source.accessKeyId, secretAccessKey: rgw.source.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1 });
  t.teardown(() => { src.destroy(); dst.destroy(); plain.destroy(); });

  t.test('head bucket; each region has its own bucket namespace', async (t) => {
    t.equal((await src.send(new HeadBucketCommand({ Bucket: BUCKET }))).$metadata.httpStatusCode, 200);
    const missing = await refusal(src.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
    t.same([missing.name, missing.status], ['NotFound', 404]);
    await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'only-in-source', Body: 'x' }));
    const other = await refusal(dst.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'only-in-source' })));
    t.equal(other.status, 404, 'the bucket of the same name in the other region is another bucket');
    const list = await dst.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    t.equal(list.KeyCount, 0);
  });

  t.test('quirk: CreateBucket refuses a LocationConstraint that is not the zonegroup api name', async (t) => {
    // The SDK sends the client's region as LocationConstraint; RGW's only zonegroup is "default".
    const r = await refusal(src.send(new CreateBucketCommand({ Bucket: 'located' })));
    t.same([r.name, r.status], ['InvalidLocationConstraint', 400]);
  });

  t.test('put with metadata and tags, head, get, tags', async (t) => {
    const body = Buffer.from('hello from the contract test');
    const put = await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: body, ContentType: 'text/plain',
      CacheControl: 'max-age=60', ContentDisposition: 'inline', ContentLanguage: 'en', Metadata: { who: 'contract', 'two-words': 'a b' },
      Tagging: 'team=blue&env=test' }));
    t.equal(put.ETag, `"${md5(body)}"`, 'a single-part ETag is the quoted MD5');
    const head = await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
    t.equal(head.ETag, put.ETag);
    t.equal(head.ContentLength, body.length);
    t.equal(head.ContentType, 'text/plain');
    t.equal(head.CacheControl, 'max-age=60');
    t.equal(head.ContentDisposition, 'inline');
    t.equal(head.ContentLanguage, 'en');
    t.same(head.Metadata, { who: 'contract', 'two-words': 'a b' });
    t.equal(head.TagCount, 2);
    const tags = await src.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
    t.same(Object.fromEntries(tags.TagSet!.map((x) => [x.Key, x.Value])), { team: 'blue', env: 'test' });
    await src.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'meta.txt', Tagging: { TagSet: [{ Key: 'k&<>"', Value: 'v é' }] } }));
    const after = await src.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
    t.same(after.TagSet, [{ Key: 'k&<>"', Value: 'v é' }], 'tag keys and values with XML characters round-trip');
    const get = await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
    t.equal(await text(get.Body), body.toString());
    t.same(get.Metadata, head.Metadata);
    const overwritten = await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: 'new' }));
    t.not(overwritten.ETag, put.ETag);
    t.same((await src.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'meta.txt' }))).TagSet, [], 'an overwrite drops the tags');
    t.same((await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }))).Metadata, {}, 'and the metadata');
  });

  t.test('get with If-Match and Range', async (t) => {
    const body = randomBytes(10_000);
    const { ETag } = await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.bin', Body: body }));
    const part = await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.bin', IfMatch: ETag, Range: 'bytes=100-1099' }));
    t.equal(part.$metadata.httpStatusCode, 206);
    t.equal(part.ContentRange, 'bytes 100-1099/10000');
    t.equal(part.ETag, ETag);
    t.ok((await bytesOf(part.Body)).equals(body.subarray(100, 1100)), 'the range has the right bytes');
    const unquoted = await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.bin', IfMatch: ETag!.replace(/"/g, ''), Range: 'bytes=0-0' }));
    t.equal(unquoted.$metadata.httpStatusCode, 206, 'GET takes If-Match quoted or not');
    await bytesOf(unquoted.Body);
    const stale = await refusal(src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.bin', IfMatch: '"00000000000000000000000000000000"' })));
    t.same([stale.name, stale.status], ['PreconditionFailed', 412]);
    const notModified = await refusal(src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.bin', IfNoneMatch: ETag })));
    t.equal(notModified.status, 304);
    const gone = await refusal(src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'no/such/key' })));
    t.same([gone.name, gone.status], ['NoSuchKey', 404]);
  });

  t.test('quirk: error documents carry an empty <Message/>', async (t) => {
    const r = await raw(rgw.source, 'GET', `/${BUCKET}/no-such-key`);
    t.equal(r.status, 404);
    t.match(r.body, /<Error><Code>NoSuchKey<\/Code><Message><\/Message>/);
    t.match(r.body, /<RequestId>tx[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-default<\/RequestId>/);
    const badSig = await raw({ ...rgw.source, secretAccessKey: 'not-the-secret' }, 'GET', `/${BUCKET}/meta.txt`);
    t.equal(badSig.status, 403, 'SigV4 is checked (the cluster itself runs with auth none)');
    t.match(badSig.body, /<Code>SignatureDoesNotMatch<\/Code><Message><\/Message>/);
    // So the SDK has no message to show.
    const sdk = await refusal(src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'no-such-key' })));
    t.equal(sdk.message, 'UnknownError');
  });

  t.test('quirk: If-Match on PUT matches only an unquoted ETag (If-None-Match: * works)', async (t) => {
    const { ETag } = await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas.txt', Body: 'v1' }));
    const quoted = await refusal(src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas.txt', Body: 'v2', IfMatch: ETag })));
    t.same([quoted.name, quoted.status], ['PreconditionFailed', 412], 'the quoted ETag, as S3 takes it, is refused');
    const ok = await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas.txt', Body: 'v2', IfMatch: ETag!.replace(/"/g, '') }));
    t.equal(ok.ETag, `"${md5('v2')}"`);
    const stale = await refusal(src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas.txt', Body: 'v3', IfMatch: ETag!.replace(/"/g, '') })));
    t.equal(stale.status, 412, 'an unquoted stale ETag is refused');
    const noneMatch = await raw(rgw.source, 'PUT', `/${BUCKET}/cas.txt`, { 'if-none-match': '*', 'content-length': '2' }, Buffer.from('v4'));
    t.match([noneMatch.status, noneMatch.body], [412, /<Code>PreconditionFailed<\/Code>/], 'If-None-Match: * refuses an existing key');
    const sdkNoneMatch = await refusal(src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas.txt', Body: 'v5', IfNoneMatch: '*' })));
    t.equal(sdkNoneMatch.status, 412, 'from the SDK too');
    t.equal(await text((await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cas.txt' }))).Body), 'v2', 'the object is unchanged');
  });

  t.test('quirk: a streaming upload with a trailing checksum (the SDK default for streams) is refused with 411', async (t) => {
    const body = Buffer.from('a stream body');
    const r = await refusal(src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'stream.txt', Body: Readable.from([body]), ContentLength: body.length })));
    t.same([r.name, r.status], ['MissingContentLength', 411]);
    const notThere = await refusal(src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stream.txt' })));
    t.equal(notThere.status, 404);
    // Without the trailing checksum the same stream is taken.
    await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'stream.txt', Body: Readable.from([body]), ContentLength: body.length }));
    t.equal(await text((await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream.txt' }))).Body), body.toString());
  });

  t.test('delete and multi-delete', async (t) => {
    await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/1', Body: '1' }));
    await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/2', Body: '2' }));
    await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/3', Body: '3' }));
    t.equal((await src.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/1' }))).$metadata.httpStatusCode, 204);
    t.equal((await src.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/1' }))).$metadata.httpStatusCode, 204, 'deleting a missing key is a 204');
    const multi = await src.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/3' }, { Key: 'del/none' }] } }));
    t.same(multi.Deleted!.map((d) => d.Key).sort(), ['del/2', 'del/3', 'del/none'], 'a missing key is reported deleted');
    t.same(multi.Errors ?? [], []);
    const quiet = await src.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Quiet: true, Objects: [{ Key: 'del/none' }] } }));
    t.same(quiet.Deleted ?? [], [], 'quiet mode lists nothing');
    t.equal((await src.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'del/' }))).KeyCount, 0);
  });

  t.test('multipart: create, upload, list parts and uploads, complete, abort', async (t) => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1234);
    const mp = await src.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/big.bin', ContentType: 'application/x-mp', Metadata: { m: '1' } }));
    t.ok(mp.UploadId);
    const rawCreate = await raw(rgw.source, 'POST', `/${BUCKET}/mp/raw.bin?uploads`);
    t.match(rawCreate.body, new RegExp(`<Tenant>${rgw.source.tenant}</Tenant><Bucket>${BUCKET}</Bucket>`), 'quirk: the InitiateMultipartUploadResult names the tenant');
    const rawId = /<UploadId>([^<]+)<\/UploadId>/.exec(rawCreate.body)![1]!;
    t.equal((await raw(rgw.source, 'DELETE', `/${BUCKET}/mp/raw.bin?uploadId=${encodeURIComponent(rawId)}`)).status, 204);
    const p1 = await src.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/big.bin', UploadId: mp.UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await src.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/big.bin', UploadId: mp.UploadId, PartNumber: 2, Body: part2 }));
    t.equal(p1.ETag, `"${md5(part1)}"`);
    const parts = await src.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mp/big.bin', UploadId: mp.UploadId }));
    t.same(parts.Parts!.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, p1.ETag, part1.length], [2, p2.ETag, part2.length]]);
    const uploads = await src.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    t.same(uploads.Uploads!.map((u) => [u.Key, u.UploadId]), [['mp/big.bin', mp.UploadId]]);
    const done = await src.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/big.bin', UploadId: mp.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
    const expected = `"${createHash('md5').update(Buffer.concat([Buffer.from(md5(part1), 'hex'), Buffer.from(md5(part2), 'hex')])).digest('hex')}-2"`;
    t.equal(done.ETag, '', 'quirk: the CompleteMultipartUpload answer has an empty <ETag/>');
    t.match(done.Location, new RegExp(`/${rgw.source.tenant}:${BUCKET}/mp/big\\.bin$`), 'quirk: its Location names the tenant');
    const rawDone = await raw(rgw.source, 'GET', `/${BUCKET}?uploads`);
    t.notMatch(rawDone.body, /<Upload>/, 'no upload is left in progress');
    const head = await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mp/big.bin' }));
    t.equal(head.ETag, expected, 'HEAD gives the multipart ETag (MD5 of the part MD5s, "-2")');
    t.equal(head.ContentLength, part1.length + part2.length);
    t.equal(head.ContentType, 'application/x-mp');
    t.same(head.Metadata, { m: '1' });
    const got = await bytesOf((await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'mp/big.bin' }))).Body);
    t.equal(md5(got), md5(Buffer.concat([part1, part2])));

    const tagged = await src.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin', Tagging: 'tier=large' }));
    const tp = await src.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin', UploadId: tagged.UploadId, PartNumber: 1, Body: part2 }));
    await src.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin', UploadId: tagged.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: tp.ETag }] } }));
    const taggedHead = await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin' }));
    t.equal(taggedHead.TagCount ?? 0, 0, 'quirk: tags given to CreateMultipartUpload are not kept');
    const taggedTags = await raw(rgw.source, 'GET', `/${BUCKET}/mp/tagged.bin?tagging`);
    t.same([taggedTags.status, taggedTags.body], [200, ''], 'quirk: and GetObjectTagging then answers 200 with an empty body');
    const port = new S3Region(rgw.source.name, { endpoint: rgw.source.endpoint, accessKeyId: rgw.source.accessKeyId,
      secretAccessKey: rgw.source.secretAccessKey, signingRegion: rgw.source.name });
    t.same(await port.getTags(BUCKET, 'mp/tagged.bin'), [], "which Ferry's Region port reads as no tags");
    await port.close();
    await src.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin', Tagging: { TagSet: [{ Key: 'tier', Value: 'large' }] } }));
    t.same((await src.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'mp/tagged.bin' }))).TagSet, [{ Key: 'tier', Value: 'large' }],
      'PutObjectTagging afterwards works');

    const mp2 = await src.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin' }));
    await src.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin', UploadId: mp2.UploadId, PartNumber: 1, Body: part2 }));
    const aborted = await src.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin', UploadId: mp2.UploadId }));
    t.equal(aborted.$metadata.httpStatusCode, 204);
    const listAfter = await refusal(src.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin', UploadId: mp2.UploadId })));
    t.same([listAfter.name, listAfter.status], ['NoSuchKey', 404], 'quirk: ListParts of an aborted upload answers NoSuchKey, not NoSuchUpload');
    const partAfter = await refusal(src.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin', UploadId: mp2.UploadId, PartNumber: 2, Body: part2 })));
    t.equal(partAfter.status, 404, 'no part can be added after the abort');
    const again = await refusal(src.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/aborted.bin', UploadId: mp2.UploadId })));
    t.same([again.name, again.status], ['NoSuchUpload', 404], 'a second abort answers NoSuchUpload');
    t.equal((await src.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? undefined, undefined);
  });

  t.test('copy object keeps metadata, or replaces it', async (t) => {
    await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/from', Body: 'copied', ContentType: 'text/x-a', Metadata: { a: '1' } }));
    const copied = await src.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/to', CopySource: `${BUCKET}/copy/from` }));
    t.equal(copied.CopyObjectResult?.ETag, md5('copied'), 'quirk: the CopyObjectResult ETag is not quoted');
    t.equal(copied.$metadata.httpStatusCode, 200);
    const rawCopy = await raw(rgw.source, 'PUT', `/${BUCKET}/copy/raw`, { 'x-amz-copy-source': `/${BUCKET}/copy/from` });
    t.equal(rawCopy.headers.etag, undefined, 'quirk: and the copy answer has no ETag header');
    t.match(rawCopy.body, new RegExp(`<ETag>${md5('copied')}</ETag>`));
    const head = await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/to' }));
    t.same([head.ContentType, head.Metadata], ['text/x-a', { a: '1' }]);
    await src.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/to', CopySource: `${BUCKET}/copy/from`, MetadataDirective: 'REPLACE',
      ContentType: 'text/x-b', Metadata: { b: '2' } }));
    const replaced = await src.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/to' }));
    t.same([replaced.ContentType, replaced.Metadata], ['text/x-b', { b: '2' }]);
  });

  t.test('list v1 and v2: prefixes, delimiters, pages and odd keys', async (t) => {
    for (const key of ODD_KEYS) await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: `odd/${key}`, Body: key }));
    for (let i = 0; i < 5; i++) await src.send(new PutObjectCommand({ Bucket: BUCKET, Key: `page/${i}`, Body: String(i) }));
    const v2 = await src.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd/' }));
    t.same(v2.Contents!.map((o) => o.Key), ODD_KEYS.map((k) => `odd/${k}`).sort(), 'odd keys list back as they were written, in byte order');
    const v1 = await src.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'odd/' }));
    t.same(v1.Contents!.map((o) => o.Key), v2.Contents!.map((o) => o.Key));
    const dirs = await src.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', Prefix: '' }));
    t.ok(dirs.CommonPrefixes!.some((p) => p.Prefix === 'odd/') && dirs.CommonPrefixes!.some((p) => p.Prefix === 'page/'));
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await src.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'page/', MaxKeys: 2, ContinuationToken: token }));
      seen.push(...page.Contents!.map((o) => o.Key!));
      token = page.NextContinuationToken;
      if (!page.IsTruncated) break;
    }
    t.same(seen, ['page/0', 'page/1', 'page/2', 'page/3', 'page/4'], 'v2 pages with continuation tokens');
    const m1 = await src.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'page/', MaxKeys: 3 }));
    t.equal(m1.IsTruncated, true);
    const m2 = await src.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'page/', Marker: m1.Contents!.at(-1)!.Key }));
    t.same(m2.Contents!.map((o) => o.Key), ['page/3', 'page/4'], 'v1 pages with markers');
    const encoded = await raw(rgw.source, 'GET', `/${BUCKET}?list-type=2&prefix=odd%2F&encoding-type=url`);
    t.match(encoded.body, /<EncodingType>url<\/EncodingType>/);
    t.match(encoded.body, /<Key>odd%2Fa%26b.txt<\/Key>/, 'encoding-type=url encodes keys (and the slash)');
  });

  t.test("Ferry's Region port (what the shipper, verify and resync use) keeps the shared region contract", async (t) => {
    for (const r of [rgw.source, rgw.target]) {
      const region = new S3Region(r.name, { endpoint: r.endpoint, accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey, signingRegion: r.name });
      t.teardown(() => region.close());
      t.test(`${r.name} (radosgw on port ${r.port})`, (t) => regionContract(t, region, PORT_BUCKET));
    }
  });
});
