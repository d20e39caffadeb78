// The journal says what happened at the source: a definite refusal is `rejected`, a refused connection too (nothing
// was sent), and an unknown answer that the shipper settles by finding nothing changed is `unchanged`, not `shipped`.
import t from 'tap';
import { PutObjectAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { storedObject } from '../helpers/objects.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { journalDb } from '../helpers/journal-sql.js';

const RULE = { id: 'audit', source: 'audit', target: { region: 'cn-sh', bucket: 'audit-replica' }, enabled: true };
const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

t.test('what the journal records for refusals and unknown answers', async (t) => {
  const regions = await startRegions({ source: ['audit'], target: ['audit-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], admin: { listen: '127.0.0.1:0' } });
  (raw.regions as Record<string, { endpoint: string }>)['cn-bj']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const rows = (key: string) => journalDb(ferry.journal).prepare('SELECT state, status, last_error FROM changes WHERE key = ? ORDER BY seq')
    .all(key) as Array<{ state: string; status: number | null; last_error: string | null }>;
  const settled = (key: string) => waitFor(() => rows(key).every((r) => !['intent', 'pending'].includes(r.state)), 20_000, `${key} settled`);

  await s3.send(new PutObjectCommand({ Bucket: 'audit', Key: 'acl.txt', Body: 'x' }));
  await settled('acl.txt');
  // s3rver does not implement PutObjectAcl: 501 NotImplemented is a definite answer, the change was not made.
  const acl = await s3.send(new PutObjectAclCommand({ Bucket: 'audit', Key: 'acl.txt', ACL: 'public-read' })).then(() => 200, status);
  t.equal(acl, 501, 'the source answers 501');
  await settled('acl.txt');
  t.same(rows('acl.txt').map((r) => r.state), ['shipped', 'rejected'], 'a 501 is rejected, not uncertain');

  // An injected 500 the source never saw: the row is uncertain until the shipper looks and finds nothing.
  proxy.faults = { internalErrorRate: 1, methods: ['PUT'] };
  const lost = await s3.send(new PutObjectCommand({ Bucket: 'audit', Key: 'never-arrived.txt', Body: 'y' })).then(() => 200, status);
  proxy.faults = {};
  t.equal(lost, 500, 'the client gets the 500');
  t.same(rows('never-arrived.txt').map((r) => r.state), ['intent'], 'uncertain at first');
  await settled('never-arrived.txt');
  t.same(rows('never-arrived.txt').map((r) => r.state), ['unchanged'], 'settled as unchanged: the source showed nothing to copy');
  t.equal(await storedObject(regionClient(regions.target), 'audit-replica', 'never-arrived.txt'), null);

  const ls = await runCli(['journal', 'ls', '--state', 'unchanged', '--json', '-c', file]);
  t.same(ls.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key), ['never-arrived.txt'], 'journal ls --state unchanged');
  const st = await runCli(['status', '--json', '-c', file]);
  t.match(JSON.parse(st.stdout), { rules: [{ rule: 'audit', unchanged: 1 }] }, 'status counts it');
  const metrics = await (await fetch(`http://127.0.0.1:${ferry.admin!.port}/metrics`)).text();
  t.match(metrics, /ferry_replication_unchanged_total\{rule="audit"\} 1/, 'and the metrics');

  // A source that refuses connections received nothing: rejected at once, not left to fail.
  await proxy.stop();
  const refused = await s3.send(new PutObjectCommand({ Bucket: 'audit', Key: 'refused.txt', Body: 'z' })).then(() => 200, status);
  t.equal(refused, 503, 'the client gets 503');
  t.match(rows('refused.txt'), [{ state: 'rejected', status: 503, last_error: /ServiceUnavailable/ }], 'rejected, not uncertain');
  s3.destroy();
});
