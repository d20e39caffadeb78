import type { JournalStore } from '../journal/journal-store.js';
import type { Logger } from 'pino';
import { requireDuration } from './duration.js';

/**
 * Prunes the journal by `journal.retention` soon after start and then every `everyMs`, inside a running Ferry.
 * The retention is read at each run, so a reload that changes it takes effect. `stop` waits for a run in progress.
 */
export function scheduleRetention(journal: JournalStore, retention: () => string | undefined, log: Logger,
  opts: { firstMs?: number; everyMs?: number } = {}): { stop(): Promise<void> } {
  let stopped = false;
  let busy = false;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    const text = retention();
    if (stopped || busy || text === undefined) return;
    busy = true;
    running = (async () => {
      try {
        const cutoff = Date.now() - requireDuration(text, 'journal.retention');
        const r = await journal.prune(cutoff, { shouldStop: () => stopped });
        if (r.pruned) log.info({ pruned: r.pruned, checkpoints: r.checkpoints, oldestKept: r.oldestKept }, 'journal pruned by retention');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'journal pruning failed; will try again');
      } finally {
        busy = false;
      }
    })();
  };
  const first = setTimeout(run, opts.firstMs ?? 1_000);
  const every = setInterval(run, opts.everyMs ?? 10 * 60_000);
  first.unref();
  every.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
