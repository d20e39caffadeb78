// Drift a listing cannot show: metadata and tags changed in the target behind Ferry's back. `verify --deep` finds
// it, key by key, and `resync --deep` queues those keys for the shipper, which copies metadata and tags again.
import t from 'tap';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { journalDb } from '../helpers/journal-sql.js';
import { metadataDifference, tagsDifference } from '../../src/ops/deep-compare.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('metadata and tag differences are named, in name order (pure)', async (t) => {
  t.equal(metadataDifference({ 'content-type': 'text/plain' }, { 'content-type': 'text/plain' }), undefined);
  t.equal(metadataDifference({ 'content-type': 'text/plain', 'x-amz-meta-a': '1' }, { 'content-type': 'image/png', 'cache-control': 'no-store' }),
    'metadata: cache-control absent != "no-store", content-type "text/plain" != "image/png", x-amz-meta-a "1" != absent');
  t.equal(tagsDifference([{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }], [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]), undefined,
    'tags in another order are the same tags');
  t.equal(tagsDifference([{ Key: 'env', Value: 'prod' }], [{ Key: 'env', Value: '' }]), 'tags: env "prod" != ""', 'an empty value is a value');
});

t.test('verify --deep finds metadata and tag drift made behind Ferry\'s back, and resync --deep repairs it', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const raw = rawConfig(regions, { rules: [RULE] });
  const file = writeConfig(regions.dir, raw);
  // No --rule: the configuration has one.
  const ferry = (...args: string[]) => runCli([...args, '-c', file]);
  const running = await startTestFerry(raw);
  t.teardown(() => running.stop());
  const s3 = sdkClient(running.endpoint);
  const dst = regionClient(regions.target);
  const shipped = () => (journalDb(running.journal).prepare("SELECT count(*) AS n FROM changes WHERE state = 'shipped'").get() as { n: number }).n;

  const headers = { ContentType: 'text/plain', CacheControl: 'max-age=60', ContentDisposition: 'inline', Metadata: { owner: 'alice' } };
  for (const key of ['a.txt', 'b.txt', 'c.txt']) {
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: `body of ${key}`, ...headers }));
    // s3rver keeps no x-amz-tagging given to a PUT: the tags are a change of their own, journaled and shipped too.
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: key, Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }] } }));
  }
  await waitFor(() => shipped() === 6, 20_000, 'the three objects and their tags to ship');
  const copied = await dst.send(new GetObjectTaggingCommand({ Bucket: 'photos-replica', Key: 'b.txt' }));
  t.equal(copied.TagSet?.length, 2, 'the target has the tags');
  let r = await ferry('verify', '--deep');
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /^rule photos: 3 keys walked \(metadata and tags compared\) in \d+\.\ds: 0 missing, 0 extra, 0 different \(target equals source\)\n$/,
    'what the shipper copied compares equal, metadata and tags included');

  // Behind Ferry's back: a.txt written again in the target with the same bytes and other headers; b.txt retagged.
  await dst.send(new PutObjectCommand({ Bucket: 'photos-replica', Key: 'a.txt', Body: 'body of a.txt', ContentType: 'text/html',
    CacheControl: 'no-store', ContentDisposition: 'inline', Metadata: { owner: 'mallory' } }));
  await dst.send(new PutObjectTaggingCommand({ Bucket: 'photos-replica', Key: 'b.txt', Tagging: { TagSet: [{ Key: 'env', Value: 'dev' }] } }));

  r = await ferry('verify');
  t.equal(r.code, 0, 'a listing shows neither: same bytes, same size, same ETag');
  r = await ferry('verify', '--deep');
  t.equal(r.code, 1, 'exit 1 on drift');
  t.same(r.stdout.split('\n'), [
    'different  a.txt  (metadata: cache-control "max-age=60" != "no-store", content-type "text/plain" != "text/html", x-amz-meta-owner "alice" != "mallory")',
    'different  b.txt  (tags: env "prod" != "dev", team "web" != absent)',
    r.stdout.split('\n')[2],
    '',
  ]);
  t.match(r.stdout.split('\n')[2], /^rule photos: 3 keys walked \(metadata and tags compared\) in \d+\.\ds: 0 missing, 0 extra, 2 different$/);
  const json = (await ferry('verify', '--deep', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(json, [{ kind: 'different', key: 'a.txt', reason: /^metadata: / }, { kind: 'different', key: 'b.txt', reason: /^tags: / },
    { summary: { rule: 'photos', deep: true, walked: 3, different: 2, equal: false } }]);

  r = await ferry('resync');
  t.match(r.stdout, /0 resync row\(s\) written/, 'a resync by listing sees nothing to do');
  r = await ferry('resync', '--deep');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /rule photos: 3 keys walked: 0 missing, 0 extra, 2 different; 2 resync row\(s\) written\n$/);
  await waitFor(() => shipped() === 8, 20_000, 'the two resync rows to ship');

  r = await ferry('verify', '--deep');
  t.equal(r.code, 0, r.stdout);
  const a = await dst.send(new HeadObjectCommand({ Bucket: 'photos-replica', Key: 'a.txt' }));
  t.match(a, { ContentType: 'text/plain', CacheControl: 'max-age=60', Metadata: { owner: 'alice' } }, 'the target has the source\'s headers again');
  const b = await dst.send(new GetObjectTaggingCommand({ Bucket: 'photos-replica', Key: 'b.txt' }));
  t.same([...b.TagSet!].sort((x, y) => x.Key!.localeCompare(y.Key!)), [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }],
    'and the source\'s tags');
});
