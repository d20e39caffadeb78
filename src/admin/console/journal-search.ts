import { FerryError } from '../../errors/ferry-error.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { displayState, type ChangeRow } from '../../journal/query.js';
import { toChangeFilter, type FilterOptions } from '../../ops/filter-options.js';

const DEFAULT_ROWS = 100;
const MAX_ROWS = 1_000;

/** A journal row as the console lists it: as stored, plus the state a person sees (`held` for a disabled rule). */
export type ListedChange = ChangeRow & { shown_state: string };

const FILTERS: Array<keyof FilterOptions> = ['rule', 'bucket', 'key', 'prefix', 'op', 'client', 'state', 'since', 'until'];

/**
 * The newest journal rows matching the console's search (the filters of `ferry journal ls`: `since` and `until`
 * take an ISO time or a duration ago, as there), at most `limit` of them.
 */
export async function searchJournal(journal: JournalStore, heldRules: string[], query: Record<string, string>, now = Date.now()):
  Promise<{ rows: ListedChange[]; truncated: boolean }> {
  const options: FilterOptions = {};
  for (const name of FILTERS) if (query[name] !== undefined) options[name] = query[name] as never;
  const filter = toChangeFilter(options, now);
  const limit = query.limit === undefined ? DEFAULT_ROWS : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROWS) {
    throw new FerryError('OPTION_INVALID', `limit "${query.limit}" is not a whole number from 1 to ${MAX_ROWS}`);
  }
  const held = new Set(heldRules);
  const rows: ListedChange[] = [];
  for await (const batch of journal.listChanges(filter, heldRules, { order: 'desc', limit })) {
    for (const r of batch) rows.push({ ...r, shown_state: displayState(r, held) });
  }
  return { rows, truncated: rows.length >= limit };
}
