import t from 'tap';
import { PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { parsePrometheus, sampleValue } from '../helpers/ops-prometheus.js';
import { checkAdminBinding, isLoopback } from '../../src/admin/binding.js';
import { bearerMatches } from '../../src/admin/admin-server.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };
const TOKEN = 'admin-test-token-0123456789';

t.test('loopback and binding rules (pure)', async (t) => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) t.ok(isLoopback(h), `${h} is loopback`);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'ferry.example.com', '::ffff:10.0.0.1']) t.notOk(isLoopback(h), `${h} is not`);
  t.doesNotThrow(() => checkAdminBinding({ listen: '127.0.0.1:9001' }));
  t.doesNotThrow(() => checkAdminBinding({ listen: '0.0.0.0:9001', token: 't' }));
  t.throws(() => checkAdminBinding({ listen: '0.0.0.0:9001' }), { code: 'ADMIN_TOKEN_REQUIRED' });
  t.throws(() => checkAdminBinding({ listen: '[::]:9001' }), { code: 'ADMIN_TOKEN_REQUIRED' });
  t.ok(bearerMatches(`Bearer ${TOKEN}`, TOKEN));
  t.notOk(bearerMatches(`Bearer ${TOKEN}x`, TOKEN));
  t.notOk(bearerMatches(TOKEN, TOKEN), 'the scheme is required');
  t.notOk(bearerMatches(undefined, TOKEN));
});

t.test('admin listener', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());

  t.test('refuses to start beyond loopback without a token', async (t) => {
    const raw = rawConfig(regions, { rules: [RULE], admin: { listen: '0.0.0.0:0' } });
    await t.rejects(startTestFerry(raw), { code: 'ADMIN_TOKEN_REQUIRED' });
  });

  t.test('token, endpoints and metrics that move with traffic', async (t) => {
    const ferry = await startTestFerry(rawConfig(regions, { rules: [RULE], admin: { listen: '127.0.0.1:0', token: TOKEN } }));
    t.teardown(() => ferry.stop());
    t.ok(ferry.admin, 'admin listener started');
    t.not(ferry.admin!.port, ferry.address!.port, 'on its own address');
    const base = `http://127.0.0.1:${ferry.admin!.port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };

    for (const path of ['/metrics', '/healthz', '/readyz', '/status']) {
      t.equal((await fetch(base + path)).status, 401, `${path} without a token is refused`);
      t.equal((await fetch(base + path, { headers: { authorization: 'Bearer wrong' } })).status, 401, `${path} with a wrong token is refused`);
    }
    const refused = await fetch(`${base}/rules/reload`, { method: 'POST' });
    t.equal(refused.status, 401);
    t.equal(refused.headers.get('www-authenticate'), 'Bearer realm="ferry-admin"');
    t.match(await refused.json(), { error: { code: 'ADMIN_UNAUTHORIZED' } });

    t.same(await (await fetch(`${base}/healthz`, { headers: auth })).json(), { status: 'ok' });
    const ready = await fetch(`${base}/readyz`, { headers: auth });
    t.equal(ready.status, 200);
    t.same(await ready.json(), { ready: true, checks: { journal: 'ok', source: 'ok' } });
    t.equal((await fetch(`${base}/nope`, { headers: auth })).status, 404);
    t.equal((await fetch(`${base}/metrics`, { method: 'POST', headers: auth })).status, 405);

    const scrape = async () => parsePrometheus(await (await fetch(`${base}/metrics`, { headers: auth })).text()).samples;
    const before = await scrape();
    t.equal(sampleValue(before, 'ferry_replication_shipped_total', { rule: 'photos' }), 0, 'rule counters start at zero');
    t.equal(sampleValue(before, 'ferry_replication_pending_operations', { rule: 'photos' }), 0);

    const s3 = sdkClient(ferry.endpoint);
    for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `m${i}`, Body: Buffer.alloc(1000, i) }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'm0' }));
    await waitFor(async () => sampleValue(await scrape(), 'ferry_replication_shipped_total', { rule: 'photos' })! >= 5, 20_000, 'shipping');
    await waitFor(async () => sampleValue(await scrape(), 'ferry_replication_pending_operations', { rule: 'photos' }) === 0, 20_000, 'drain');

    const after = await scrape();
    t.equal(sampleValue(after, 'ferry_requests_total', { op: 'PutObject', code: '200' }), 5, 'requests counted by op and code');
    t.equal(sampleValue(after, 'ferry_requests_total', { op: 'DeleteObject', code: '204' }), 1);
    t.equal(sampleValue(after, 'ferry_request_duration_seconds_count', { op: 'PutObject' }), 5);
    t.equal(sampleValue(after, 'ferry_journal_append_seconds_count'), 6, 'one journal append per mutation');
    t.ok(sampleValue(after, 'ferry_replication_shipped_bytes_total', { rule: 'photos' })! >= 4000, 'bytes shipped');
    t.ok(sampleValue(after, 'ferry_replication_latency_seconds_count', { rule: 'photos' })! >= 5, 'latency observed');
    t.equal(sampleValue(after, 'ferry_replication_latency_seconds_bucket', { rule: 'photos', le: '+Inf' }),
      sampleValue(after, 'ferry_replication_latency_seconds_count', { rule: 'photos' }));
    t.equal(sampleValue(after, 'ferry_replication_failed_total', { rule: 'photos' }), 0);
    t.equal(sampleValue(after, 'ferry_replication_pending_bytes', { rule: 'photos' }), 0);
    t.ok(sampleValue(after, 'process_resident_memory_bytes')! > 0, 'process metrics too');

    const status = await (await fetch(`${base}/status`, { headers: auth })).json() as { rules: Array<Record<string, any>> };
    t.equal(status.rules.length, 1);
    t.match(status.rules[0], { rule: 'photos', enabled: true, pending: { operations: 0 }, failed: 0, shipped: { lastMinute: 6, lastHour: 6 } });
    t.ok(status.rules[0]!.lagSeconds.p50 >= 0 && status.rules[0]!.lagSeconds.p99 >= status.rules[0]!.lagSeconds.p50);
  });

  t.test('loopback without a token needs none', async (t) => {
    const ferry = await startTestFerry(rawConfig(regions, { rules: [RULE], admin: { listen: '127.0.0.1:0' } }), { gateway: false });
    t.teardown(() => ferry.stop());
    t.equal((await fetch(`http://127.0.0.1:${ferry.admin!.port}/healthz`)).status, 200);
  });

  t.test('readyz fails when the source region is down', async (t) => {
    const r2 = await startRegions({ source: ['photos'], target: ['photos-replica'] });
    const ferry = await startTestFerry(rawConfig(r2, { rules: [RULE], admin: { listen: '127.0.0.1:0', token: TOKEN } }), { gateway: false });
    t.teardown(async () => { await ferry.stop(); await r2.stop(); });
    await r2.source.stop();
    const res = await fetch(`http://127.0.0.1:${ferry.admin!.port}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    t.equal(res.status, 503);
    t.match(await res.json(), { ready: false, checks: { journal: 'ok', source: /^unreachable/ } });
  });
});
