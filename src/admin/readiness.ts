import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Region } from '../region/region.js';

const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Whether the journal takes writes: its write lock can be taken and its disk has room. */
export function journalWritable(db: Database.Database, path: string): string {
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (err) {
    return `not writable: ${(err as Error).message}`;
  }
  try {
    const fs = statfsSync(dirname(path));
    const free = fs.bavail * fs.bsize;
    if (free < MIN_FREE_BYTES) return `disk almost full: ${free} bytes free`;
  } catch {
    // No statfs for this file system: the lock test above stands.
  }
  return 'ok';
}

/** Whether the source region answers at all (any S3 answer, even an error, means it is reachable). */
export async function sourceReachable(source: Region, timeoutMs = 2_000): Promise<string> {
  try {
    await source.ping(AbortSignal.timeout(timeoutMs));
    return 'ok';
  } catch (err) {
    return `unreachable: ${(err as Error).message}`;
  }
}

/** `/readyz`: ready when the journal is writable and the source region reachable. */
export async function checkReady(db: Database.Database, path: string, source: Region | undefined) {
  const checks = {
    journal: journalWritable(db, path),
    source: source ? await sourceReachable(source) : 'no client for the source region',
  };
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
