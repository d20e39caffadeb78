// Fault 4: the fault-injecting proxy in front of the target. The shipper retries its way through SlowDown,
// resets and stalls; a key the target keeps refusing is marked failed after maxAttempts, stays visible in
// `ferry status` and `ferry journal ls`, and ships after `ferry journal retry`.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/config/parse.js';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { writeConfig } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, journalCounts, seeded, waitDrained, withJournal } from '../helpers/faults-world.js';
import type { FerryStatus } from '../../src/ops/status.js';

const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);
const MiB = 1024 * 1024;

t.test(`target faults (seed ${seed})`, async (t) => {
  const random = seeded(seed);
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.target.endpoint, seeded(seed + 1)).start();
  const shipper = { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000, maxAttempts: 10, multipartThreshold: 5 * MiB, partSize: 5 * MiB };
  const raw = rawConfig(regions, { rules: [RULE], shipper }) as { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-sh']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  const src = regionClient(regions.source);
  const dst = regionClient(regions.target);

  await t.test('SlowDown, resets and 2 s stalls: the shipper retries and converges', async (t) => {
    proxy.faults = { slowDownRate: 0.1, resetRate: 0.02, stallMs: 2_000, stallRate: 0.05 };
    // Eight writes at a time, to eight different keys (s3rver cannot take two writes of one key at once).
    for (let batch = 0; batch < 20; batch++) {
      const keys = new Set<string>();
      while (keys.size < 8) keys.add(`k/${Math.floor(random() * 100)}`);
      await Promise.all([...keys].map((Key) => (random() < 0.15 ? s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key }))
        : s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: randomBytes(Math.floor(random() * 50_000)), Metadata: { batch: String(batch) } })))));
    }
    await Promise.all(['big/a', 'big/b'].map((Key) => s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: randomBytes(12 * MiB) }))));
    await waitDrained(raw.journal.path, 180_000);
    proxy.faults = {};
    const errors = withJournal(raw.journal.path, (db) => (db.prepare("SELECT count(*) AS n FROM attempts WHERE result = 'error'").get() as { n: number }).n);
    t.ok(proxy.injected > 0, `${proxy.injected} faults injected at the target`);
    t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, `nothing failed (${errors} attempts answered with an error were retried)`);
    t.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'target equals source, the multipart copies included');
    t.ok(['big/a', 'big/b'].every((k) => proxy.log.some((l) => l.startsWith(`PUT /photos-replica/${k}?partNumber=3&`))),
      'the 12 MiB objects went to the target as 3-part uploads');
    t.comment(`FIGURES target-faults: seed=${seed} injected=${proxy.injected} forwarded=${proxy.forwarded} erroredAttempts=${errors}`);
  });

  await t.test('a target that refuses every write: failed after maxAttempts, visible, shipped by `ferry journal retry`', async (t) => {
    await ferry.reload(parseConfig({ ...raw, shipper: { ...shipper, maxAttempts: 3 } }));
    proxy.faults = { slowDownRate: 1, methods: ['PUT'] };
    const keys = ['stuck/1', 'stuck/2', 'stuck/3'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: `stuck ${Key}` }));
    await waitFor(() => (journalCounts(raw.journal.path).byState.failed ?? 0) === keys.length, 30_000, 'the keys to fail');
    const attempts = withJournal(raw.journal.path, (db) => db.prepare("SELECT key, attempts FROM queue WHERE state = 'failed' ORDER BY key").all());
    t.same(attempts, keys.map((key) => ({ key, attempts: 3 })), 'each failed after exactly maxAttempts (3)');

    const status = JSON.parse((await runCli(['status', '--config', file, '--json'])).stdout) as FerryStatus;
    t.equal(status.rules[0]!.failed, keys.length, '`ferry status` counts them failed');
    const ls = await runCli(['journal', 'ls', '--config', file, '--state', 'failed']);
    for (const key of keys) t.match(ls.stdout, key, `\`ferry journal ls --state failed\` lists ${key}`);
    const json = await runCli(['journal', 'ls', '--config', file, '--state', 'failed', '--json']);
    t.ok(json.stdout.trim().split('\n').every((l) => /SlowDown/.test((JSON.parse(l) as { last_error: string }).last_error)), 'with the target\'s error');
    await new Promise((r) => setTimeout(r, 1_000));
    t.equal(journalCounts(raw.journal.path).byState.failed, keys.length, 'and they stay failed: nothing retries them behind the operator\'s back');

    proxy.faults = {};
    const retry = await runCli(['journal', 'retry', '--config', file]);
    t.equal(retry.code, 0, retry.stdout.trim());
    await waitDrained(raw.journal.path, 30_000);
    t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, 'after `ferry journal retry` nothing is failed');
    t.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'and the target equals the source');
  });
});
