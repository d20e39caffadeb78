// Planned cutover and failback through `ferry failover` and `ferry failback`, against a running Ferry that reloads
// through its admin listener: writes during the failover land in the target and ship back; failback refuses while
// they have not shipped or the source is down; run under a live writer, it loses no acknowledged change and no
// client reads an older copy than it wrote; afterwards the source holds every change.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config/load.js';
import { startFerry } from '../../src/runtime/ferry.js';
import { createLogger } from '../../src/util/logger.js';
import { startLocalRegion } from '../../src/regions/s3rver-process.js';
import { md5, rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { compareBuckets, storedObject } from '../helpers/objects.js';
import { freePort } from '../helpers/faults-world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;

/** One writer over its own keys: puts and deletes, each acknowledged change read back at once through the gateway. */
function startWriter(client: S3Client, prefix: string, keys: number) {
  const acked = new Map<string, string | null>();
  const stale: string[] = [];
  let refused = 0;
  let changes = 0;
  let running = true;
  const done = (async () => {
    for (let i = 0; running && i < 100_000; i++) {
      const key = `${prefix}${i % keys}`;
      const remove = i % 7 === 6;
      const body = `${key} version ${i}`;
      try {
        if (remove) await client.send(new DeleteObjectCommand({ Bucket: 'photos', Key: key }));
        else await client.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: body }));
      } catch (err) {
        if (status(err) !== 503) throw err;
        refused++; // paused while traffic moves: the change was not made, and is tried again
        await sleep(50);
        continue;
      }
      changes++;
      acked.set(key, remove ? null : md5(body));
      const seen = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: key }))
        .then(async (r) => md5(Buffer.from(await r.Body!.transformToByteArray())), (err) => (status(err) === 404 ? null : `error ${status(err)}`));
      if (seen !== acked.get(key)) stale.push(`${key}: read ${seen} after writing ${acked.get(key)}`);
      await sleep(5);
    }
  })();
  return { acked, stale, get refused() { return refused; }, get changes() { return changes; },
    async stop() { running = false; await done; } };
}

