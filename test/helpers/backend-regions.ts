// Two test regions from either backend (s3rver processes, or the radosgw processes of one Ceph cluster) behind one
// shape, so a suite written once can run against both: endpoints, a Ferry config, clients straight to each region,
// and a way to make the target hang.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, startRegions, type Regions } from './world.js';
import { rgwClient, rgwRawConfig, startRgwRegions, type RgwRegions } from './rgw-regions.js';

export type Backend = 's3rver' | 'rgw';

export interface BackendRegions {
  backend: Backend;
  /** Scratch folder of the regions (configs and journals go here; removed by stop()). */
  dir: string;
  sourceEndpoint: string;
  targetEndpoint: string;
  /** A raw Ferry config for these regions (source cn-bj, target cn-sh); tests override what they need. */
  rawConfig(extra?: Record<string, unknown>): Record<string, unknown>;
  /** A new SDK client straight to the source region, with that region's own credentials. */
  sourceClient(): S3Client;
  /** A new SDK client straight to the target region. */
  targetClient(): S3Client;
  /** The region secrets Ferry holds, for leak checks (never printed). */
  secrets: string[];
  /** Stops (SIGSTOP) and resumes (SIGCONT) the target region's server process: it keeps accepting connections, answers nothing. */
  pauseTarget(): void;
  resumeTarget(): void;
  /** The underlying regions, for what only one backend has. */
  s3rver?: Regions;
  rgw?: RgwRegions;
  stop(): Promise<void>;
}

/** Starts two regions of `backend` with these buckets created. */
export async function startBackendRegions(backend: Backend, buckets: { source: string[]; target: string[] }): Promise<BackendRegions> {
  if (backend === 'rgw') {
    const rgw = await startRgwRegions(buckets);
    // The target's radosgw pid, as the cluster wrote it (start.sh: DIR/run/NAME.pid).
    const targetPid = Number(readFileSync(join(rgw.dir, 'cluster', 'run', 'client.rgw.b.pid'), 'utf8').trim());
    const send = (sig: NodeJS.Signals) => {
      try {
        process.kill(targetPid, sig);
      } catch { /* already gone */ }
    };
    return {
      backend, rgw, dir: rgw.dir, sourceEndpoint: rgw.source.endpoint, targetEndpoint: rgw.target.endpoint,
      rawConfig: (extra) => rgwRawConfig(rgw, extra),
      sourceClient: () => rgwClient(rgw.source),
      targetClient: () => rgwClient(rgw.target),
      secrets: [rgw.source.secretAccessKey, rgw.target.secretAccessKey],
      pauseTarget: () => send('SIGSTOP'),
      resumeTarget: () => send('SIGCONT'),
      async stop() {
        send('SIGCONT');
        await rgw.stop();
      },
    };
  }
  const regions = await startRegions(buckets);
  return {
    backend, s3rver: regions, dir: regions.dir, sourceEndpoint: regions.source.endpoint, targetEndpoint: regions.target.endpoint,
    rawConfig: (extra) => rawConfig(regions, extra),
    sourceClient: () => regionClient(regions.source),
    targetClient: () => regionClient(regions.target),
    secrets: [],
    pauseTarget: () => { regions.target.child.kill('SIGSTOP'); },
    resumeTarget: () => { regions.target.child.kill('SIGCONT'); },
    async stop() {
      regions.target.child.kill('SIGCONT');
      await regions.stop();
    },
  };
}

/** The multipart uploads in progress in `bucket` (key and upload id), every page of them. */
export async function uploadsInProgress(client: S3Client, bucket: string): Promise<Array<{ key: string; uploadId: string }>> {
  const out: Array<{ key: string; uploadId: string }> = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }));
    out.push(...(res.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! })));
    if (!res.IsTruncated) break;
    KeyMarker = res.NextKeyMarker;
    UploadIdMarker = res.NextUploadIdMarker;
  }
  return out;
}
