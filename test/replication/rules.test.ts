import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/config/parse.js';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { journalDb } from '../helpers/journal-sql.js';
import { FaultProxy } from '../helpers/fault-proxy.js';

const rule = (over: Record<string, unknown> = {}) => ({ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true, ...over });

t.test('rules: disable holds, enable ships, prefix filters, removal cancels', async (t) => {
  const regions = await startRegions({ source: ['photos', 'docs'], target: ['photos-replica', 'docs-replica'] });
  const raw = rawConfig(regions, { rules: [rule({ enabled: false }), { id: 'docs', source: 'docs', prefix: 'public/', target: { region: 'cn-sh', bucket: 'docs-replica' } }] });
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const dst = regionClient(regions.target);
  const state = (key: string) => (journalDb(ferry.journal).prepare('SELECT state FROM changes WHERE key = ? ORDER BY seq DESC').get(key) as { state: string } | undefined)?.state;

  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'held.jpg', Body: 'held' }));
  await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'public/a.txt', Body: 'public' }));
  await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'private/b.txt', Body: 'private' }));
  await waitFor(async () => (await storedObject(dst, 'docs-replica', 'public/a.txt')) !== null, 10_000, 'public/a.txt');
  t.equal(await storedObject(dst, 'docs-replica', 'private/b.txt'), null, 'a key outside the prefix is not replicated');
  t.equal(state('private/b.txt'), undefined, 'and not journaled');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(state('held.jpg'), 'pending', 'a disabled rule journals but holds');
  t.equal(await storedObject(dst, 'photos-replica', 'held.jpg'), null);

  await ferry.reload(parseConfig({ ...raw, rules: [rule(), (raw.rules as unknown[])[1]] }));
  await waitFor(async () => (await storedObject(dst, 'photos-replica', 'held.jpg')) !== null, 10_000, 'backlog after enable');
  t.equal(state('held.jpg'), 'shipped');

  await ferry.reload(parseConfig({ ...raw, rules: [rule({ enabled: false }), (raw.rules as unknown[])[1]] }));
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'then-removed.jpg', Body: 'x' }));
  await ferry.reload(parseConfig({ ...raw, rules: [(raw.rules as unknown[])[1]] }));
  t.equal(state('then-removed.jpg'), 'cancelled', 'a removed rule leaves its pending rows cancelled, kept');
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'after-removal.jpg', Body: 'x' }));
  t.equal(state('after-removal.jpg'), undefined, 'nothing is journaled for a bucket without a rule');
});

t.test('a missing target bucket stops start-up; an unreachable region only warns', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: [] });
  t.teardown(() => regions.stop());
  await t.rejects(startTestFerry(rawConfig(regions, { rules: [rule()] })), { code: 'TARGET_BUCKET_MISSING' });
  const raw = rawConfig(regions, { rules: [rule()] }) as { regions: Record<string, { endpoint: string }> };
  raw.regions['cn-sh']!.endpoint = 'http://127.0.0.1:1';
  const ferry = await startTestFerry(raw);
  t.ok(ferry.endpoint, 'started although the target region is unreachable');
  await ferry.stop();
});

t.test('a target region answering 500 to the start-up check only warns, and shipping goes on once it recovers', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.target.endpoint).start();
  proxy.faults = { internalErrorRate: 1, methods: ['HEAD'] };
  const raw = rawConfig(regions, { rules: [rule()], shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500 } }) as
    { regions: Record<string, { endpoint: string }> };
  raw.regions['cn-sh']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  t.ok(proxy.injected >= 1, 'the check met the 500');
  t.ok(ferry.endpoint, 'started although the target region answered 500');
  proxy.faults = {};
  await sdkClient(ferry.endpoint).send(new PutObjectCommand({ Bucket: 'photos', Key: 'after-500.txt', Body: 'arrives' }));
  await waitFor(async () => (await storedObject(regionClient(regions.target), 'photos-replica', 'after-500.txt'))?.size === 7,
    20_000, 'the change to reach the target');
});

t.test('the target down for a while, then back: everything arrives', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const ferry = await startTestFerry(rawConfig(regions, { rules: [rule()], shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, maxAttempts: 3 } }));
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const port = regions.target.port;
  await regions.target.stop();
  for (let i = 0; i < 20; i++) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `outage/${i}`, Body: `v${i}` }));
  await new Promise((r) => setTimeout(r, 3000));
  const failed = (journalDb(ferry.journal).prepare("SELECT count(*) AS n FROM changes WHERE state = 'failed'").get() as { n: number }).n;
  t.equal(failed, 0, 'an unreachable target does not use up attempts');
  const { startLocalRegion } = await import('../../src/regions/s3rver-process.js');
  const { join } = await import('node:path');
  regions.target = await startLocalRegion(join(regions.dir, 'cn-sh'), { port, buckets: ['photos-replica'] });
  const dst = regionClient(regions.target);
  await waitFor(async () => (await storedObject(dst, 'photos-replica', 'outage/19')) !== null
    && (journalDb(ferry.journal).prepare("SELECT count(*) AS n FROM changes WHERE state != 'shipped'").get() as { n: number }).n === 0, 30_000, 'backlog to drain');
  for (let i = 0; i < 20; i++) t.equal((await storedObject(dst, 'photos-replica', `outage/${i}`))?.size, `v${i}`.length);
});
