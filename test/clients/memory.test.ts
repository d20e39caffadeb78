import t from 'tap';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { writeConfig } from '../helpers/ferry-process.js';
import { generatedBody, MiB, resetHighWaterMark, sampleMemory, startPlainGateway } from '../helpers/clients-memory.js';
import { rawConfig, sdkClient, startRegions } from '../helpers/world.js';

const SIZE = 1024 * MiB;
// What streaming 1 GiB may add to the gateway's memory after start: its buffers and the chunks V8 has not collected
// yet (a scavenge comes at 32 MiB of them). The 150 MB budget less the 78 MiB a gateway takes at start on Node 20;
// the start itself is the runtime's (Node 24's is some 15 MiB larger) and is left out. Held whole, the object would
// add 1 GiB.
const GROWTH = 64 * MiB;
const mb = (bytes: number) => (bytes / MiB).toFixed(1);

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

t.test('1 GiB up and down through the gateway (a child process) adds less than 64 MiB to its memory', async (t) => {
  const regions = await startRegions({ source: ['data'], target: [] });
  const raw = rawConfig(regions, { log: { level: 'warn' } });
  raw.shipper = { ...(raw.shipper as object), enabled: false };
  const gateway = await startPlainGateway(writeConfig(regions.dir, raw, 'gateway.json'));
  t.teardown(async () => { await gateway.kill(); await regions.stop(); });
  const pid = gateway.child.pid!;
  const s3 = sdkClient(gateway.endpoint);
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'warm-up', Body: 'x' }));
  resetHighWaterMark(pid);
  const memory = sampleMemory(pid, 100);
  const start = memory.now().peakRss;
  t.comment(`gateway RSS after start: ${mb(start)} MiB`);

  // A stream body of known length: the SDK sends it aws-chunked with a trailing CRC32, which Ferry decodes.
  const body = generatedBody(SIZE, 7);
  let started = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'big/1gib.bin', Body: body.stream, ContentLength: SIZE }));
  const upSeconds = (performance.now() - started) / 1000;
  const afterUpload = memory.now();
  t.comment(`upload: ${upSeconds.toFixed(1)} s, ${(SIZE / MiB / upSeconds).toFixed(0)} MiB/s; peak RSS so far ${mb(afterUpload.peakRss)} MiB`);

  const file = join(regions.dir, 'cn-bj', 'data', 'big', '1gib.bin._S3rver_object');
  t.equal(statSync(file).size, SIZE, 'the source stores 1 GiB');
  const stored = await md5OfFile(file);
  t.equal(stored, body.md5(), 'the bytes on the source disk are the bytes sent');
  t.equal(readFileSync(`${file}.md5`, 'utf8'), stored, 'and s3rver computed the same MD5');

  started = performance.now();
  const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'big/1gib.bin' }));
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of got.Body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  const downSeconds = (performance.now() - started) / 1000;
  t.equal(size, SIZE, 'the download is 1 GiB');
  t.equal(hash.digest('hex'), stored, 'the download has the stored bytes');
  const peak = memory.stop();
  t.comment(`download: ${downSeconds.toFixed(1)} s, ${(SIZE / MiB / downSeconds).toFixed(0)} MiB/s`);
  t.comment(`gateway memory: peak sampled RSS ${mb(peak.peakRss)} MiB, VmHWM ${mb(peak.hwm)} MiB (${peak.samples} samples)`);
  t.ok(peak.samples > 10, 'memory was sampled throughout');
  t.ok(peak.hwm - start < GROWTH, `gateway high-water RSS ${mb(peak.hwm)} MiB, ${mb(peak.hwm - start)} over its ${mb(start)} at start`);
  t.ok(peak.peakRss - start < GROWTH, 'and so does every sample');
});
