// What the gateway keeps for the shipper: only bytes an MD5 ETag vouches for, within a budget (oldest out first),
// for the key's newest change only, once; a default Content-Type is learned from a last look, and dropped for good
// once two looks disagree.
import t from 'tap';
import { createHash } from 'node:crypto';
import { RecentPuts } from '../../src/shipper/recent-puts.js';

const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
const body = (n: number, fill = 1) => Buffer.alloc(n, fill);

t.test('a budget, the newest change only, taken once', async (t) => {
  const puts = new RecentPuts(10_000);
  const a = body(900, 1);
  puts.remember('a', 1, etagOf(a), a, { 'content-type': 'text/plain', 'x-amz-meta-x': 'y', 'content-length': '900', 'x-amz-acl': 'private' });
  t.equal(puts.bytes, 900);
  t.equal(puts.take('a', 2), undefined, 'a newer change of the key is queued: the held bytes are not its');
  t.equal(puts.take('a', 1), undefined, 'and they were let go');
  puts.remember('a', 3, etagOf(a), a, { 'content-type': 'text/plain', 'x-amz-meta-x': 'y' });
  const got = puts.take('a', 3);
  t.same(got?.state, { etag: etagOf(a), size: 900, metadata: { 'content-type': 'text/plain', 'x-amz-meta-x': 'y' }, md5: etagOf(a).slice(1, -1) },
    'the state: ETag, size, system metadata and x-amz-meta-* (not the request\'s other headers)');
  t.equal(puts.take('a', 3), undefined, 'taken once');
  t.equal(puts.bytes, 0);

  for (let i = 0; i < 15; i++) puts.remember(`k${i}`, i, etagOf(body(900, i)), body(900, i), { 'content-type': 'a/b' });
  t.ok(puts.bytes <= 10_000, `held within the budget (${puts.bytes})`);
  t.equal(puts.take('k0', 0), undefined, 'the oldest went first');
  t.ok(puts.take('k14', 14), 'the newest stayed');
  puts.remember('huge', 1, etagOf(body(1001)), body(1001), { 'content-type': 'a/b' });
  t.equal(puts.take('huge', 1), undefined, 'a body over a tenth of the budget is not kept');
});

t.test('only bytes an MD5 ETag can check', async (t) => {
  const puts = new RecentPuts();
  const b = body(100);
  puts.remember('multi', 1, '"0123456789abcdef0123456789abcdef-2"', b, { 'content-type': 'a/b' });
  puts.remember('none', 1, undefined, b, { 'content-type': 'a/b' });
  puts.remember('kms', 1, etagOf(b), b, { 'content-type': 'a/b', 'x-amz-server-side-encryption': 'aws:kms' });
  puts.remember('ssec', 1, etagOf(b), b, { 'content-type': 'a/b', 'x-amz-server-side-encryption-customer-algorithm': 'AES256' });
  for (const id of ['multi', 'none', 'kms', 'ssec']) t.equal(puts.take(id, 1), undefined, `${id}: not kept`);
  t.equal(puts.bytes, 0);
});

t.test('a default Content-Type, learned from a last look, and dropped when looks disagree', async (t) => {
  const puts = new RecentPuts();
  const b = body(10);
  const etag = etagOf(b);
  puts.remember('u1', 1, etag, b, { 'x-amz-meta-m': '1' });
  const u1 = puts.take('u1', 1)!;
  t.same(u1.state.metadata, { 'x-amz-meta-m': '1' }, 'nothing known yet: held without a type');
  puts.learn(u1, { etag: '"other"', size: 10, metadata: { 'content-type': 'binary/octet-stream', 'x-amz-meta-m': '1' } });
  puts.learn(u1, { etag, size: 10, metadata: { 'content-type': 'binary/octet-stream', 'x-amz-meta-m': '2' } });
  puts.learn(u1, null);
  puts.remember('u2', 2, etag, b, { 'x-amz-meta-m': '1' });
  t.same(puts.take('u2', 2)!.state.metadata, { 'x-amz-meta-m': '1' }, 'another object, other metadata or none at all teach nothing');

  puts.learn(u1, { etag, size: 10, metadata: { 'content-type': 'binary/octet-stream', 'x-amz-meta-m': '1' } });
  puts.remember('u3', 3, etag, b, { 'x-amz-meta-m': '1' });
  const u3 = puts.take('u3', 3)!;
  t.same(u3.state.metadata, { 'content-type': 'binary/octet-stream', 'x-amz-meta-m': '1' }, 'learned: held with the source\'s type');
  puts.learn(u3, { etag, size: 10, metadata: { 'content-type': 'text/plain', 'x-amz-meta-m': '1' } });
  puts.remember('u4', 4, etag, b, {});
  t.equal(puts.take('u4', 4), undefined, 'a source whose type varies: untyped PUTs are no longer kept');
  puts.remember('typed', 5, etag, b, { 'content-type': 'image/png' });
  t.ok(puts.take('typed', 5), 'typed ones still are');
});
