import t from 'tap';
import { parseDuration, parseTimeArg, requireDuration } from '../../src/ops/duration.js';
import { listedDifference, type DiffEntry, type ListedObject } from '../../src/ops/sorted-diff.js';
import { diffListings } from '../../src/ops/spilled-diff.js';
import { percentile } from '../../src/ops/status.js';
import { csvField } from '../../src/ops/journal-export.js';
import { formatBytes, formatSeconds, formatTable } from '../../src/ops/format.js';
import { listObjects } from '../../src/ops/list-objects.js';
import { encodeQuery, parseListPage } from '../../src/region/list-page.js';
import type { ListOptions, ListPage, Region } from '../../src/region/region.js';
import { RegionError } from '../../src/region/region-error.js';
import { toChangeFilter } from '../../src/ops/filter-options.js';

t.test('durations and times', async (t) => {
  t.equal(parseDuration('90d'), 90 * 86_400_000);
  t.equal(parseDuration('12h'), 12 * 3_600_000);
  t.equal(parseDuration('500ms'), 500);
  t.equal(parseDuration('1.5s'), 1500);
  t.equal(parseDuration('2w'), 14 * 86_400_000);
  for (const bad of ['', '90', 'd', '-1d', '1y', '1 d x']) t.equal(parseDuration(bad), undefined, `"${bad}" is not a duration`);
  t.throws(() => requireDuration('ninety days', 'journal.retention'), { code: 'CONFIG_INVALID', message: /journal\.retention/ });
  t.throws(() => requireDuration('x', '--older-than'), { code: 'OPTION_INVALID' });
  const now = Date.UTC(2026, 0, 31, 12);
  t.equal(parseTimeArg('1h', now, '--since'), now - 3_600_000);
  t.equal(parseTimeArg('2026-01-31', now, '--since'), Date.UTC(2026, 0, 31));
  t.equal(parseTimeArg('2026-01-31T10:30:00', now, '--since'), Date.UTC(2026, 0, 31, 10, 30), 'UTC unless it says otherwise');
  t.equal(parseTimeArg('2026-01-31T10:30:00+02:00', now, '--since'), Date.UTC(2026, 0, 31, 8, 30));
  t.equal(parseTimeArg(String(now), now, '--since'), now);
  t.throws(() => parseTimeArg('yesterday', now, '--since'), { code: 'OPTION_INVALID', message: /--since/ });
});

t.test('filters from the command line', async (t) => {
  t.throws(() => toChangeFilter({ state: 'done' }, 0), { code: 'OPTION_INVALID', message: /--state "done"/ });
  t.same(toChangeFilter({ rule: 'r', state: 'held', since: '1h' }, 3_600_000), { rule: 'r', state: 'held', since: 0,
    bucket: undefined, key: undefined, prefix: undefined, op: undefined, client: undefined });
});

async function* from(objects: ListedObject[]): AsyncGenerator<ListedObject> {
  for (const o of objects) yield o;
}
const o = (key: string, size = 1, etag = 'd41d8cd98f00b204e9800998ecf8427e'): ListedObject => ({ key, size, etag });
async function collect(gen: AsyncGenerator<DiffEntry>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const d of gen) out.push([d.kind, d.key]);
  return out;
}

