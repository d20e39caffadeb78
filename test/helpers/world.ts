import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { startLocalRegion, type LocalRegion } from '../../src/regions/s3rver-process.js';
import { parseConfig } from '../../src/config/parse.js';
import { startFerry, type RunningFerry } from '../../src/runtime/ferry.js';
import { createLogger } from '../../src/util/logger.js';
import type { FerryConfig } from '../../src/config/types.js';

export const CLIENT_KEY = 'FERRYTESTKEY';
export const CLIENT_SECRET = 'ferry-test-secret-aaaaaaaaaaaaaaaaaaaaaaa';

/** Two s3rver regions on loopback (source cn-bj, target cn-sh) with buckets created at start. */
export interface Regions {
  dir: string;
  source: LocalRegion;
  target: LocalRegion;
  stop(): Promise<void>;
}

export async function startRegions(buckets: { source: string[]; target: string[] }): Promise<Regions> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-'));
  const [source, target] = await Promise.all([
    startLocalRegion(join(dir, 'cn-bj'), { buckets: buckets.source }),
    startLocalRegion(join(dir, 'cn-sh'), { buckets: buckets.target }),
  ]);
  return {
    dir, source, target,
    async stop() {
      await Promise.all([this.source.stop(), this.target.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw config object for these regions; tests override what they need. */
export function rawConfig(regions: Regions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    listen: '127.0.0.1:0',
    journal: { path: join(regions.dir, `journal-${Math.random().toString(36).slice(2)}.db`) },
    regions: {
      'cn-bj': { endpoint: regions.source.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      'cn-sh': { endpoint: regions.target.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    source: 'cn-bj',
    clients: [{ accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }],
    rules: [],
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000 },
    log: { level: 'silent' },
    ...extra,
  };
}

export async function startTestFerry(raw: Record<string, unknown>, opts: { gateway?: boolean; shipper?: boolean } = {}): Promise<RunningFerry & { endpoint: string; config: FerryConfig }> {
  const config = parseConfig(raw);
  const ferry = await startFerry(config, { gateway: opts.gateway ?? true, shipper: opts.shipper ?? true, log: createLogger(config.log.level) });
  const endpoint = ferry.address ? `http://127.0.0.1:${ferry.address.port}` : '';
  return Object.assign(ferry, { endpoint });
}

/** An SDK client with its default checksum behaviour, as applications use it. */
export function sdkClient(endpoint: string, creds = { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }): S3Client {
  return new S3Client({ endpoint, region: 'cn-bj', forcePathStyle: true, credentials: creds, maxAttempts: 1 });
}

/** A client straight to a region, to look at what is really stored. */
export function regionClient(region: LocalRegion): S3Client {
  return new S3Client({ endpoint: region.endpoint, region: 'cn-bj', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 2 });
}

export function md5(buf: Buffer | string): string {
  return createHash('md5').update(buf).digest('hex');
}

/** Polls until `check` returns true, or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
