import t from 'tap';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { CLIENT_KEY, CLIENT_SECRET, rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { openJournalFile } from '../helpers/journal-sql.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };
const MiB = 1024 * 1024;

/** Deterministic pseudo-random bytes, generated chunk by chunk so the test itself holds no whole object. */
function generated(size: number, seed: number): { stream: () => Readable; md5: string } {
  const chunk = (i: number) => {
    const b = Buffer.allocUnsafe(MiB);
    let x = (seed * 2654435761 + i * 40503) >>> 0;
    for (let j = 0; j < MiB; j += 4) { x = (x * 1664525 + 1013904223) >>> 0; b.writeUInt32LE(x, j); }
    return b;
  };
  const md5 = createHash('md5');
  for (let i = 0; i < size / MiB; i++) md5.update(chunk(i));
  return { stream: () => Readable.from((function* () { for (let i = 0; i < size / MiB; i++) yield chunk(i); })()), md5: md5.digest('hex') };
}

/** A process's VmRSS (now) or VmHWM (its high-water mark), bytes. */
function rss(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) * 1024;
}

// What replicating 300 MB may add to each process's memory after start: the gateway's stream buffers, the shipper's
// parts in flight (concurrency x part size), and the chunks V8 has not collected yet. The 150 MB budget less the some
// 80 MiB a process takes at start on Node 20; the start itself is the runtime's (Node 24's is some 15 MiB larger)
// and is left out. Held whole, the object would add 300 MB.
const GROWTH = 64 * MiB;

t.test('a 300 MB object replicates, adding less than 64 MiB to the gateway\'s and the shipper\'s memory', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, { rules: [RULE] }) as Record<string, any>;
  raw.shipper = { ...raw.shipper, enabled: false };
  const gateway = await startFerryProcess(writeConfig(regions.dir, raw, 'gateway.json'));
  const shipper = await startFerryProcess(writeConfig(regions.dir, { ...raw, shipper: { ...raw.shipper, enabled: true } }, 'shipper.json'), 'ship');
  t.teardown(async () => { await gateway.kill(); await shipper.kill(); await regions.stop(); });
  const gwStart = rss(gateway.child.pid!, 'VmRSS');
  const shStart = rss(shipper.child.pid!, 'VmRSS');

  const data = generated(300 * MiB, 7);
  const s3 = sdkClient(gateway.endpoint);
  await new Upload({ client: s3, params: { Bucket: 'photos', Key: 'huge.bin', Body: data.stream() }, partSize: 16 * MiB, queueSize: 2 }).done();
  const journal = openJournalFile(raw.journal.path);
  t.teardown(() => journal.close());
  await waitFor(() => (journal.prepare("SELECT state FROM changes WHERE key = 'huge.bin'").get() as { state?: string } | undefined)?.state === 'shipped',
    400_000, 'the 300 MB object to ship');
  const dst = regionClient(regions.target);
  t.equal((await storedObject(dst, 'photos-replica', 'huge.bin'))?.md5, data.md5, 'the replica holds the same bytes');
  const gw = rss(gateway.child.pid!, 'VmHWM');
  const sh = rss(shipper.child.pid!, 'VmHWM');
  const mb = (bytes: number) => (bytes / MiB).toFixed(0);
  t.comment(`peak RSS: gateway ${mb(gw)} MiB (${mb(gwStart)} at start), shipper ${mb(sh)} MiB (${mb(shStart)} at start)`);
  t.ok(gw - gwStart < GROWTH, `the gateway grew ${mb(gw - gwStart)} MiB`);
  t.ok(sh - shStart < GROWTH, `the shipper grew ${mb(sh - shStart)} MiB`);
});

t.test('a 20 MB multipart upload from the AWS CLI replicates', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proc = await startFerryProcess(writeConfig(regions.dir, rawConfig(regions, { rules: [RULE] })));
  t.teardown(async () => { await proc.kill(); await regions.stop(); });
  const file = join(regions.dir, 'cli-20mb.bin');
  const body = Buffer.alloc(20 * MiB);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i * 2654435761 >>> 0, i);
  writeFileSync(file, body);
  const env = { PATH: process.env.PATH, HOME: regions.dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_DEFAULT_REGION: 'cn-bj',
    AWS_ACCESS_KEY_ID: CLIENT_KEY, AWS_SECRET_ACCESS_KEY: CLIENT_SECRET };
  await promisify(execFile)('/usr/bin/aws', ['--endpoint-url', proc.endpoint, 's3', 'cp', file, 's3://photos/cli/20mb.bin'], { env });
  const dst = regionClient(regions.target);
  const want = createHash('md5').update(body).digest('hex');
  await waitFor(async () => (await storedObject(dst, 'photos-replica', 'cli/20mb.bin')) !== null, 180_000, 'the CLI upload in the target');
  await new Promise((r) => setTimeout(r, 500));
  t.equal((await storedObject(dst, 'photos-replica', 'cli/20mb.bin'))?.md5, want, 'the replica holds the same bytes');
  t.equal((await storedObject(regionClient(regions.source), 'photos', 'cli/20mb.bin'))?.md5, want, 'the source holds the same bytes');
});
