import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, scratch } from '../lib/paths.js';
import { spawn, spawnSync } from 'node:child_process';
import type { Endpoint } from '../load/protocol.js';

/** Two Ceph RGW regions of one throwaway one-node cluster (scripts/rgw/start.sh, as test/rgw/ runs them). */
export interface RgwPair {
  source: Endpoint;
  target: Endpoint;
  /** Every daemon of the cluster (monitor, OSD, both radosgw), for their CPU. */
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * Starts the cluster under bench/tmp/rgw (wiped first) on free loopback ports, each region with a user of its
 * own (random keys). Throws with start.sh's output when Ceph is missing or does not start.
 */
export async function startRgwPair(): Promise<RgwPair> {
  const dir = join(scratch('rgw'), 'cluster');
  rmSync(dir, { recursive: true, force: true });
  const key = () => ({ access: `BENCH${randomBytes(6).toString('hex').toUpperCase()}`, secret: randomBytes(24).toString('base64url') });
  const a = key();
  const b = key();
  const env = { ...process.env, RGW_A_ACCESS_KEY: a.access, RGW_A_SECRET_KEY: a.secret, RGW_B_ACCESS_KEY: b.access,
    RGW_B_SECRET_KEY: b.secret, RGW_A_TENANT: 'bencha', RGW_B_TENANT: 'benchb' };
  // The daemons keep start.sh's output pipes open, so its end is its exit, not the pipes' close.
  const res = await new Promise<{ code: number | string; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', [join(REPO, 'scripts', 'rgw', 'start.sh'), dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: code ?? String(sig), stdout, stderr });
    });
  });
  const stopNow = () => { spawnSync('bash', [join(REPO, 'scripts', 'rgw', 'stop.sh'), dir, '--remove'], { stdio: 'ignore', timeout: 60_000 }); };
  process.once('exit', stopNow);
  const stop = async () => {
    stopNow();
    process.off('exit', stopNow);
  };
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0 || !last.startsWith('{')) {
    await stop();
    throw new Error(`Ceph RGW did not start (start.sh exited with ${res.code}): ${res.stderr.slice(-1500)}`);
  }
  const info = JSON.parse(last) as { a: { endpoint: string }; b: { endpoint: string } };
  const end = (endpoint: string, k: { access: string; secret: string }): Endpoint =>
    ({ endpoint, accessKeyId: k.access, secretAccessKey: k.secret, region: 'us-east-1' });
  const run = join(dir, 'run');
  return {
    source: end(info.a.endpoint, a), target: end(info.b.endpoint, b),
    pids: () => readdirSync(run).filter((f) => f.endsWith('.pid'))
      .map((f) => Number(readFileSync(join(run, f), 'utf8').trim())).filter((p) => p > 0),
    stop,
  };
}
