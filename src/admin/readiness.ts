import type { JournalStore } from '../journal/journal-store.js';
import type { Region } from '../region/region.js';

/** Whether the source region answers at all (any S3 answer, even an error, means it is reachable). */
export async function sourceReachable(source: Region, timeoutMs = 2_000): Promise<string> {
  try {
    await source.ping(AbortSignal.timeout(timeoutMs));
    return 'ok';
  } catch (err) {
    return `unreachable: ${(err as Error).message}`;
  }
}

/** `/readyz`: ready when the journal is writable and the source region reachable. */
export async function checkReady(journal: JournalStore, source: Region | undefined) {
  const checks = {
    journal: await journal.writable(),
    source: source ? await sourceReachable(source) : 'no client for the source region',
  };
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
