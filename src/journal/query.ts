import type { ImmutableFields } from './hash-chain.js';

/** One row of the journal, as stored: the chained fields, then outcome and shipping. Times are ms since the epoch. */
export interface ChangeRow extends ImmutableFields {
  hash: string;
  state: string;
  request_id: string | null;
  status: number | null;
  etag: string | null;
  size: number | null;
  version_id: string | null;
  outcome_at: number | null;
  shipped_at: number | null;
  target_etag: string | null;
  last_error: string | null;
  writer: string | null;
}

/** The columns in storage order: the CSV header and the JSON field order. */
export const CHANGE_COLUMNS: Array<keyof ChangeRow> = ['seq', 'created_at', 'rule_id', 'operation', 'bucket', 'key',
  'access_key_id', 'remote_addr', 'origin', 'hash', 'state', 'request_id', 'status', 'etag', 'size', 'version_id',
  'outcome_at', 'shipped_at', 'target_etag', 'last_error', 'writer'];

/**
 * States an operator can ask for. `pending` covers `intent` (outcome not yet known) and `pending`, of enabled
 * rules; `held` is the same rows of rules disabled in the configuration.
 */
export const STATE_FILTERS = ['pending', 'shipped', 'failed', 'held', 'cancelled', 'rejected', 'unchanged', 'intent'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export interface ChangeFilter {
  rule?: string;
  bucket?: string;
  key?: string;
  prefix?: string;
  op?: string;
  client?: string;
  state?: StateFilter;
  since?: number;
  until?: number;
}

/** Whether a command-line word is one of STATE_FILTERS. */
export function isStateFilter(s: string): s is StateFilter {
  return (STATE_FILTERS as readonly string[]).includes(s);
}

/** One attempt of the shipper; `seq` is the newest change of the key that the attempt covered. */
export interface ShipAttempt {
  seq: number;
  at: number;
  result: string;
  detail: string | null;
}

/**
 * Pure: the attempts that concerned one change, from the attempts on its key with seq >= the row's (in time
 * order). An attempt covers every unshipped change of its key up to its `seq`, so this change's attempts run up to
 * the first success (later ones ship later changes). A change that never reached the queue (rejected) has none.
 */
export function historyOf(row: Pick<ChangeRow, 'state'>, attempts: Iterable<ShipAttempt>): ShipAttempt[] {
  if (row.state === 'rejected') return [];
  const out: ShipAttempt[] = [];
  for (const a of attempts) {
    out.push(a);
    if (a.result !== 'error') break;
  }
  return out;
}

/** What a person should see as the state: a pending change of a disabled rule is `held`. */
export function displayState(row: Pick<ChangeRow, 'state' | 'rule_id'>, heldRules: ReadonlySet<string>): string {
  return (row.state === 'intent' || row.state === 'pending') && heldRules.has(row.rule_id) ? 'held' : row.state;
}
