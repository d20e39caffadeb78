import type { JournalStore } from '../../journal/journal-store.js';

/** A key whose changes the shipper gave up on, with the newest of them. */
export interface FailedKey {
  rule: string;
  bucket: string;
  key: string;
  /** Failed changes of the key. */
  changes: number;
  /** The newest failed change: its seq, time and the error of the shipper's last attempt. */
  seq: number;
  at: number;
  error: string | null;
}

// The console shows the newest failed changes; past this many it says the list is cut.
const FAILED_ROWS_READ = 2_000;

/** Failed changes grouped by key, newest first; `truncated` when more failed changes exist than were read. */
export async function failedKeys(journal: JournalStore, heldRules: string[]): Promise<{ keys: FailedKey[]; truncated: boolean }> {
  const byKey = new Map<string, FailedKey>();
  let read = 0;
  for await (const rows of journal.listChanges({ state: 'failed' }, heldRules, { order: 'desc', limit: FAILED_ROWS_READ })) {
    for (const r of rows) {
      read++;
      const id = JSON.stringify([r.rule_id, r.bucket, r.key]);
      const known = byKey.get(id);
      if (known) known.changes++;
      else byKey.set(id, { rule: r.rule_id, bucket: r.bucket, key: r.key, changes: 1, seq: r.seq, at: r.created_at, error: r.last_error });
    }
  }
  return { keys: [...byKey.values()], truncated: read >= FAILED_ROWS_READ };
}
