// The region contract against s3rver, straight and through the fault proxy; and what an unreachable region is.
import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { S3Region } from '../../src/region/s3-region.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRegion } from '../../src/regions/s3rver-process.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { regionContract, unreachableContract } from './region-contract.js';

const S3RVER = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', signingRegion: 'us-east-1' };

const S3RVER_QUIRKS = { noMultipartListing: true, noContentMd5Check: true, unescapedTagXml: true, noTagsOnPut: true };

/** One s3rver region with the bucket `contract`. */
async function s3rver() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-region-'));
  const source = await startLocalRegion(dir, { buckets: ['contract'] });
  return { source, stop: async () => { await source.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

t.test('s3rver', async (t) => {
  const regions = await s3rver();
  const region = new S3Region('s3rver', { endpoint: regions.source.endpoint, ...S3RVER });
  t.teardown(async () => { await region.close(); await regions.stop(); });
  await regionContract(t, region, 'contract', S3RVER_QUIRKS);
});

t.test('s3rver through the fault proxy, faults off', async (t) => {
  const regions = await s3rver();
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const region = new S3Region('proxied', { endpoint: proxy.endpoint, ...S3RVER });
  t.teardown(async () => { await region.close(); await proxy.stop(); await regions.stop(); });
  await regionContract(t, region, 'contract', S3RVER_QUIRKS);
  t.test('through the proxy', async (t) => t.ok(proxy.forwarded > 20, `the proxy carried the suite (${proxy.forwarded} requests)`));
});

t.test('no answer is unreachable: a closed port, resets, a hung region, 503s are answers', async (t) => {
  const regions = await s3rver();
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const closed = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as AddressInfo).port; s.close(() => resolve(port)); });
  });
  const refused = new S3Region('refused', { endpoint: `http://127.0.0.1:${closed}`, ...S3RVER });
  const proxied = new S3Region('proxied', { endpoint: proxy.endpoint, ...S3RVER }, { timeoutMs: 500 });
  t.teardown(async () => { await refused.close(); await proxied.close(); await proxy.stop(); await regions.stop(); });
  await unreachableContract(t, refused, 'contract', 'connection refused');
  proxy.faults = { resetRate: 1 };
  await unreachableContract(t, proxied, 'contract', 'connection reset');
  proxy.faults = { stallMs: 3_000, stallRate: 1 };
  await unreachableContract(t, proxied, 'contract', 'a region that accepts and never answers');
  proxy.faults = { slowDownRate: 1 };
  try {
    await proxied.head('contract', 'k');
    t.fail('a 503 resolved');
  } catch (err) {
    t.match(err, { name: 'RegionError', kind: 's3', status: 503 }, 'a 503 SlowDown is an S3 answer, not unreachable');
  }
});
