import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IntentInput, JournalStore } from '../../src/journal/journal-store.js';
export { markShipped } from './journal-sql.js';

/** A scratch folder removed by `cleanup`. */
export function scratchDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-ops-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A configuration for journal commands that never reach a region (endpoints on closed ports), with the given
 * rules; `sourceSecret` lets a test leave a `${VAR}` reference unset.
 */
export function offlineConfig(rules: unknown[], sourceSecret = 'S'): Record<string, unknown> {
  return {
    journal: { path: 'journal.db' }, source: 'cn-bj', clients: [{ accessKeyId: 'K', secretAccessKey: 'S' }],
    regions: { 'cn-bj': { endpoint: 'http://127.0.0.1:1', accessKeyId: 'A', secretAccessKey: sourceSecret },
      'cn-sh': { endpoint: 'http://127.0.0.1:2', accessKeyId: 'A', secretAccessKey: 'S' } },
    rules,
  };
}

/** Appends `n` applied changes through the journal's own path (so hashes chain), `batch` per commit. */
export async function fillJournal(journal: JournalStore, n: number, make: (i: number) => IntentInput, batch = 5000): Promise<void> {
  for (let i = 0; i < n; i += batch) {
    const entries: IntentInput[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) entries.push(make(j));
    await journal.appendApplied(entries);
  }
}

/** A client change for rule `photos` on key `k<i>`. */
export function change(i: number, over: Partial<IntentInput> = {}): IntentInput {
  return { ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key: `k${String(i).padStart(6, '0')}`,
    accessKeyId: 'AKIATEST', remoteAddr: '127.0.0.1', ...over };
}
