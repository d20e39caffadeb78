// Large-object helpers: a generated body (never held whole) and a sampler of a child process's memory.
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { CLI } from './ferry-process.js';

export const MiB = 1024 * 1024;

/**
 * `size` bytes of a deterministic pseudo-random stream (AES-CTR keystream), produced 1 MiB at a time on
 * demand; `md5()` is the digest of everything produced so far.
 */
export function generatedBody(size: number, seed = 1): { stream: Readable; md5(): string } {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  const hash: Hash = createHash('md5');
  let left = size;
  const stream = new Readable({
    highWaterMark: MiB,
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const chunk = cipher.update(zeros.subarray(0, Math.min(MiB, left)));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, md5: () => hash.copy().digest('hex') };
}

export interface MemorySample {
  /** Largest VmRSS seen while sampling, bytes. */
  peakRss: number;
  /** The kernel's high-water mark of the process's RSS (VmHWM), bytes. */
  hwm: number;
  samples: number;
}

function readStatus(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Samples a process's VmRSS every `everyMs` until `stop()`, which also reads its VmHWM. */
export function sampleMemory(pid: number, everyMs = 100): { stop(): MemorySample; now(): MemorySample } {
  let peakRss = 0;
  let samples = 0;
  const take = () => {
    try {
      peakRss = Math.max(peakRss, readStatus(pid).rss);
      samples++;
    } catch {
      // The process has exited; stop() reports what was seen.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  const now = () => {
    take();
    let hwm = 0;
    try {
      hwm = readStatus(pid).hwm;
    } catch {
      hwm = peakRss;
    }
    return { peakRss, hwm, samples };
  };
  return {
    now,
    stop() {
      clearInterval(timer);
      return now();
    },
  };
}

/**
 * `node dist/cli/main.js serve --config FILE` as a child process, exactly as an operator runs it: tap's
 * process-info hook re-adds itself to NODE_OPTIONS of every child it sees spawned (and would weigh ~30 MB
 * on the measurement), so the child starts through env(1), which drops it.
 */
export async function startPlainGateway(configFile: string): Promise<{ child: ChildProcess; endpoint: string; kill(): Promise<void> }> {
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, CLI, 'serve', '--config', configFile],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ferry exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /ferry listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  return {
    child, endpoint,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
