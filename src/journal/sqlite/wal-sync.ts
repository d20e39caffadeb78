import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/**
 * Makes committed WAL frames durable without blocking the event loop: `fdatasync` of the `-wal` file runs on
 * libuv's thread pool while requests go on. The connection commits with synchronous=NORMAL (in WAL mode: no
 * sync at commit, synced checkpoints), and a commit counts as durable only once a sync that started after it has
 * completed, which is what synchronous=FULL does at commit, off the main thread. Syncs are pipelined: every
 * commit made while one sync runs shares the next one.
 */
export class WalSync {
  private fd: number | undefined;
  private running = false;
  private waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before this call is on disk. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.start();
    });
  }

  /** Syncs now, on this thread (at close); nothing to do when no WAL was ever written. */
  syncNow(): void {
    try {
      this.open();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    fdatasyncSync(this.fd!);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    // The -wal file exists from the first write on and stays while this connection is open (SQLite deletes it
    // only when the last connection closes), so one descriptor serves for the journal's life.
    this.fd ??= openSync(this.walPath, 'r+');
    return this.fd;
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    const done = (err: unknown) => {
      this.running = false;
      for (const w of batch) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (this.waiting.length) this.start();
    };
    try {
      fdatasync(this.open(), done);
    } catch (err) {
      done(err);
    }
  }
}
