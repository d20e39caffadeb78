import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { S3RVER_MAIN, scratch } from '../lib/paths.js';
import { start } from '../lib/proc.js';

/** An s3rver region in its own process (as Ferry's tests run it), storing under bench/tmp/s3rver/<name>. */
export interface S3rverRegion {
  name: string;
  endpoint: string;
  pid: number;
  pids(): number[];
  stop(): Promise<void>;
}

export async function startS3rver(name: string, buckets: string[]): Promise<S3rverRegion> {
  const dir = scratch('s3rver', name);
  rmSync(dir, { recursive: true, force: true });
  scratch('s3rver', name);
  const proc = start(process.execPath, ['--openssl-legacy-provider', S3RVER_MAIN, dir, '0', ...buckets],
    // The region stops when its stdin ends (it follows its parent): the pipe stays open while the bench runs.
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: proc.child.stdout! }).once('line', resolve)),
    proc.exited.then((code) => { throw new Error(`s3rver ${name} exited with ${code}`); }),
  ]);
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  return { name, endpoint, pid: proc.pid, pids: () => [proc.pid], stop: () => proc.stop() };
}