t.test('failover, writes during it, failback under a live writer', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const adminPort = await freePort();
  const file = writeConfig(regions.dir, rawConfig(regions, {
    admin: { listen: `127.0.0.1:${adminPort}` },
    rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' } }],
    upstream: { timeoutMs: 2000, breakerFailures: 2, probeMs: 200 },
    gateway: { idleTimeoutMs: 10_000 },
  }));
  const ferry = await startFerry(loadConfig(file), { gateway: true, shipper: true, log: createLogger('silent') });
  t.teardown(async () => { await ferry.stop(); regions.source.child.kill('SIGKILL'); await regions.stop(); });
  const client = sdkClient(`http://127.0.0.1:${ferry.address!.port}`);
  const source = regionClient(regions.source);
  const target = regionClient(regions.target);
  const rule = () => (JSON.parse(readFileSync(file, 'utf8')) as { rules: Array<Record<string, unknown>> }).rules[0]!;
  const cli = (args: string[]) => runCli([...args, '--config', file]);
  // Shipping paused and resumed as an operator would: `shipper.enabled` in the file, then a reload.
  const shipping = async (enabled: boolean) => {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { shipper: Record<string, unknown> };
    raw.shipper.enabled = enabled;
    writeFileSync(file, JSON.stringify(raw, null, 2));
    await ferry.reload(loadConfig(file));
  };

  for (let i = 0; i < 20; i++) await client.send(new PutObjectCommand({ Bucket: 'photos', Key: `before/${i}`, Body: `before ${i}` }));
  await waitFor(async () => (await ferry.journal.pendingByRule()).length === 0, 20_000, 'the first changes shipped');

  // Failover under a live writer.
  const w1 = startWriter(client, 'w1/', 10);
  await sleep(500);
  const over = await cli(['failover', 'photos', '--json']);
  t.equal(over.code, 0, `ferry failover: ${over.stderr}`);
  const overReport = JSON.parse(over.stdout.trim().split('\n').pop()!) as { primary: string; verified: number; pausedMs: number };
  t.equal(overReport.primary, 'target');
  t.ok(overReport.verified >= 20, `both sides compared before traffic moved (${overReport.verified} keys)`);
  t.equal(rule().primary, 'target', 'the state is in the configuration file: it survives restarts and reloads');
  t.equal(rule().writesPaused, undefined, 'and changes are no longer paused');
  await sleep(1_000);
  await w1.stop();
  t.same(w1.stale, [], `no read older than the client's own write across the failover (${w1.changes} changes, ${w1.refused} paused 503s)`);
  const st = await cli(['status', '--json']);
  t.equal((JSON.parse(st.stdout) as { rules: Array<{ serving: string }> }).rules[0]!.serving, 'target', 'ferry status shows it');

  // During the failover: writes go to the target bucket (and ship back to the source while it answers).
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'during/direct.txt', Body: 'written during the failover' }));
  t.equal((await storedObject(target, 'photos-replica', 'during/direct.txt'))?.md5, md5('written during the failover'), 'stored in the target bucket');
  await waitFor(async () => (await storedObject(source, 'photos', 'during/direct.txt')) !== null, 20_000, 'shipped back to the source');

  // Failback refuses while changes made during the failover have not shipped: shipping is paused.
  await shipping(false);
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'during/unshipped.txt', Body: 'not shipped yet' }));
  const refused = await cli(['failback', 'photos', '--timeout', '2']);
  t.not(refused.code, 0, 'ferry failback with a change not shipped back: refused');
  t.match(refused.stderr, /CUTOVER_UNSHIPPED/, refused.stderr.trim());
  t.equal(rule().primary, 'target', 'still served by the target');
  t.equal(rule().writesPaused, undefined, 'and changes were resumed');
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'during/after-refusal.txt', Body: 'accepted' }));

  // The source region is lost during the failover: clients keep working on the target; failback cannot start.
  const sourcePort = regions.source.port;
  regions.source.child.kill('SIGKILL');
  await regions.source.stop();
  await shipping(true); // the changes wait for the source
  const w2 = startWriter(client, 'w2/', 50);
  await sleep(3_000);
  await w2.stop();
  t.same(w2.stale, [], `with the source down, the target serves reads and writes (${w2.changes} changes)`);
  t.equal(w2.refused, 0, 'and refuses none');
  const down = await cli(['failback', 'photos']);
  t.match(down.stderr, /REGION_UNREACHABLE/, 'failback with the source down: refused');

  // The source comes back; failback under a live writer ships every change back first.
  regions.source = await startLocalRegion(join(regions.dir, 'cn-bj'), { port: sourcePort, buckets: ['photos'] });
  const backlog = (await ferry.journal.pendingByRule())[0]?.operations ?? 0;
  const w3 = startWriter(client, 'w3/', 10);
  await sleep(300);
  const back = await cli(['failback', 'photos', '--json', '--timeout', '120']);
  t.equal(back.code, 0, `ferry failback: ${back.stderr}`);
  const backReport = JSON.parse(back.stdout.trim().split('\n').pop()!) as { primary: string; pausedMs: number; totalMs: number; verified: number };
  t.equal(backReport.primary, 'source');
  t.equal(rule().primary, undefined, 'the configuration is back to normal');
  await sleep(1_000);
  await w3.stop();
  t.same(w3.stale, [], `no read older than the client's own write across the failback (${w3.changes} changes, ${w3.refused} paused 503s)`);

  // Every acknowledged change is in the original source.
  await waitFor(async () => (await ferry.journal.pendingByRule()).length === 0, 30_000, 'the last changes shipped');
  const lost: string[] = [];
  for (const w of [w1, w2, w3]) {
    for (const [key, want] of w.acked) {
      const got = (await storedObject(source, 'photos', key))?.md5 ?? null;
      if (got !== want) lost.push(`${key}: source has ${got}, acknowledged ${want}`);
    }
  }
  t.same(lost, [], `the source holds every acknowledged change (${w1.acked.size + w2.acked.size + w3.acked.size} keys)`);
  t.equal((await storedObject(source, 'photos', 'during/unshipped.txt'))?.md5, md5('not shipped yet'));
  t.same(await compareBuckets(source, 'photos', target, 'photos-replica'), [], 'and both buckets are equal');
  const read = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'during/direct.txt' }));
  t.not(read.ReplicationStatus, 'REPLICA', 'reads are the source\'s again');

  // A disaster failover: the source dies with a change not shipped; refused unless --force.
  await shipping(false);
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'late/unshipped.txt', Body: 'x' }));
  regions.source.child.kill('SIGKILL');
  await regions.source.stop();
  const unforced = await cli(['failover', 'photos']);
  t.match(unforced.stderr, /CUTOVER_UNSHIPPED/, 'failover with the source down and a change not shipped: refused');
  const forced = await cli(['failover', 'photos', '--force']);
  t.equal(forced.code, 0, `with --force it goes ahead: ${forced.stderr}`);
  t.equal(rule().primary, 'target');
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'late/after.txt', Body: 'served by the target' }));
  t.equal((await storedObject(target, 'photos-replica', 'late/after.txt'))?.md5, md5('served by the target'));
  t.comment(`FIGURES cutover: failoverPausedMs=${overReport.pausedMs} failbackChanges=${backlog} failbackTotalMs=${backReport.totalMs} ` +
    `failbackPausedMs=${backReport.pausedMs} writerPaused503s=${w1.refused + w3.refused}`);
});
