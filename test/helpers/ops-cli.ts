import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CLI } from './ferry-process.js';
import { guardChild } from './child-guard.js';

/** The built CLI and config writer are the ones every test uses; tests run the CLI as operators do. */
export { CLI, writeConfig } from './ferry-process.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set of the CLI process in KiB (VmHWM, sampled from /proc while it runs). */
  peakRssKb: number;
  ms: number;
}

function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `ferry ARGS`; resolves when it exits. `onStart` gets the child (to send it signals); stdout may be
 * discarded (`keepStdout: false`) when it is large and only counted.
 */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; keepStdout?: boolean; onStart?: (pid: number) => void;
  onStdout?: (chunk: Buffer) => void } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -p . first`);
  const started = Date.now();
  // Through env(1) without the test runner's NODE_OPTIONS (its process-info hook would follow the CLI and weigh on
  // its memory): the CLI runs as an operator runs it. env execs node, so the pid is the CLI's own.
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, CLI, ...args],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  guardChild(child);
  const sampler = setInterval(() => { peak = Math.max(peak, peakRss(child.pid!)); }, 20);
  child.stdout.on('data', (c: Buffer) => {
    opts.onStdout?.(c);
    if (opts.keepStdout !== false) stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  opts.onStart?.(child.pid!);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(sampler);
      reject(err);
    });
    // 'exit' may come before the pipes drain; 'close' comes after both.
    child.once('close', (code, signal) => {
      clearInterval(sampler);
      resolve({ code, signal, stdout, stderr, peakRssKb: peak, ms: Date.now() - started });
    });
    child.once('exit', () => { peak = Math.max(peak, peakRss(child.pid!)); });
  });
}

