// Fault 5: the journal on a filesystem that fills up (tmpfs) or that the kernel turns read-only under the running
// gateway (ext4 on a loop device, errors=remount-ro, tripped with trigger_fs_error). Changes are refused with 503
// and never forwarded, reads are served, the process keeps running, and it recovers.
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, waitFor, type Regions } from '../helpers/world.js';
import { compareBuckets, storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, sleep, waitDrained } from '../helpers/faults-world.js';
import { fillUp, mountExt4, mountTmpfs, mountsAvailable, removeImage, type Mount } from '../helpers/faults-mounts.js';

type Answer = { status?: number; code?: string };
const answer = (p: Promise<unknown>): Promise<Answer> => p.then(() => ({ status: 200 }),
  (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({ status: e.$metadata?.httpStatusCode, code: e.name }));

interface World {
  regions: Regions;
  source: FaultProxy;
  target: FaultProxy;
  file: string;
  journal: string;
  ferry: FerryProcess;
  s3: S3Client;
}

async function startWorld(regions: Regions, journalDir: string): Promise<World> {
  const source = await new FaultProxy(regions.source.endpoint).start();
  const target = await new FaultProxy(regions.target.endpoint).start();
  const journal = join(journalDir, 'journal.db');
  const raw = rawConfig(regions, { rules: [RULE], journal: { path: journal }, log: { level: 'info' },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500 } }) as { regions: Record<string, { endpoint: string }> };
  raw.regions['cn-bj']!.endpoint = source.endpoint;
  raw.regions['cn-sh']!.endpoint = target.endpoint;
  const file = writeConfig(regions.dir, raw);
  const ferry = await startFerryProcess(file);
  return { regions, source, target, file, journal, ferry, s3: sdkClient(ferry.endpoint) };
}

/** Every kind of change is refused with 503 and reaches neither the source nor the journal; reads still work. */
async function refusesChangesServesReads(t: Tap.Test, w: World): Promise<number> {
  const forwarded = w.source.forwarded;
  const refused = [
    await answer(w.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'refused.txt', Body: 'not journaled' }))),
    await answer(w.s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'before.txt' }))),
    await answer(w.s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: 'before.txt' }] } }))),
    await answer(w.s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy.txt', CopySource: 'photos/before.txt' }))),
  ];
  t.same(refused, refused.map(() => ({ status: 503, code: 'ServiceUnavailable' })), 'put, delete, multi-delete and copy refused with 503');
  t.equal(w.source.forwarded, forwarded, 'none of them was forwarded');
  const direct = regionClient(w.regions.source);
  t.equal(await storedObject(direct, 'photos', 'refused.txt'), null, 'the source never saw the refused put');
  t.equal((await storedObject(direct, 'photos', 'before.txt'))?.size, 'acknowledged before'.length, 'nor the refused deletes');
  const get = await w.s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'before.txt' }));
  t.equal(await get.Body!.transformToString(), 'acknowledged before', 'reads are served');
  const list = await w.s3.send(new ListObjectsV2Command({ Bucket: 'photos' }));
  t.ok(list.Contents?.some((o) => o.Key === 'before.txt'), 'listings are served');
  return refused.length;
}

async function recovers(t: Tap.Test, w: World): Promise<void> {
  t.equal(w.ferry.child.exitCode, null, 'the gateway kept running');
  await w.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'after.txt', Body: 'accepted again' }));
  t.pass('changes are accepted again');
  await waitDrained(w.journal, 30_000);
  t.same(await compareBuckets(regionClient(w.regions.source), 'photos', regionClient(w.regions.target), 'photos-replica'), [],
    'everything acknowledged reached the target');
  const chain = await runCli(['journal', 'verify', '--config', w.file]);
  t.equal(chain.code, 0, chain.stdout.trim().split('\n').pop());
}

t.test('the journal on a full filesystem', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  if (!mountsAvailable(regions.dir)) {
    await regions.stop();
    t.fail('mounting a tmpfs needs root (CI runs as root): the journal fault suite cannot run here');
    return;
  }
  let mnt: Mount | undefined;
  let w: World | undefined;
  t.teardown(async () => { await w?.ferry.kill('SIGKILL'); mnt?.unmount(); await w?.source.stop(); await w?.target.stop(); await regions.stop(); });
  mnt = mountTmpfs(join(regions.dir, 'journal-fs'), 2 * 1024 * 1024);
  w = await startWorld(regions, mnt.dir);
  await w.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'before.txt', Body: 'acknowledged before' }));
  await waitDrained(w.journal, 10_000);
  // A copy in flight when the disk fills: its bookkeeping fails too, and must not take the process down.
  w.target.faults = { stallMs: 2_000, stallRate: 1, methods: ['PUT'] };
  await w.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'in-flight.txt', Body: 'shipping when the disk fills' }));
  await waitFor(() => w!.target.log.includes('PUT /photos-replica/in-flight.txt'), 10_000, 'the copy to start');
  const filler = fillUp(mnt.dir);

  const n = await refusesChangesServesReads(t, w);
  t.match(w.ferry.output.join('\n'), /journal unavailable; change refused/, 'the refusals are logged');
  await sleep(2_500);
  t.match(w.ferry.output.join('\n'), /shipper cannot write the journal; shipping paused/, 'the copy in flight could not record its result');
  t.equal(w.ferry.child.exitCode, null, 'and that did not stop the process');
  rmSync(filler);
  w.target.faults = {};
  await recovers(t, w);
  t.comment(`FIGURES journal-full: refusedChanges=${n} forwarded=0`);
});

t.test('the journal on a filesystem the kernel makes read-only', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  if (!mountsAvailable(regions.dir)) {
    await regions.stop();
    t.fail('loop-mounting an ext4 image needs root (CI runs as root): the journal fault suite cannot run here');
    return;
  }
  const image = join(regions.dir, '..', `${regions.dir.split('/').pop()}-journal.img`);
  const mnt = mountExt4(join(regions.dir, 'journal-fs'), image, 16);
  let w: World | undefined;
  t.teardown(async () => { await w?.ferry.kill('SIGKILL'); mnt.unmount(); removeImage(image); await w?.source.stop(); await w?.target.stop(); await regions.stop(); });
  w = await startWorld(regions, mnt.dir);
  await w.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'before.txt', Body: 'acknowledged before' }));
  await waitDrained(w.journal, 10_000);
  mnt.forceReadOnly();

  const n = await refusesChangesServesReads(t, w);
  t.match(w.ferry.output.join('\n'), /journal unavailable; change refused/, 'the refusals are logged');
  t.equal(w.ferry.child.exitCode, null, 'the gateway keeps running on a read-only journal');
  // A read-only filesystem does not come back by itself: the operator repairs it and restarts Ferry.
  await w.ferry.kill('SIGKILL');
  mnt.unmount();
  mnt.remount();
  w.ferry = await startFerryProcess(w.file);
  w.s3 = sdkClient(w.ferry.endpoint);
  await recovers(t, w);
  t.comment(`FIGURES journal-readonly: refusedChanges=${n} forwarded=0`);
});