t.test('the listing comparison names missing, extra and different keys', async (t) => {
  const source = [o('a'), o('b', 2), o('c'), o('e', 1, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), o('f', 1, 'abc-2'), o('g')];
  const target = [o('b', 3), o('c'), o('d'), o('e', 1, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'), o('f', 1, 'def-2'), o('h')];
  t.same(await collect(diffListings(from(source), from(target))), [
    ['missing', 'a'], ['different', 'b'], ['same', 'c'], ['extra', 'd'], ['different', 'e'], ['same', 'f'],
    ['missing', 'g'], ['extra', 'h'],
  ], 'multipart ETags are not compared, sizes always are');
  t.same(await collect(diffListings(from([]), from([]))), []);
  t.same(await collect(diffListings(from([o('x')]), from([]))), [['missing', 'x']]);
  t.same(await collect(diffListings(from([]), from([o('x')]))), [['extra', 'x']]);
  t.equal(listedDifference(o('k', 1), o('k', 2)), 'size 1 != 2');
  t.equal(listedDifference(o('k', 1, '"0123456789abcdef0123456789abcdef"'), o('k', 1, '0123456789ABCDEF0123456789ABCDEF')), undefined,
    'quotes and case do not matter');
});


t.test('with early comparison, a backfill into an ended target listing yields each source key as it is listed', async (t) => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The source's second page is listed only once the first entry has come out: an ordered walk, which waits for the
  // source's last key, never yields it.
  let firstOut!: () => void;
  const consumed = new Promise<void>((r) => { firstOut = r; });
  async function* paged(): AsyncGenerator<ListedObject> {
    await sleep(20);
    yield o('c "q" & <x>'); yield o('a\tb');
    await consumed;
    yield o('b', 2); yield o('ü/é');
  }
  const out: Array<[string, string, boolean]> = [];
  const walk = (async () => {
    for await (const d of diffListings(paged(), from([o('b', 3), o('d')]), undefined, { early: true })) {
      out.push([d.kind, d.key, d.early === true]);
      firstOut();
    }
  })();
  const ended = await Promise.race([walk.then(() => true), sleep(5_000).then(() => false)]);
  t.ok(ended, 'the walk ended: entries came out before the source\'s last key was listed');
  t.same(out, [
    ['missing', 'c "q" & <x>', true], ['missing', 'a\tb', true], ['different', 'b', true], ['missing', 'ü/é', true], ['extra', 'd', false],
  ], 'source keys in listing order, compared with the whole target; then the extras in key order');

  // A target still listing when the source's first key comes: the ordered walk, as without the option.
  async function* slowTarget(): AsyncGenerator<ListedObject> {
    await sleep(50);
    yield o('b', 3); yield o('d');
  }
  const ordered: Array<[string, string, boolean]> = [];
  for await (const d of diffListings(from([o('c'), o('a'), o('b', 2)]), slowTarget(), undefined, { early: true })) {
    ordered.push([d.kind, d.key, d.early === true]);
  }
  t.same(ordered, [['missing', 'a', false], ['different', 'b', false], ['missing', 'c', false], ['extra', 'd', false]]);
});

t.test('listing pages and queries', async (t) => {
  t.equal(encodeQuery({ 'list-type': '2', prefix: 'a b/(c)*', 'start-after': undefined, 'continuation-token': 'x+y=' }),
    'continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F%28c%29%2A');
  const page = parseListPage(`<?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated>
    <Contents><Key>007</Key><Size>3</Size><ETag>&quot;abc&quot;</ETag></Contents>
    <Contents><Key> a &amp; b </Key><Size>0</Size><ETag>"d"</ETag></Contents>
    <NextContinuationToken>tok</NextContinuationToken></ListBucketResult>`);
  t.same(page, { objects: [{ key: '007', size: 3, etag: 'abc' }, { key: ' a & b ', size: 0, etag: 'd' }], next: 'tok' });
  t.same(parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>'), { objects: [], next: undefined });
});

t.test('small formatters', async (t) => {
  t.equal(percentile([], 50), null);
  t.equal(percentile([1, 2, 3, 4], 50), 2);
  t.equal(percentile([1, 2, 3, 4], 99), 4);
  t.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
  t.equal(csvField(null), '');
  t.equal(csvField('plain'), 'plain');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('line\nbreak'), '"line\nbreak"');
  t.equal(csvField(' lead'), '" lead"');
  t.equal(formatBytes(0), '0 B');
  t.equal(formatBytes(1536), '1.5 KiB');
  t.equal(formatSeconds(0.123), '0.12s');
  t.equal(formatSeconds(200), '3m 20s');
  t.equal(formatSeconds(90000), '1d 1h');
  t.equal(formatTable([['A', 'BB'], ['ccc', 'd']]), 'A    BB\nccc  d\n');
});

t.test('listings page, fetch ahead, and retry transient failures', async (t) => {
  const page = (keys: string[], next?: string): ListPage => ({ objects: keys.map((key) => ({ key, size: 1, etag: 'e' })), next });
  const stub = (answer: (token: string | undefined, call: number) => ListPage) => {
    const calls: ListOptions[] = [];
    return {
      calls,
      region: {
        async list(_bucket: string, o: ListOptions) {
          calls.push({ prefix: o.prefix, startAfter: o.startAfter, continuationToken: o.continuationToken });
          return answer(o.continuationToken, calls.length);
        },
      } as unknown as Region,
    };
  };
  const keys = async (it: AsyncIterable<ListedObject>) => { const out: string[] = []; for await (const x of it) out.push(x.key); return out; };

  const two = stub((token) => (token === 't1' ? page(['c']) : page(['a', 'b'], 't1')));
  t.same(await keys(listObjects(two.region, 'b', { prefix: 'p/', startAfter: 'a0' })), ['a', 'b', 'c']);
  t.same(two.calls, [{ prefix: 'p/', startAfter: 'a0', continuationToken: undefined }, { prefix: 'p/', startAfter: 'a0', continuationToken: 't1' }]);

  const flaky = stub((token, call) => {
    if (call === 2) throw Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    return token === 't1' ? page(['c']) : page(['a', 'b'], 't1');
  });
  t.same(await keys(listObjects(flaky.region, 'b')), ['a', 'b', 'c'], 'a dropped connection is retried');
  t.equal(flaky.calls.length, 3);

  const denied = stub(() => { throw new RegionError('s3', 'ListObjectsV2', 'no', 403, 'AccessDenied'); });
  await t.rejects(keys(listObjects(denied.region, 'b')), { code: 'AccessDenied' }, 'a 4xx answer is not retried');
  t.equal(denied.calls.length, 1);

  // The page fetched ahead fails while the consumer is still busy: the error must reach the consumer, not crash.
  const broken = stub((token) => { if (token === 't1') throw new RegionError('s3', 'ListObjectsV2', 'no', 403, 'AccessDenied'); return page(['a'], 't1'); });
  const it = listObjects(broken.region, 'b');
  t.same((await it.next()).value, { key: 'a', size: 1, etag: 'e' });
  await new Promise((r) => setTimeout(r, 50));
  await t.rejects(it.next(), { code: 'AccessDenied' });
});
