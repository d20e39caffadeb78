// Security: the admin listener refuses to bind beyond loopback without a token and checks the token it has; a
// client credential limited to some buckets gets AccessDenied everywhere else, copy sources included, and
// nothing it is refused reaches the source.
import t from 'tap';
import {
  CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { request } from 'undici';
import { CLIENT_KEY, CLIENT_SECRET, rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE } from '../helpers/faults-world.js';

t.test('the admin listener', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  for (const listen of ['0.0.0.0:0', '[::]:0']) {
    const file = writeConfig(regions.dir, rawConfig(regions, { rules: [RULE], admin: { listen } }), 'wide.json');
    const r = await runCli(['serve', '--config', file]);
    t.equal(r.code, 2, `admin on ${listen} without a token: ferry serve refuses to start`);
    t.match(r.stderr, /ADMIN_TOKEN_REQUIRED/);
    t.notMatch(r.stdout, /listening/, 'and binds nothing');
  }
  const token = 'admin-token-for-the-access-test';
  const file = writeConfig(regions.dir, rawConfig(regions, { rules: [RULE], log: { level: 'info' }, admin: { listen: '127.0.0.1:0', token } }), 'admin.json');
  const ferry = await startFerryProcess(file);
  t.teardown(() => ferry.kill());
  let admin = '';
  await waitFor(() => {
    const line = ferry.output.find((l) => l.includes('"msg":"admin listening"'));
    admin = line ? `http://${(JSON.parse(line) as { address: string }).address}` : '';
    return admin !== '';
  }, 5_000, 'the admin listener');
  for (const path of ['/metrics', '/status']) {
    t.equal((await request(`${admin}${path}`)).statusCode, 401, `${path} without the token: 401`);
    t.equal((await request(`${admin}${path}`, { headers: { authorization: 'Bearer wrong' } })).statusCode, 401, `${path} with a wrong token: 401`);
    t.equal((await request(`${admin}${path}`, { headers: { authorization: `Bearer ${token}` } })).statusCode, 200, `${path} with the token: 200`);
  }
});

t.test('a credential limited to some buckets', async (t) => {
  const regions = await startRegions({ source: ['photos', 'private'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const scopedCreds = { accessKeyId: 'SCOPEDKEY', secretAccessKey: 'scoped-secret-for-the-access-test' };
  const raw = rawConfig(regions, { rules: [RULE], shipper: { enabled: false },
    clients: [{ accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }, { ...scopedCreds, buckets: ['photos'] }] }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const direct = regionClient(regions.source);
  await direct.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.txt', Body: 'not for the scoped client' }));
  const scoped = sdkClient(ferry.endpoint, scopedCreds);

  await scoped.send(new PutObjectCommand({ Bucket: 'photos', Key: 'mine.txt', Body: 'mine' }));
  t.equal(await (await scoped.send(new GetObjectCommand({ Bucket: 'photos', Key: 'mine.txt' }))).Body!.transformToString(), 'mine',
    'its own bucket: served');
  await scoped.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy.txt', CopySource: 'photos/mine.txt' }));
  t.equal((await storedObject(direct, 'photos', 'copy.txt'))?.size, 4, 'a copy within its own bucket: served');
  const upload = await scoped.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'parts.bin' }));
  const presignedUrl = await getSignedUrl(scoped, new GetObjectCommand({ Bucket: 'private', Key: 'secret.txt' }), { expiresIn: 60 });

  const refused: Array<[string, () => Promise<unknown>]> = [
    ['GetObject in another bucket', () => scoped.send(new GetObjectCommand({ Bucket: 'private', Key: 'secret.txt' }))],
    ['HeadObject in another bucket', () => scoped.send(new HeadObjectCommand({ Bucket: 'private', Key: 'secret.txt' }))],
    ['PutObject in another bucket', () => scoped.send(new PutObjectCommand({ Bucket: 'private', Key: 'x.txt', Body: 'x' }))],
    ['DeleteObject in another bucket', () => scoped.send(new DeleteObjectCommand({ Bucket: 'private', Key: 'secret.txt' }))],
    ['DeleteObjects in another bucket', () => scoped.send(new DeleteObjectsCommand({ Bucket: 'private', Delete: { Objects: [{ Key: 'secret.txt' }] } }))],
    ['ListObjectsV2 of another bucket', () => scoped.send(new ListObjectsV2Command({ Bucket: 'private' }))],
    ['CreateMultipartUpload in another bucket', () => scoped.send(new CreateMultipartUploadCommand({ Bucket: 'private', Key: 'x.bin' }))],
    ['a presigned GET in another bucket', async () => {
      const res = await request(presignedUrl);
      await res.body.text();
      if (res.statusCode !== 200) throw Object.assign(new Error('refused'), { $metadata: { httpStatusCode: res.statusCode } });
    }],
    ['CopyObject into its bucket from another bucket', () => scoped.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'stolen.txt', CopySource: 'private/secret.txt' }))],
    ['UploadPartCopy into its bucket from another bucket', () => scoped.send(new UploadPartCopyCommand({ Bucket: 'photos', Key: 'parts.bin',
      UploadId: upload.UploadId, PartNumber: 1, CopySource: 'private/secret.txt' }))],
  ];
  for (const [name, call] of refused) {
    const before = proxy.forwarded;
    const status = await call().then(() => 200, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
    t.equal(status, 403, `${name}: 403 AccessDenied`);
    t.equal(proxy.forwarded, before, `${name}: not forwarded`);
  }
  t.equal((await storedObject(direct, 'private', 'secret.txt'))?.size, 'not for the scoped client'.length, 'the other bucket is untouched');
  t.equal(await storedObject(direct, 'photos', 'stolen.txt'), null, 'and nothing was copied out of it');
  const buckets = await scoped.send(new ListBucketsCommand({}));
  t.same(buckets.Buckets?.map((b) => b.Name), ['photos'], 'ListBuckets is allowed and lists only the buckets of the scope');
  t.comment(`FIGURES access: refusedScopedRequests=${refused.length}`);
});

t.test('ferry rules writes its config with mode 0600', async (t) => {
  const regions = await startRegions({ source: ['photos', 'docs'], target: ['photos-replica', 'docs-replica'] });
  t.teardown(() => regions.stop());
  const file = writeConfig(regions.dir, rawConfig(regions, { rules: [RULE] }), 'rules.json');
  const { chmodSync, statSync } = await import('node:fs');
  chmodSync(file, 0o644);
  const r = await runCli(['rules', 'add', '--config', file, '--id', 'docs', '--source', 'docs', '--target-region', 'cn-sh', '--target-bucket', 'docs-replica']);
  t.equal(r.code, 0, r.stdout.trim());
  t.equal(statSync(file).mode & 0o777, 0o600, 'the rewritten config is 0600, whatever it was');
});
