// The source object deleted or replaced between the shipper's read (the GET that gives its state and bytes) and
// the last look after the copy: the key ships again from the new state, without using up an attempt (maxAttempts
// is 1 here). A source whose
// bytes contradict its own ETag is no such change: it uses up attempts and ends failed, not in an endless loop.
// The bodies here are larger than the gateway holds for its shipper (test/replication/recent-puts.test.ts covers
// those), so the shipper reads them from the source.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/parse.js';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { RULE, waitDrained } from '../helpers/faults-world.js';
import { journalDb } from '../helpers/journal-sql.js';

// Above the 256 KiB a gateway verifies whole and hands its shipper: such a body streams through.
const streamed = (text: string) => text.repeat(Math.ceil((300 * 1024) / text.length));

t.test('the source changes under a copy: shipped again, no attempt used', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 200, maxAttempts: 1 } }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const direct = regionClient(regions.source);
  // The shipper's GET of the source is answered, then held: the test changes the object meanwhile, so the copy
  // carries the first version and only the last look can tell.
  proxy.faults = { stallMs: 700, stallRate: 1, methods: ['GET'] };

  for (const [key, change] of [
    ['deleted-mid-copy', () => direct.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'deleted-mid-copy' }))],
    ['replaced-mid-copy', () => direct.send(new PutObjectCommand({ Bucket: 'photos', Key: 'replaced-mid-copy', Body: streamed('second version') }))],
  ] as const) {
    const reads = () => proxy.log.filter((l) => l === `GET /photos/${key}`).length;
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: streamed('first version') }));
    await waitFor(() => reads() >= 1, 10_000, `the shipper to read ${key}`);
    await change();
  }
  proxy.faults = {};
  await waitDrained(raw.journal.path, 20_000);
  const rows = journalDb(ferry.journal).prepare("SELECT key, state, last_error FROM changes WHERE operation = 'PutObject' ORDER BY seq").all();
  t.same(rows.map((r) => (r as { state: string }).state), ['shipped', 'shipped'], 'neither change failed');
  t.equal((journalDb(ferry.journal).prepare("SELECT count(*) AS n FROM attempts WHERE result = 'error'").get() as { n: number }).n, 0,
    'no attempt was counted as an error');
  t.same(await compareBuckets(direct, 'photos', regionClient(regions.target), 'photos-replica'), [], 'target equals source');
});

t.test('a source whose bytes contradict its ETag: failed after maxAttempts, not copied again for ever', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, { rules: [{ ...RULE, enabled: false }], shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 200, maxAttempts: 3 } }) as
    { journal: { path: string } };
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  await sdkClient(ferry.endpoint).send(new PutObjectCommand({ Bucket: 'photos', Key: 'bad.bin', Body: streamed('the stored bytes') }));
  // What a non-atomic store can leave behind: same length, other bytes, the old ETag.
  writeFileSync(join(regions.dir, 'cn-bj', 'photos', 'bad.bin._S3rver_object'), streamed('THE STORED BYTES'));
  await ferry.reload(parseConfig({ ...raw, rules: [RULE] }));
  await waitFor(() => (journalDb(ferry.journal).prepare("SELECT state FROM changes WHERE key = 'bad.bin'").get() as { state: string }).state === 'failed',
    10_000, 'the change to fail');
  const row = journalDb(ferry.journal).prepare("SELECT last_error FROM changes WHERE key = 'bad.bin'").get() as { last_error: string };
  t.match(row.last_error, /do not match its ETag/, 'the error says why');
  t.equal((journalDb(ferry.journal).prepare("SELECT count(*) AS n FROM attempts WHERE result = 'error'").get() as { n: number }).n, 3, 'after exactly maxAttempts');
});
