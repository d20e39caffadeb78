// System calls per 4 KiB request: the bare Node proxy and Ferry in front of one nginx WebDAV store, counted by
// `strace -c` attached to each proxy process while a bounded load runs. Unlike CPU time, the counts do not move with
// the machine's load, so they show what Ferry asks of the kernel per request (WAL frames, locks, syncs) even on a
// busy shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWebdavStore } from '../servers/nginx.js';
import { startNodeProxy } from '../servers/node-proxy.js';
import { FERRY_CLIENT, S3RVER_KEY, startFerryServer } from '../servers/ferry.js';
import { startS3rver } from '../servers/s3rver.js';
import { drain, poolFor, s3Request } from '../load/s3-request.js';
import { scratch } from '../lib/paths.js';
import type { Settings } from '../lib/settings.js';

const BUCKET = 'bench';
const WARM_OBJECTS = 200;
const CLIENTS = 8;

export interface SyscallCount { total: number; byCall: Record<string, number> }

export interface SyscallsResult {
  requests: number;
  clients: number;
  /** Per path (`node`, `ferry`) and operation (`put`, `get`): system calls per request, all and by name. */
  perRequest?: Record<string, Record<string, SyscallCount>>;
  skipped?: string;
  note: string;
}

/** Pure: `strace -c` output as calls per request (the summary's `total` row left out). */
export function parseStraceSummary(text: string, requests: number): SyscallCount {
  const byCall: Record<string, number> = {};
  for (const line of text.split('\n')) {
    // % time, seconds, usecs/call, calls, [errors,] syscall
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d+(\.\d+)?$/.test(f[0]!) || f.at(-1) === 'total') continue;
    byCall[f.at(-1)!] = Number(f[3]) / requests;
  }
  const total = Object.values(byCall).reduce((a, b) => a + b, 0);
  return { total, byCall };
}

async function counted(pid: number, out: string, run: () => Promise<void>): Promise<string> {
  const st = spawn('strace', ['-f', '-c', '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  // strace attaches to every thread before it counts: give it a moment, then the load.
  await new Promise((r) => setTimeout(r, 1_000));
  try {
    await run();
  } finally {
    st.kill('SIGINT');
    await new Promise((r) => st.once('exit', r));
  }
  return readFileSync(out, 'utf8');
}

export async function syscallsCase(s: Settings, log: (l: string) => void): Promise<SyscallsResult> {
  const requests = s.quick ? 1_000 : 4_000;
  const note = `strace -f -c attached to the proxy process; ${requests} requests per operation from ${CLIENTS} keep-alive clients, ` +
    'nginx WebDAV behind both (Ferry journals every PUT; its shipper is off)';
  if (spawnSync('strace', ['-V']).status !== 0) return { requests, clients: CLIENTS, skipped: 'strace is not installed', note };
  // strace -o replaces its output file: nothing to clear first.
  const dir = scratch('syscalls');
  const store = await startWebdavStore('syscalls', { buckets: [BUCKET] });
  const replica = await startS3rver('syscalls-replica', ['bench-replica']);
  const node = await startNodeProxy(store.endpoint);
  const ferry = await startFerryServer({ name: 'syscalls', sourceEndpoint: store.endpoint, targetEndpoint: replica.endpoint,
    rule: { sourceBucket: BUCKET, targetBucket: 'bench-replica' }, shipper: { enabled: false } });
  const perRequest: Record<string, Record<string, SyscallCount>> = {};
  try {
    const body = Buffer.alloc(4096, 7);
    const paths = [['node', node.endpoint, node.pids()[0]!, S3RVER_KEY], ['ferry', ferry.endpoint, ferry.pid, FERRY_CLIENT]] as const;
    for (const [name, endpoint, pid, key] of paths) {
      const target = { endpoint, ...key, region: 'us-east-1' };
      const pool = poolFor(endpoint, CLIENTS);
      const send = async (method: 'PUT' | 'GET', path: string) => {
        const res = await s3Request(pool, target, method, path, method === 'PUT' ? { body, length: body.length } : {});
        await drain(res.body);
        if (res.statusCode >= 300) throw new Error(`${name}: ${method} ${path} answered ${res.statusCode}`);
      };
      for (let i = 0; i < WARM_OBJECTS; i++) await send('PUT', `/${BUCKET}/warm-${i}`);
      perRequest[name] = {};
      for (const op of ['put', 'get'] as const) {
        const text = await counted(pid, join(dir, `${name}-${op}.txt`), () => Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
          for (let i = c; i < requests; i += CLIENTS) {
            await (op === 'put' ? send('PUT', `/${BUCKET}/k-${i % 500}`) : send('GET', `/${BUCKET}/warm-${i % WARM_OBJECTS}`));
          }
        })).then(() => {}));
        perRequest[name]![op] = parseStraceSummary(text, requests);
        log(`syscalls ${name} ${op}: ${perRequest[name]![op]!.total.toFixed(2)} per request`);
      }
    }
  } finally {
    await ferry.stop();
    await node.stop();
    await store.stop();
    await replica.stop();
  }
  return { requests, clients: CLIENTS, perRequest, note };
}
