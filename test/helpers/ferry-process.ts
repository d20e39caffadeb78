import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { guardChild } from './child-guard.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** `ferry serve` as a child process, so a test can kill it with SIGKILL and start it again. */
export interface FerryProcess {
  child: ChildProcess;
  endpoint: string;
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function writeConfig(dir: string, raw: Record<string, unknown>, name = 'ferry.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(raw, null, 2), { mode: 0o600 });
  return file;
}

export async function startFerryProcess(configFile: string, command = 'serve', env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<FerryProcess> {
  // Through env(1) without NODE_OPTIONS: tap's process-info hook re-adds itself to the NODE_OPTIONS of every child
  // it sees spawned, and would weigh ~30 MB on memory measurements. Ferry runs exactly as an operator starts it.
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, CLI, command, '--config', configFile, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  guardChild(child);
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  // 'close' comes after 'exit', and also after a spawn that failed (which has no 'exit').
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    // A Ferry that neither listens nor exits is killed, so no test waits on it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry ${command} did not start within ${START_TIMEOUT_MS / 1000} s: ${output.join('')}`));
    }, START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('error', (err) => fail(new Error(`ferry ${command} could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`ferry exited with ${code ?? signal}: ${output.join('')}`)));
    lines.on('line', (line) => {
      output.push(line);
      const m = /ferry listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
      if (line.startsWith('ferry shipper running')) {
        clearTimeout(timer);
        resolve('');
      }
    });
  });
  return {
    child, endpoint, output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
