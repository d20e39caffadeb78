import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { BUILD } from '../lib/paths.js';
import { start } from '../lib/proc.js';

/** The bare Node reverse proxy (node-proxy-main.ts) in its own process, in front of `upstream`. */
export async function startNodeProxy(upstream: string): Promise<{ endpoint: string; pids(): number[]; stop(): Promise<void> }> {
  const proc = start(process.execPath, [join(BUILD, 'servers', 'node-proxy-main.js'), upstream], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: proc.child.stdout! }).once('line', resolve)),
    proc.exited.then((code) => { throw new Error(`node proxy exited with ${code}`); }),
  ]);
  const { port } = JSON.parse(line) as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, pids: () => [proc.pid], stop: () => proc.stop() };
}
