// The behaviour every Region must show, whatever server is behind it: one suite, run against s3rver (and through
// the fault proxy), and against Ceph RGW (test/rgw/). A quirk a server has is named where the suite allows it.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Region } from '../../src/region/region.js';
import { RegionError } from '../../src/region/region-error.js';

export interface ServerQuirks {
  /** s3rver has no ListParts, ListMultipartUploads or AbortMultipartUpload. */
  noMultipartListing?: boolean;
  /** s3rver does not check Content-MD5 (the shipper checks the bytes it streams itself). */
  noContentMd5Check?: boolean;
  /** s3rver writes tag keys and values into its XML unescaped. */
  unescapedTagXml?: boolean;
  /** s3rver ignores x-amz-tagging on a PUT, and keeps an object's tags when it is overwritten. */
  noTagsOnPut?: boolean;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const bytes = async (r: Readable) => { const out: Buffer[] = []; for await (const c of r) out.push(c as Buffer); return Buffer.concat(out); };

async function rejectsKind(t: Tap.Test, p: Promise<unknown>, kind: string, what: string): Promise<void> {
  try {
    await p;
    t.fail(`${what}: resolved`);
  } catch (err) {
    t.ok(err instanceof RegionError, `${what}: a RegionError`);
    t.equal((err as RegionError).kind, kind, `${what}: ${kind}`);
  }
}

/** Runs the contract against `region`, whose bucket `bucket` exists and is empty. */
export async function regionContract(t: Tap.Test, region: Region, bucket: string, quirks: ServerQuirks = {}): Promise<void> {
  t.test('buckets and ping', async (t) => {
    await region.ping();
    t.equal(await region.headBucket(bucket), true);
    t.equal(await region.headBucket(`missing-${randomBytes(4).toString('hex')}`), false);
  });

  t.test('put, head, get (whole, range, If-Match), delete', async (t) => {
    const key = "contract/it's & <odd> ünï 😀.bin";
    t.equal(await region.head(bucket, key), null, 'absent: null');
    await rejectsKind(t, region.get(bucket, key, {}), 'not-found', 'GET of an absent key');
    const body = randomBytes(100_000);
    const metadata = { 'content-type': 'application/x-contract', 'cache-control': 'max-age=7', 'x-amz-meta-who': 'contract' };
    await region.put(bucket, key, { body: Readable.from([body]), length: body.length, md5: md5(body), metadata });
    const state = await region.head(bucket, key);
    t.equal(state?.size, body.length);
    t.equal(state?.md5, md5(body), 'a single-part ETag is the MD5 of the bytes');
    t.match(state?.metadata, metadata, 'metadata round-trips');
    const whole = await region.get(bucket, key, { ifMatch: state!.etag });
    t.equal(whole.etag, state!.etag);
    t.same({ ...whole.state, lastModified: undefined }, { ...state, lastModified: undefined }, "the GET's state is the HEAD's");
    t.ok((await bytes(whole.body)).equals(body), 'bytes round-trip');
    const range = await region.get(bucket, key, { ifMatch: state!.etag, range: 'bytes=10-19' });
    t.equal(range.state.size, body.length, "a range's state names the object's size");
    t.ok((await bytes(range.body)).equals(body.subarray(10, 20)), 'a range');
    await rejectsKind(t, region.get(bucket, key, { ifMatch: '"00000000000000000000000000000000"' }), 'precondition-failed', 'GET If-Match another ETag');
    if (!quirks.noContentMd5Check) {
      await rejectsKind(t, region.put(bucket, `${key}.bad`, { body: Buffer.from('abc'), length: 3, md5: md5(Buffer.from('abd')), metadata: {} }),
        's3', 'a body that contradicts its Content-MD5');
    }
    await region.delete(bucket, key);
    t.equal(await region.head(bucket, key), null, 'deleted');
    await region.delete(bucket, key);
    t.pass('deleting an absent key is no error');
  });

  t.test('tags', async (t) => {
    const key = 'contract/tags.txt';
    t.same(await region.getTags(bucket, key), [], 'an absent object has none');
    await region.put(bucket, key, { body: Buffer.from('t'), length: 1, metadata: {} });
    const tags = [{ Key: 'team', Value: quirks.unescapedTagXml ? 'blue green' : 'blue & <green>' }, { Key: 'ünï', Value: '' }];
    await region.putTags(bucket, key, tags);
    t.same([...(await region.getTags(bucket, key))].sort((a, b) => (a.Key < b.Key ? -1 : 1)), tags);
    // The shipper learns these two ways of a region from its answers (RegionTraits); both must be told apart.
    const put = [{ Key: 'put', Value: 'with the object' }];
    await region.put(bucket, key, { body: Buffer.from('u'), length: 1, metadata: {}, tags: put });
    t.same(await region.getTags(bucket, key), quirks.noTagsOnPut ? tags.sort((a, b) => (a.Key < b.Key ? -1 : 1)) : put,
      quirks.noTagsOnPut ? 'x-amz-tagging ignored, the old tags kept' : 'x-amz-tagging replaces the tags');
    await region.put(bucket, key, { body: Buffer.from('v'), length: 1, metadata: {} });
    t.same((await region.getTags(bucket, key)).length, quirks.noTagsOnPut ? tags.length : 0,
      quirks.noTagsOnPut ? 'an overwrite keeps the old tags' : 'an overwrite drops the tags');
    await region.delete(bucket, key);
  });

  t.test('multipart', async (t) => {
    const key = 'contract/multi part.bin';
    const first = randomBytes(5 * 1024 * 1024);
    const second = randomBytes(1234);
    const uploadId = await region.createMultipart(bucket, key, { 'content-type': 'application/x-multi' });
    t.ok(uploadId, 'an upload id');
    const parts = [
      { partNumber: 1, etag: await region.uploadPart(bucket, key, uploadId, 1, first) },
      { partNumber: 2, etag: await region.uploadPart(bucket, key, uploadId, 2, second) },
    ];
    if (!quirks.noMultipartListing) {
      t.same((await region.listParts(bucket, key, uploadId)).map((p) => [p.partNumber, p.size]), [[1, first.length], [2, second.length]]);
      t.ok((await region.listMultipartUploads(bucket, 'contract/')).some((u) => u.uploadId === uploadId), 'listed while open');
    }
    await region.completeMultipart(bucket, key, uploadId, parts);
    const state = await region.head(bucket, key);
    t.equal(state?.size, first.length + second.length);
    t.equal(state?.metadata['content-type'], 'application/x-multi');
    const got = await region.get(bucket, key, { ifMatch: state!.etag });
    t.equal(md5(await bytes(got.body)), md5(Buffer.concat([first, second])), 'the parts in order');

    const abandoned = await region.createMultipart(bucket, 'contract/abandoned.bin', {});
    await region.uploadPart(bucket, 'contract/abandoned.bin', abandoned, 1, Buffer.from('x'));
    await region.abortMultipart(bucket, 'contract/abandoned.bin', abandoned);
    await region.abortMultipart(bucket, 'contract/abandoned.bin', abandoned);
    t.pass('aborting, and aborting again, is no error');
    if (!quirks.noMultipartListing) {
      t.notOk((await region.listMultipartUploads(bucket, 'contract/')).some((u) => u.uploadId === abandoned), 'the aborted upload is gone');
    }
    t.equal(await region.head(bucket, 'contract/abandoned.bin'), null, 'and left no object');
    await region.delete(bucket, key);
  });

  t.test('list: pages, prefixes, keys with any character', async (t) => {
    const keys = ['list/a', 'list/b c', "list/it's", 'list/t\tab', 'list/ünï', 'list/😀', 'list/x+y', 'list/z%41'];
    for (const key of keys) await region.put(bucket, key, { body: Buffer.from(key), length: Buffer.byteLength(key), metadata: {} });
    await region.put(bucket, 'other/k', { body: Buffer.from('o'), length: 1, metadata: {} });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await region.list(bucket, { prefix: 'list/', pageSize: 3, continuationToken: token });
      seen.push(...page.objects.map((o) => o.key));
      token = page.next;
      pages++;
    } while (token && pages < 20);
    t.same([...seen].sort(), [...keys].sort(), 'every key under the prefix, named exactly');
    t.ok(pages >= 3, `${pages} pages of 3`);
    const after = await region.list(bucket, { prefix: 'list/', startAfter: 'list/b c' });
    t.notOk(after.objects.some((o) => o.key === 'list/a' || o.key === 'list/b c'), 'start-after');
    for (const key of [...keys, 'other/k']) await region.delete(bucket, key);
  });
}

/** The contract for a region that cannot be reached: every call fails as `unreachable`, none as an S3 error. */
export async function unreachableContract(t: Tap.Test, region: Region, bucket: string, what: string): Promise<void> {
  await rejectsKind(t, region.head(bucket, 'k'), 'unreachable', `${what}: HEAD`);
  await rejectsKind(t, region.put(bucket, 'k', { body: Buffer.from('x'), length: 1, metadata: {} }), 'unreachable', `${what}: PUT`);
  await rejectsKind(t, region.list(bucket), 'unreachable', `${what}: list`);
  await rejectsKind(t, region.ping(), 'unreachable', `${what}: ping`);
}
