// A scoped credential's ListBuckets: only its buckets are left in the source's answer, the rest of it unchanged,
// and an answer that cannot be read safely lists none rather than too many.
import t from 'tap';
import { filterBucketList } from '../../src/s3/xml.js';

const answer = (names: string[]) => '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<Owner><ID>o</ID><DisplayName>owner</DisplayName></Owner><Buckets>' +
  names.map((n) => `<Bucket><Name>${n}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`).join('') +
  '</Buckets></ListAllMyBucketsResult>';

t.test('only the allowed buckets are left (pure)', async (t) => {
  t.equal(filterBucketList(answer(['a', 'photos', 'z']), ['photos']), answer(['photos']));
  t.equal(filterBucketList(answer(['a', 'z']), ['photos']), answer([]), 'none of its own: an empty list');
  t.equal(filterBucketList(answer(['a&amp;b', 'c']), ['a&b']), answer(['a&amp;b']), 'names are compared decoded');
  t.equal(filterBucketList(answer(['photos', 'a']), ['photos', 'a']), answer(['photos', 'a']), 'order and form kept');
});

t.test('a form it does not know fails closed (pure)', async (t) => {
  const odd = answer(['photos']).replace('</Buckets>', '<Bucket attr="x"><Name>secret</Name></Bucket></Buckets>');
  const out = filterBucketList(odd, ['photos']);
  t.notMatch(out, /secret/, 'an entry it cannot read is not let through');
  t.notMatch(filterBucketList(answer(['photos']) + '<Name>secret</Name>', ['photos']), /secret/);
});
