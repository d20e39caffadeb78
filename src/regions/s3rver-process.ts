import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

// Always the compiled entry (tests load this module from src/, the child needs plain JavaScript).
const ENTRY = fileURLToPath(new URL('../../dist/regions/s3rver-main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/** A local S3 region: an s3rver child process bound to 127.0.0.1. */
export interface LocalRegion {
  endpoint: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts s3rver in its own process (so a test can stop or kill a region) on `port` (0 picks a free one),
 * storing under `dir`, with `buckets` created at start.
 */
export async function startLocalRegion(dir: string, opts: { port?: number; buckets?: string[] } = {}): Promise<LocalRegion> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // stdin is a pipe the region watches: it ends when this process does, however it ends.
  const child = spawn(process.execPath,
    ['--openssl-legacy-provider', ENTRY, dir, String(opts.port ?? 0), ...(opts.buckets ?? [])],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not listen within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('error', (err) => fail(new Error(`s3rver could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`s3rver exited with ${code ?? signal} before listening`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
