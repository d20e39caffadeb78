import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CLIENT_KEY, CLIENT_SECRET } from './world.js';

const SCRIPTS = fileURLToPath(new URL('../../scripts/rgw/', import.meta.url));
const TOOLS = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool'];
const START_TIMEOUT_MS = 180_000;

/** One S3 region served by a radosgw process: its endpoint and the credentials of its own user. */
export interface RgwRegion {
  name: string;
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** The RGW tenant of the region's user: buckets are named inside it, so each region has its own namespace. */
  tenant: string;
}

/** Two RGW regions of one one-node Ceph cluster (source cn-bj, target cn-sh), shaped like world.ts's Regions. */
export interface RgwRegions {
  dir: string;
  source: RgwRegion;
  target: RgwRegion;
  /** How long the cluster took to create and start, in milliseconds. */
  startMs: number;
  stop(): Promise<void>;
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure Ceph is there: installs it through scripts/rgw/install.sh when a tool is missing. Throws with the
 * reason when it cannot (not root, no package source): the RGW tests fail then, they never skip.
 */
export function ensureCeph(): void {
  if (TOOLS.every(onPath)) return;
  const res = spawnSync('bash', [join(SCRIPTS, 'install.sh')], { encoding: 'utf8', timeout: 600_000 });
  const missing = TOOLS.filter((t) => !onPath(t));
  if (res.status !== 0 || missing.length) {
    throw new Error(`Ceph RGW is not available (missing: ${missing.join(', ') || 'none'}); scripts/rgw/install.sh ` +
      `exited with ${res.status ?? res.signal}: ${(res.stderr || res.error?.message || '').trim().slice(-2000)}`);
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Whether `pid` is still one of this cluster's daemons (its command line names the cluster's conf file). */
function alive(pid: number, conf: string): boolean {
  const cmd = cmdlineOf(pid);
  if (!cmd.includes(conf)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

function signal(pids: number[], conf: string, sig: NodeJS.Signals): void {
  for (const pid of pids) {
    if (!alive(pid, conf)) continue;
    try {
      process.kill(pid, sig);
    } catch { /* gone already */ }
  }
}

async function stopGroup(pids: number[], conf: string): Promise<void> {
  signal(pids, conf, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (pids.some((p) => alive(p, conf)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  signal(pids, conf, 'SIGKILL');
}

function readPid(dir: string, name: string): number {
  try {
    return Number(readFileSync(join(dir, 'run', `${name}.pid`), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** Every daemon pid the cluster under `dir` wrote: the gateways, then the OSD and the monitor (a throwaway cluster). */
function clusterPids(dir: string): number[][] {
  return [
    [readPid(dir, 'client.rgw.a'), readPid(dir, 'client.rgw.b')],
    [readPid(dir, 'osd.0'), readPid(dir, 'mon.a')],
  ].map((g) => g.filter((p) => p > 0));
}

/**
 * A detached watcher that stops the cluster and removes `dir` once this process is gone, however it ended (a
 * test runner's timeout kills it without running teardowns). Polls once a second, for at most six hours.
 */
function startWatchdog(dir: string): ChildProcess {
  const script = 'for ((i = 0; i < 21600; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 1; done; "$2" "$3"; rm -rf "$4"';
  const child = spawn('bash', ['-c', script, 'rgw-watchdog', String(process.pid), join(SCRIPTS, 'stop.sh'), join(dir, 'cluster'), dir],
    { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

type Keys = Record<'a' | 'b', { access: string; secret: string }>;

/** Runs scripts/rgw/start.sh for `clusterDir` (bounded in time); its exit code and output. */
function runStart(clusterDir: string, keys: Keys): Promise<{ code: number | string; out: string; err: string }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    const child = spawn('bash', [join(SCRIPTS, 'start.sh'), clusterDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RGW_A_ACCESS_KEY: keys.a.access, RGW_A_SECRET_KEY: keys.a.secret,
        RGW_B_ACCESS_KEY: keys.b.access, RGW_B_SECRET_KEY: keys.b.secret, RGW_A_TENANT: 'cnbj', RGW_B_TENANT: 'cnsh' },
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), START_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: e.message, out, err }); });
    child.on('exit', (c, sig) => { clearTimeout(timer); resolve({ code: c ?? String(sig), out, err }); });
  });
}

/**
 * Starts a one-node Ceph cluster under a fresh folder in os.tmpdir() with its own free ports: one monitor, one
 * bluestore OSD on a file, no manager, and two radosgw processes on 127.0.0.1, each with its own user in its
 * own tenant. Creates the buckets, then returns once both answer S3. Throws with the cluster's log tails when
 * anything fails. `stop()` ends every daemon by pid and removes the folder; so does the process's exit, and a
 * watcher does it when the process is killed.
 */
export async function startRgwRegions(buckets: { source: string[]; target: string[] }): Promise<RgwRegions> {
  ensureCeph();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rgw-'));
  const conf = join(dir, 'cluster', 'ceph.conf');
  const keys: Keys = {
    a: { access: `FERRYRGWA${randomBytes(6).toString('hex').toUpperCase()}`, secret: randomBytes(24).toString('base64url') },
    b: { access: `FERRYRGWB${randomBytes(6).toString('hex').toUpperCase()}`, secret: randomBytes(24).toString('base64url') },
  };
  const watchdog = startWatchdog(dir);
  const endWatchdog = () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
  const clear = () => {
    for (const group of clusterPids(join(dir, 'cluster'))) signal(group, conf, 'SIGKILL');
    rmSync(join(dir, 'cluster'), { recursive: true, force: true });
  };
  const killNow = () => {
    clear();
    rmSync(dir, { recursive: true, force: true });
    endWatchdog();
  };
  process.once('exit', killNow);
  const started = Date.now();
  let result = await runStart(join(dir, 'cluster'), keys);
  // Free ports are picked, then bound by the daemons: another process can take one in between. Try once more.
  if (result.code !== 0 && /port in use|Address already in use/.test(result.err)) {
    clear();
    result = await runStart(join(dir, 'cluster'), keys);
  }
  const last = result.out.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !last.startsWith('{')) {
    killNow();
    process.off('exit', killNow);
    throw new Error(`the Ceph RGW cluster did not start (start.sh exited with ${result.code}):\n${result.err.trim().slice(-4000)}`);
  }
  const info = JSON.parse(last) as { a: { endpoint: string; tenant: string }; b: { endpoint: string; tenant: string } };
  const region = (name: string, r: { endpoint: string; tenant: string }, k: { access: string; secret: string }): RgwRegion => ({
    name, endpoint: r.endpoint, port: Number(new URL(r.endpoint).port), accessKeyId: k.access, secretAccessKey: k.secret, tenant: r.tenant,
  });
  const source = region('cn-bj', info.a, keys.a);
  const target = region('cn-sh', info.b, keys.b);
  let stopped = false;
  const regions: RgwRegions = {
    dir, source, target, startMs: Date.now() - started,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const group of clusterPids(join(dir, 'cluster'))) await stopGroup(group, conf);
      rmSync(dir, { recursive: true, force: true });
      endWatchdog();
      process.off('exit', killNow);
    },
  };
  try {
    for (const [r, names] of [[source, buckets.source], [target, buckets.target]] as const) {
      // A client of region us-east-1 sends no LocationConstraint, which RGW's one zonegroup would refuse.
      const client = rgwClient({ ...r, name: 'us-east-1' });
      for (const Bucket of names) await client.send(new CreateBucketCommand({ Bucket }));
      client.destroy();
    }
  } catch (e) {
    await regions.stop();
    throw new Error(`creating the buckets in the RGW regions failed: ${(e as Error).message}`);
  }
  return regions;
}

/** An SDK client straight to an RGW region, with its own user's credentials. */
export function rgwClient(region: RgwRegion, opts: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({ endpoint: region.endpoint, region: region.name, forcePathStyle: true,
    credentials: { accessKeyId: region.accessKeyId, secretAccessKey: region.secretAccessKey }, maxAttempts: opts.maxAttempts ?? 2 });
}

/** A raw Ferry config whose two regions are the RGW ones (like world.ts's rawConfig); tests override what they need. */
export function rgwRawConfig(regions: RgwRegions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const entry = (r: RgwRegion) => ({ endpoint: r.endpoint, accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey });
  return {
    listen: '127.0.0.1:0',
    journal: { path: join(regions.dir, `journal-${randomBytes(4).toString('hex')}.db`) },
    regions: { [regions.source.name]: entry(regions.source), [regions.target.name]: entry(regions.target) },
    source: regions.source.name,
    clients: [{ accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }],
    rules: [],
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000 },
    log: { level: 'silent' },
    ...extra,
  };
}

