// Slowloris and descriptor exhaustion: under a small limit on open files, clients that trickle a request head a
// byte at a time and clients that connect and say nothing try to take every descriptor, reconnecting whenever
// they are closed. The gateway closes each within its header timeout, holds client connections to its cap (a new
// one takes the place of the oldest idle one), keeps descriptors for the regions and the journal, and real clients
// get their answers throughout; the shipper still ships.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CLIENT_KEY, CLIENT_SECRET, rawConfig, regionClient, startRegions, startTestFerry } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { CLI, writeConfig } from '../helpers/ferry-process.js';
import { RULE, journalCounts, sleep, waitDrained } from '../helpers/faults-world.js';

const FILE_LIMIT = 160;
const CAP = 64;
const HEADERS_TIMEOUT_MS = 2_000;
const ATTACK_MS = Number(process.env.FERRY_SLOWLORIS_MS ?? 12_000);
// Sockets the attackers hold open at once, and the most they open in all (each reconnects when closed).
const SLOW = 150;
const IDLE = 100;
const MAX_ATTACK_CONNECTIONS = 20_000;
const REAL = 20;

/** `ferry serve` under a limit on open files (prlimit execs, and so does env: the pid is Ferry's). */
async function serveLimited(file: string): Promise<{ pid: number; endpoint: string; output: string[]; kill(): Promise<void> }> {
  const child = spawn('prlimit', [`--nofile=${FILE_LIMIT}:${FILE_LIMIT}`, '--', '/usr/bin/env', '-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE',
    process.execPath, CLI, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ferry exited with ${code}: ${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const m = /ferry listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  return { pid: child.pid!, endpoint, output, async kill() { if (child.exitCode === null) child.kill('SIGTERM'); await exited; } };
}

interface Attack {
  opened: number;
  /** How long the server let each attacking socket live, in ms. */
  lifetimes: number[];
  stop(): Promise<void>;
}

/** Attackers that keep `slow` slowloris and `idle` silent connections open, reconnecting as they are closed. */
function attack(port: number, slow: number, idle: number): Attack {
  const live = new Set<Socket>();
  const a: Attack = { opened: 0, lifetimes: [], stop: async () => {} };
  let running = true;
  const open = (kind: 'slow' | 'idle') => {
    if (!running || a.opened >= MAX_ATTACK_CONNECTIONS) return;
    a.opened++;
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    live.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      if (kind === 'idle') return;
      socket.write('PUT /photos/slow.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // One header byte every 500 ms: a head that never ends.
      timer = setInterval(() => socket.write('x'), 500);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      live.delete(socket);
      if (running) {
        a.lifetimes.push(Date.now() - started);
        setTimeout(() => open(kind), 200);
      }
    });
  };
  for (let i = 0; i < slow; i++) open('slow');
  for (let i = 0; i < idle; i++) open('idle');
  a.stop = async () => {
    running = false;
    for (const s of live) s.destroy();
    await sleep(100);
  };
  return a;
}

function openDescriptors(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

t.test('slowloris and idle connections up to the cap: real clients still get answers', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, {
    rules: [RULE], log: { level: 'warn' },
    shipper: { concurrency: 2, pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000 },
    upstream: { connections: 8, timeoutMs: 5_000 },
    gateway: { maxConnections: CAP, headersTimeoutMs: HEADERS_TIMEOUT_MS, idleTimeoutMs: 8_000 },
  }) as { journal: { path: string } };
  const ferry = await serveLimited(writeConfig(regions.dir, raw));
  t.teardown(async () => { await ferry.kill(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);

  let peakFds = 0;
  const sampler = setInterval(() => { peakFds = Math.max(peakFds, openDescriptors(ferry.pid)); }, 100);
  const started = Date.now();
  const atk = attack(port, SLOW, IDLE);
  await sleep(1_000);

  // Real clients, with the SDK's own retries (a keep-alive connection may be the oldest idle one when a slot is needed).
  const s3 = new S3Client({ endpoint: ferry.endpoint, region: 'cn-bj', forcePathStyle: true, maxAttempts: 3,
    credentials: { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET } });
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < REAL && Date.now() - started < ATTACK_MS + 20_000; i++) {
    const t0 = Date.now();
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `real-${i}.txt`, Body: `real ${i}` }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: `real-${i}.txt` }));
      if ((await got.Body!.transformToString()) !== `real ${i}`) failures++;
    } catch (err) {
      failures++;
      t.comment(`real client ${i}: ${(err as Error).message}`);
    }
    times.push(Date.now() - t0);
    await sleep(Math.max(0, ATTACK_MS / REAL - (Date.now() - t0)));
  }
  const fdsUnderAttack = peakFds;
  const lifetimes = [...atk.lifetimes];
  await atk.stop();
  clearInterval(sampler);

  t.equal(failures, 0, `${REAL} real clients got their answers during the attack`);
  const slowest = Math.max(...times);
  t.ok(slowest < 10_000, `each within 10 s (slowest ${slowest} ms)`);
  t.ok(atk.opened > SLOW + IDLE, `the attackers reconnected as they were closed (${atk.opened} connections)`);
  const longest = Math.max(0, ...lifetimes);
  t.ok(lifetimes.length > 0 && longest < HEADERS_TIMEOUT_MS + 3_000,
    `no attacking socket outlived the header timeout by more than 3 s (${lifetimes.length} closed, longest ${longest} ms)`);
  t.ok(fdsUnderAttack < FILE_LIMIT - 40, `descriptors stayed in reserve (peak ${fdsUnderAttack} of ${FILE_LIMIT})`);
  t.notOk(ferry.output.some((l) => /EMFILE/.test(l)), 'no EMFILE in the log');

  await waitDrained(raw.journal.path, 30_000);
  const counts = journalCounts(raw.journal.path);
  t.notOk(counts.byState.failed, 'no journal row failed');
  const dst = regionClient(regions.target);
  let shipped = 0;
  for (let i = 0; i < REAL; i++) if ((await storedObject(dst, 'photos-replica', `real-${i}.txt`))?.size === `real ${i}`.length) shipped++;
  t.equal(shipped, REAL, 'every real change reached the target');
  t.comment(`FIGURES slowloris: attackConnections=${atk.opened} closedByServer=${lifetimes.length} longestMs=${longest} ` +
    `peakFds=${fdsUnderAttack}/${FILE_LIMIT} cap=${CAP} realOk=${REAL - failures}/${REAL} slowestRealMs=${slowest}`);
});

t.test('a head trickled a byte at a time is cut off at the header timeout, an idle connection at its timeout', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const ferry = await startTestFerry(rawConfig(regions, { upstream: { timeoutMs: 1_000 },
    gateway: { headersTimeoutMs: 1_000, idleTimeoutMs: 3_000 } }));
  t.teardown(async () => { await ferry.stop(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  const lifetime = (trickle: boolean) => new Promise<number>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const timer = setInterval(() => socket.write(trickle ? 'x' : ''), 200);
    socket.on('connect', () => { if (trickle) socket.write('GET /photos HTTP/1.1\r\nHost: 127.0.0.1\r\n'); });
    socket.on('error', () => {});
    socket.on('close', () => { clearInterval(timer); resolve(Date.now() - started); });
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
  const [slow, silent] = await Promise.all([lifetime(true), lifetime(false)]);
  t.ok(slow < 3_500, `a slowloris head is closed after the 1 s header timeout (${slow} ms)`);
  t.ok(silent < 3_500, `a connection that sends nothing is closed too (${silent} ms)`);
});
