import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FERRY_CLI, scratch } from '../lib/paths.js';
import { start, withChildren } from '../lib/proc.js';

/** The credential the load generator signs with when it talks to Ferry. */
export const FERRY_CLIENT = { accessKeyId: 'BENCHCLIENT', secretAccessKey: 'bench-client-secret-0123456789abcdef' };
/** s3rver's fixed credential. */
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface FerrySetup {
  /** Where the journal and the configuration go (wiped first). */
  name: string;
  sourceEndpoint: string;
  targetEndpoint: string;
  /** The regions' credentials (s3rver's fixed one unless given). */
  sourceKey?: { accessKeyId: string; secretAccessKey: string };
  targetKey?: { accessKeyId: string; secretAccessKey: string };
  /** Declares the source region's service to count tags in its GET answers (`regions.NAME.countsTags`). */
  sourceCountsTags?: boolean;
  /** A rule from this source bucket to this target bucket, so changes are journaled. */
  rule?: { sourceBucket: string; targetBucket: string };
  shipper: { enabled: boolean; concurrency?: number; pollIntervalMs?: number };
  /** Extra `node` flags (such as --cpu-prof). */
  nodeFlags?: string[];
  /** A PostgreSQL journal instead of the SQLite file (every gateway of a fleet names the same one). */
  journalUrl?: string;
}

export interface FerryServer {
  endpoint: string;
  pid: number;
  configFile: string;
  journalPath: string;
  pids(): number[];
  stop(): Promise<void>;
}

/** The configuration file `ferry serve` reads, written under bench/tmp/ferry/<name>. */
export function writeFerryConfig(s: FerrySetup): { dir: string; file: string; journal: string } {
  const dir = scratch('ferry', s.name);
  rmSync(dir, { recursive: true, force: true });
  scratch('ferry', s.name);
  const journal = join(dir, 'journal.db');
  const config = {
    listen: '127.0.0.1:0',
    journal: s.journalUrl ? { url: s.journalUrl } : { path: journal },
    regions: {
      'bench-src': { endpoint: s.sourceEndpoint, ...(s.sourceKey ?? S3RVER_KEY), ...(s.sourceCountsTags === undefined ? {} : { countsTags: s.sourceCountsTags }) },
      'bench-dst': { endpoint: s.targetEndpoint, ...(s.targetKey ?? S3RVER_KEY) },
    },
    source: 'bench-src',
    clients: [FERRY_CLIENT],
    rules: s.rule ? [{ id: 'bench', source: s.rule.sourceBucket, target: { region: 'bench-dst', bucket: s.rule.targetBucket } }] : [],
    shipper: { enabled: s.shipper.enabled, concurrency: s.shipper.concurrency ?? 8, pollIntervalMs: s.shipper.pollIntervalMs ?? 200 },
    upstream: { connections: 128 },
    // Like nginx's `access_log off`: the journal is the audit trail; per-request log lines are not measured.
    log: { level: 'warn' },
  };
  const file = join(dir, 'ferry.json');
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { dir, file, journal };
}

/**
 * `ferry serve --config` as users run it, in its own process; with FERRY_BENCH_PROFILE set (`--profile`), under
 * --cpu-prof, writing ferry-<name>.cpuprofile there when it stops.
 */
export async function startFerryServer(s: FerrySetup): Promise<FerryServer> {
  const { file, journal } = writeFerryConfig(s);
  const profiles = process.env.FERRY_BENCH_PROFILE;
  const prof = profiles ? ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-name', `ferry-${s.name}.cpuprofile`] : [];
  const proc = start(process.execPath, [...prof, ...(s.nodeFlags ?? []), FERRY_CLI, 'serve', '--config', file],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.child.stdout! });
  const endpoint = await Promise.race([
    new Promise<string>((resolve) => lines.on('line', (line) => {
      const m = /ferry listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
      else if (line.includes('"level":50') || line.includes('"level":40')) process.stderr.write(`ferry: ${line}\n`);
    })),
    proc.exited.then((code) => { throw new Error(`ferry serve exited with ${code}`); }),
  ]);
  return { endpoint, pid: proc.pid, configFile: file, journalPath: journal, pids: () => withChildren(proc.pid), stop: () => proc.stop('SIGTERM') };
}
