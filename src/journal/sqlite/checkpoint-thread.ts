import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckpointFigures } from './wal-checkpoint.js';

export type CheckpointRequest = 'checkpoint' | 'close';
/** What the thread answers: `ready` once its connection is open, then one result per checkpoint. */
export type CheckpointReply = 'ready' | CheckpointResult;
export interface CheckpointResult extends CheckpointFigures { error?: string }

// The worker's module sits beside this one, compiled (.js) or as source (.ts, under a TypeScript loader).
const WORKER_URL = new URL(`./checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A worker thread that checkpoints one journal file (see checkpoint-worker.ts). One checkpoint runs at a time;
 * `run` resolves with SQLite's figures (frames in the WAL, frames copied), or with -1 when the thread failed.
 */
export class CheckpointThread {
  private readonly worker: Worker;
  private pending: ((r: CheckpointResult) => void) | undefined;
  private opened = false;
  private failed: string | undefined;
  private readonly exited: Promise<void>;

  /** `onReady` runs once the thread's connection is open: until then the writer's connection must go on checkpointing. */
  constructor(path: string, onReady: () => void) {
    // The process's own flags, less those that only mean something for its entry (`node --input-type=module -e`).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    this.worker = new Worker(WORKER_URL, { workerData: { path }, execArgv });
    // A checkpoint thread never keeps the process alive: the journal's close ends it.
    this.worker.unref();
    this.worker.on('message', (r: CheckpointReply) => {
      if (r !== 'ready') return this.settle(r);
      this.opened = true;
      onReady();
    });
    this.worker.on('error', (err) => this.fail(err.message));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => { this.fail('checkpoint thread exited'); resolve(); }));
  }

  /** Why the thread stopped working, once it has; the journal then checkpoints on its own connection again. */
  get broken(): string | undefined {
    return this.failed;
  }

  /** Open and working: checkpoints are its to make. */
  get open(): boolean {
    return this.opened && !this.failed;
  }

  /** A checkpoint runs there now. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  run(): Promise<CheckpointResult> {
    if (this.failed) return Promise.resolve({ log: -1, checkpointed: -1, error: this.failed });
    if (this.pending) throw new Error('a checkpoint is already running');
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage('checkpoint' satisfies CheckpointRequest);
    });
  }

  /** Lets a running checkpoint finish, closes the thread's connection and waits for the thread to end. */
  async close(): Promise<void> {
    if (!this.failed) {
      // Held by the close from here on: an unreferenced thread would let the process end before it did.
      this.worker.ref();
      this.worker.postMessage('close' satisfies CheckpointRequest);
    }
    await this.exited;
  }

  private settle(r: CheckpointResult): void {
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.(r);
  }

  private fail(message: string): void {
    this.failed ??= message;
    this.settle({ log: -1, checkpointed: -1, error: message });
  }
}
