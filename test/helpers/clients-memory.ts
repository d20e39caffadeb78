// Large-object helpers: a generated body (never held whole) and a sampler of a child process's memory.
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { startFerryProcess, type FerryProcess } from './ferry-process.js';

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

/**
 * Resets a process's VmHWM to its current RSS (Linux's clear_refs), so that the next high-water mark is that of what
 * follows, not of a transient before it (V8 compiles hot code on a background thread, which can take 16 MiB for
 * some tens of milliseconds once a path is warm).
 */
export function resetHighWaterMark(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
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

/** The gateway as a child process, exactly as an operator runs it (see startFerryProcess). */
export async function startPlainGateway(configFile: string): Promise<FerryProcess> {
  return startFerryProcess(configFile);
}
