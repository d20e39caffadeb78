// A gateway over two regions (s3rver, or Ceph RGW), with one replication rule, for tests that drive real S3 clients.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { sdkClient, startTestFerry, waitFor, type Regions } from './world.js';
import { storedObject, type StoredObject } from './objects.js';
import { journalDb } from './journal-sql.js';
import { startBackendRegions, type Backend, type BackendRegions } from './backend-regions.js';

export const BUCKET = 'data';
export const REPLICA = 'replica';

export interface ClientWorld {
  /** The s3rver regions (the s3rver backend only; `backend` serves both). */
  regions: Regions;
  backend: BackendRegions;
  ferry: Awaited<ReturnType<typeof startTestFerry>>;
  endpoint: string;
  port: number;
  /** The SDK through the gateway. */
  s3: S3Client;
  /** The SDK straight to the source region. */
  direct: S3Client;
  /** The SDK straight to the target region. */
  target: S3Client;
  /** A scratch folder for files and client configuration. */
  tmp: string;
  /** What the source stores for `key` in BUCKET (null when absent). */
  stored(key: string): Promise<StoredObject | null>;
  /** Journal rows for `key` in BUCKET, oldest first. */
  journalRows(key: string): Array<{ seq: number; operation: string; state: string; status: number | null; last_error: string | null }>;
  /** Waits until a change of `key` is journaled as applied (the outcome may follow the answer by one commit). */
  appliedRows(key: string): Promise<ReturnType<ClientWorld['journalRows']>>;
  /** Waits until nothing is left to ship: an empty queue and no change still an intent or pending. */
  drained(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Regions with `data` (source, replicated into `replica` in the target region) and Ferry in front of them. */
export async function startClientWorld(opts: { backend?: Backend } = {}): Promise<ClientWorld> {
  const backend = await startBackendRegions(opts.backend ?? 's3rver', { source: [BUCKET], target: [REPLICA] });
  const ferry = await startTestFerry(backend.rawConfig({
    rules: [{ id: 'data', source: BUCKET, target: { region: 'cn-sh', bucket: REPLICA } }],
  })).catch(async (err: unknown) => { await backend.stop(); throw err; });
  const tmp = mkdtempSync(join(tmpdir(), 'ferry-clients-'));
  const direct = backend.sourceClient();
  const target = backend.targetClient();
  const count = (sql: string) => (journalDb(ferry.journal).prepare(sql).get() as { n: number }).n;
  const journalRows = (key: string) => journalDb(ferry.journal).prepare(
    'SELECT seq, operation, state, status, last_error FROM changes WHERE bucket = ? AND key = ? ORDER BY seq',
  ).all(BUCKET, key) as ReturnType<ClientWorld['journalRows']>;
  return {
    get regions(): Regions {
      if (!backend.s3rver) throw new Error(`w.regions holds s3rver regions; this world runs on ${backend.backend}: use w.backend`);
      return backend.s3rver;
    },
    backend, ferry, tmp, direct, target,
    endpoint: ferry.endpoint,
    port: ferry.address!.port,
    s3: sdkClient(ferry.endpoint),
    stored: (key) => storedObject(direct, BUCKET, key),
    journalRows,
    async appliedRows(key) {
      const applied = () => journalRows(key).some((r) => r.state === 'pending' || r.state === 'shipped');
      await waitFor(applied, 5000, `an applied journal row for ${key}`);
      return journalRows(key);
    },
    drained: (ms = 60_000) => waitFor(() => count('SELECT count(*) AS n FROM queue') === 0
      && count("SELECT count(*) AS n FROM changes WHERE state IN ('intent', 'pending')") === 0, ms, 'the journal to drain'),
    async stop() {
      direct.destroy();
      target.destroy();
      await ferry.stop();
      await backend.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Writes `size` random bytes to `dir/name`; returns the path and the MD5 of its bytes. */
export function randomFile(dir: string, name: string, size: number): { path: string; md5: string } {
  const path = join(dir, name);
  const hash = createHash('md5');
  const block = 1024 * 1024;
  writeFileSync(path, '');
  for (let at = 0; at < size; at += block) {
    const bytes = randomBytes(Math.min(block, size - at));
    hash.update(bytes);
    writeFileSync(path, bytes, { flag: 'a' });
  }
  return { path, md5: hash.digest('hex') };
}

/** MD5 of a file's bytes, streamed. */
export async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
