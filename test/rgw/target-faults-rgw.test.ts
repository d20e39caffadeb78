// The target-fault suites (test/faults/target-faults.test.ts, target-hung.test.ts) over two Ceph RGW regions, at a
// load RGW takes: the fault proxy before the target (SlowDown, resets, stalls; then a target refusing every write),
// and the target's radosgw stopped (SIGSTOP) for longer than every attempt the shipper could spend. After draining,
// both ends hold the same bytes, metadata and tags, and no multipart upload is left in the target bucket.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/config/parse.js';
import { sdkClient, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { startBackendRegions, uploadsInProgress } from '../helpers/backend-regions.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { writeConfig } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, journalCounts, seeded, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';
import type { FerryStatus } from '../../src/ops/status.js';

const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);
const MiB = 1024 * 1024;
const HUNG_RULE = { id: 'hung', source: 'hung-src', target: { region: 'cn-sh', bucket: 'hung-replica' }, enabled: true };
const TIMEOUT_MS = 1_000;
const MAX_ATTEMPTS = 3;
const HANG_MS = Number(process.env.FERRY_FAULT_HANG_MS ?? 8_000);

t.test(`target faults over Ceph RGW regions (seed ${seed})`, async (t) => {
  const regions = await startBackendRegions('rgw', { source: ['photos', 'hung-src'], target: ['photos-replica', 'hung-replica'] });
  t.teardown(() => regions.stop());
  t.comment(`RGW cluster created and started in ${regions.rgw!.startMs} ms`);
  const src = regions.sourceClient();
  const dst = regions.targetClient();
  t.teardown(() => { src.destroy(); dst.destroy(); });

  await t.test('the fault proxy before the target', async (t) => {
    const random = seeded(seed);
    const proxy = await new FaultProxy(regions.targetEndpoint, seeded(seed + 1)).start();
    const shipper = { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000, maxAttempts: 10, multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const raw = regions.rawConfig({ rules: [RULE], shipper }) as { regions: Record<string, { endpoint: string }>; journal: { path: string } };
    raw.regions['cn-sh']!.endpoint = proxy.endpoint;
    const file = writeConfig(regions.dir, raw, 'faults.json');
    const ferry = await startTestFerry(raw);
    t.teardown(async () => { await ferry.stop(); await proxy.stop(); });
    const s3 = sdkClient(ferry.endpoint);
    t.teardown(() => s3.destroy());

    await t.test('SlowDown, resets and 2 s stalls: the shipper retries and converges', async (t) => {
      const started = Date.now();
      proxy.faults = { slowDownRate: 0.1, resetRate: 0.02, stallMs: 2_000, stallRate: 0.05 };
      // Six writes at a time to six keys, eight times: a load RGW takes while the shipper retries beside it.
      for (let batch = 0; batch < 8; batch++) {
        const keys = new Set<string>();
        while (keys.size < 6) keys.add(`k/${Math.floor(random() * 40)}`);
        await Promise.all([...keys].map((Key) => (random() < 0.15 ? s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key }))
          : s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: randomBytes(Math.floor(random() * 50_000)), Metadata: { batch: String(batch) },
            Tagging: random() < 0.3 ? `batch=${batch}` : undefined })))));
      }
      await Promise.all(['big/a'].map((Key) => s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: randomBytes(12 * MiB),
        Metadata: { big: Key }, Tagging: 'tier=large' }))));
      await waitDrained(raw.journal.path, 120_000);
      proxy.faults = {};
      const errors = withJournal(raw.journal.path, (db) => (db.prepare("SELECT count(*) AS n FROM attempts WHERE result = 'error'").get() as { n: number }).n);
      t.ok(proxy.injected > 0, `${proxy.injected} faults injected at the target`);
      t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, `nothing failed (${errors} attempts answered with an error were retried)`);
      t.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'bytes, metadata and tags equal at both ends, the multipart copies included');
      t.ok(['big/a'].every((k) => proxy.log.some((l) => l.startsWith(`PUT /photos-replica/${k}?partNumber=3&`))),
        'the 12 MiB object went to the target as a 3-part upload');
      t.same(await uploadsInProgress(dst, 'photos-replica'), [], 'no multipart upload is left in the target bucket');
      t.comment(`FIGURES target-faults-rgw: seed=${seed} injected=${proxy.injected} forwarded=${proxy.forwarded} erroredAttempts=${errors} ` +
        `ms=${Date.now() - started}`);
    });

    await t.test('a target that refuses every write: failed after maxAttempts, visible, shipped by `ferry journal retry`', async (t) => {
      await ferry.reload(parseConfig({ ...raw, shipper: { ...shipper, maxAttempts: 3 } }));
      proxy.faults = { slowDownRate: 1, methods: ['PUT'] };
      const keys = ['stuck/1', 'stuck/2', 'stuck/3'];
      for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: `stuck ${Key}`, Tagging: 'stuck=yes' }));
      await waitFor(() => (journalCounts(raw.journal.path).byState.failed ?? 0) === keys.length, 30_000, 'the keys to fail');
      const attempts = withJournal(raw.journal.path, (db) => db.prepare("SELECT key, attempts FROM queue WHERE state = 'failed' ORDER BY key").all());
      t.same(attempts, keys.map((key) => ({ key, attempts: 3 })), 'each failed after exactly maxAttempts (3)');

      const status = JSON.parse((await runCli(['status', '--config', file, '--json'])).stdout) as FerryStatus;
      t.equal(status.rules[0]!.failed, keys.length, '`ferry status` counts them failed');
      const json = await runCli(['journal', 'ls', '--config', file, '--state', 'failed', '--json']);
      const listed = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; last_error: string });
      t.same(listed.map((r) => r.key).sort(), keys, '`ferry journal ls --state failed` lists them');
      t.ok(listed.every((r) => /SlowDown/.test(r.last_error)), 'with the target\'s error');
      await sleep(1_000);
      t.equal(journalCounts(raw.journal.path).byState.failed, keys.length, 'and they stay failed');

      proxy.faults = {};
      const retry = await runCli(['journal', 'retry', '--config', file]);
      t.equal(retry.code, 0, retry.stdout.trim());
      await waitDrained(raw.journal.path, 30_000);
      t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, 'after `ferry journal retry` nothing is failed');
      t.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'and both ends hold the same bytes, metadata and tags');
      t.same(await uploadsInProgress(dst, 'photos-replica'), [], 'no multipart upload is left in the target bucket');
    });

    await t.test('a part upload and then the abort of its upload both refused: the abort is tried again', async (t) => {
      await ferry.reload(parseConfig({ ...raw, shipper }));
      const injected = proxy.injected;
      const log = proxy.log.length;
      // The first PUT (a part) and the first DELETE (the abort of the failed copy) are refused, then all passes.
      proxy.faults = { slowDownRate: 1, methods: ['PUT', 'DELETE'], limit: injected + 2 };
      await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'big/abort', Body: randomBytes(7 * MiB) }));
      await waitDrained(raw.journal.path, 30_000);
      proxy.faults = {};
      const seen = proxy.log.slice(log);
      t.equal(proxy.injected - injected, 2, 'two faults injected');
      t.ok(seen.filter((l) => l.startsWith('DELETE /photos-replica/big/abort?uploadId=')).length >= 2, 'the refused abort was sent again');
      t.same(await compareBuckets(src, 'photos', dst, 'photos-replica'), [], 'the copy arrived whole');
      t.same(await uploadsInProgress(dst, 'photos-replica'), [], 'no multipart upload is left in the target bucket');
    });
  });

  await t.test('a CreateMultipartUpload whose answer is lost: the upload it made is found and aborted', async (t) => {
    const proxy = await new FaultProxy(regions.targetEndpoint).start();
    const raw = regions.rawConfig({ rules: [HUNG_RULE], upstream: { timeoutMs: TIMEOUT_MS },
      shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, multipartThreshold: 5 * MiB, partSize: 5 * MiB } }) as
      { regions: Record<string, { endpoint: string }>; journal: { path: string } };
    raw.regions['cn-sh']!.endpoint = proxy.endpoint;
    const ferry = await startTestFerry(raw);
    const s3 = sdkClient(ferry.endpoint);
    t.teardown(async () => { s3.destroy(); await ferry.stop(); await proxy.stop(); });
    // The target creates the upload; its answer (the upload id) never reaches the shipper, which times out.
    proxy.faults = { swallowResponses: true, methods: ['POST'], limit: 1 };
    await s3.send(new PutObjectCommand({ Bucket: 'hung-src', Key: 'lost/create', Body: randomBytes(6 * MiB) }));
    await waitDrained(raw.journal.path, 30_000);
    t.equal(proxy.injected, 1, 'one answer swallowed');
    t.ok(proxy.log.some((l) => l.startsWith('GET /hung-replica?uploads') || l.startsWith('GET /hung-replica/?uploads')), 'the shipper listed the uploads');
    t.same(await compareBuckets(src, 'hung-src', dst, 'hung-replica'), [], 'the copy arrived whole');
    t.same(await uploadsInProgress(dst, 'hung-replica'), [], 'no multipart upload is left in the target bucket');
  });

  await t.test(`a hung target radosgw (${HANG_MS / 1000} s, over ${MAX_ATTEMPTS} attempts x ${TIMEOUT_MS / 1000} s timeout) fails nothing`, async (t) => {
    t.ok(HANG_MS > MAX_ATTEMPTS * TIMEOUT_MS * 2, 'the hang outlasts every attempt the shipper could spend');
    const started = Date.now();
    const raw = regions.rawConfig({ rules: [HUNG_RULE], upstream: { timeoutMs: TIMEOUT_MS },
      shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, maxAttempts: MAX_ATTEMPTS, multipartThreshold: 5 * MiB, partSize: 5 * MiB } }) as
      { journal: { path: string } };
    const ferry = await startTestFerry(raw);
    const s3 = sdkClient(ferry.endpoint);
    t.teardown(async () => {
      regions.resumeTarget();
      s3.destroy();
      await ferry.stop();
    });
    await s3.send(new PutObjectCommand({ Bucket: 'hung-src', Key: 'before', Body: 'shipped before the hang' }));
    await waitDrained(raw.journal.path, 20_000);

    regions.pauseTarget();
    const keys = Array.from({ length: 12 }, (_, i) => `hung/${i}`);
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'hung-src', Key, Body: `during the hang ${Key}`, Tagging: 'hung=yes' }));
    // One copy large enough to go multipart, so the hang also meets CreateMultipartUpload.
    await s3.send(new PutObjectCommand({ Bucket: 'hung-src', Key: 'hung/big.bin', Body: randomBytes(7 * MiB), Metadata: { big: 'yes' } }));
    await sleep(HANG_MS);
    const during = journalCounts(raw.journal.path);
    t.equal(during.byState.failed ?? 0, 0, 'nothing failed while the region hung');
    t.ok((during.byState.pending ?? 0) + (during.byState.intent ?? 0) >= keys.length + 1, 'the changes wait, pending');
    const attempts = withJournal(raw.journal.path, (db) => db.prepare('SELECT max(attempts) AS n FROM queue').pluck().get() as number | null);
    t.equal(attempts ?? 0, 0, 'and no attempt was used up');

    regions.resumeTarget();
    await waitDrained(raw.journal.path, 60_000);
    t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, 'still nothing failed');
    await waitFor(async () => (await compareBuckets(src, 'hung-src', dst, 'hung-replica')).length === 0, 20_000, 'the target to equal the source')
      .catch(() => undefined);
    t.same(await compareBuckets(src, 'hung-src', dst, 'hung-replica'), [], 'bytes, metadata and tags equal at both ends once the region answered');
    t.same(await uploadsInProgress(dst, 'hung-replica'), [], 'no multipart upload is left in the target bucket');
    t.comment(`FIGURES target-hung-rgw: hangMs=${HANG_MS} keys=${keys.length + 1} ms=${Date.now() - started}`);
  });
});
