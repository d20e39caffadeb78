import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BUILD } from '../lib/paths.js';
import type { Job, JobResult } from './protocol.js';

/** The bench's handle on the load-generator process. */
export class LoadClient {
  private readonly child: ChildProcess;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor() {
    this.child = fork(join(BUILD, 'load', 'load-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(`load generator: ${m.error}`));
      else w?.resolve(m.result);
    });
    this.child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load generator exited with ${code}`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  run<J extends Job>(job: J): Promise<JobResult[J['kind']]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, job });
    });
  }

  close(): void {
    this.child.disconnect();
  }
}
