// Shared pieces of the fault suites (test/faults): ports, seeded randomness, journal views, draining, secrets.
import { createServer } from 'node:net';
import { waitFor } from './world.js';
import { withJournal } from './journal-sql.js';

export { withJournal };

export const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

/** A port free right now on 127.0.0.1, so a restarted gateway comes back where its clients expect it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface JournalCounts {
  rows: number;
  byState: Record<string, number>;
  queue: number;
}

export function journalCounts(path: string): JournalCounts {
  return withJournal(path, (db) => {
    const byState = Object.fromEntries((db.prepare('SELECT state, count(*) AS n FROM changes GROUP BY state').all() as
      Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
    return {
      rows: (db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n,
      byState,
      queue: (db.prepare('SELECT count(*) AS n FROM queue').get() as { n: number }).n,
    };
  });
}

/** Up to `limit` queued keys, with their state, attempts and last error: what a drain that never came was stuck on. */
export function queuedKeys(path: string, limit = 10): string[] {
  return withJournal(path, (db) => (db.prepare(`SELECT key, state, attempts, next_attempt_at, last_error FROM queue
    ORDER BY state, key LIMIT ?`).all(limit) as Array<{ key: string; state: string; attempts: number; next_attempt_at: number;
    last_error: string | null }>).map((q) => `${JSON.stringify(q.key)} ${q.state} attempts=${q.attempts} ` +
    `due in ${q.next_attempt_at - Date.now()} ms: ${q.last_error ?? '-'}`));
}

/** Waits until nothing is left to ship: an empty queue and no row still an intent or pending. */
export async function waitDrained(path: string, ms: number): Promise<void> {
  try {
    await waitFor(() => {
      const c = journalCounts(path);
      return c.queue === 0 && !c.byState.intent && !c.byState.pending;
    }, ms, 'the journal to drain');
  } catch (err) {
    const c = journalCounts(path);
    throw new Error(`${(err as Error).message}: ${JSON.stringify(c.byState)}, ${c.queue} queued; ${queuedKeys(path).join('; ')}`);
  }
}

/** Lines of `text` that contain any of `secrets` (the secret itself is masked in what is returned). */
export function secretLeaks(text: string, secrets: string[]): string[] {
  const leaks: string[] = [];
  for (const line of text.split('\n')) {
    for (const s of secrets) if (line.includes(s)) leaks.push(line.split(s).join('<SECRET>').slice(0, 300));
  }
  return leaks;
}

/** Resident set (VmRSS) and its peak (VmHWM) of a process, in KiB. */
export async function memoryOf(pid: number): Promise<{ rssKb: number; peakKb: number }> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
}
