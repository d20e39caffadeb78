import type Database from 'better-sqlite3';
import { FerryError } from '../errors/ferry-error.js';
import type { ImmutableFields } from './hash-chain.js';

/** One row of `changes`, as stored: the chained fields, then outcome and shipping. Times are ms since the epoch. */
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
}

/** The columns in storage order: the CSV header and the JSON field order. */
export const CHANGE_COLUMNS: Array<keyof ChangeRow> = ['seq', 'created_at', 'rule_id', 'operation', 'bucket', 'key',
  'access_key_id', 'remote_addr', 'origin', 'hash', 'state', 'request_id', 'status', 'etag', 'size', 'version_id',
  'outcome_at', 'shipped_at', 'target_etag', 'last_error'];

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

/** Pure: the WHERE clause (and its parameters) for a filter; `heldRules` are the ids of disabled rules. */
export function filterSql(f: ChangeFilter, heldRules: string[]): { where: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, v: unknown) => {
    if (v === undefined) return;
    terms.push(`${column} = ?`);
    params.push(v);
  };
  eq('rule_id', f.rule);
  eq('bucket', f.bucket);
  eq('key', f.key);
  eq('operation', f.op);
  eq('access_key_id', f.client);
  if (f.prefix !== undefined) {
    terms.push('substr(key, 1, length(?)) = ?');
    params.push(f.prefix, f.prefix);
  }
  if (f.since !== undefined) {
    terms.push('created_at >= ?');
    params.push(f.since);
  }
  if (f.until !== undefined) {
    terms.push('created_at < ?');
    params.push(f.until);
  }
  const held = heldRules.map(() => '?').join(', ');
  if (f.state === 'pending' || f.state === 'held') {
    terms.push("state IN ('intent', 'pending')");
    if (heldRules.length) {
      terms.push(`rule_id ${f.state === 'pending' ? 'NOT IN' : 'IN'} (${held})`);
      params.push(...heldRules);
    } else if (f.state === 'held') terms.push('0');
  } else eq('state', f.state);
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/** Matching rows one at a time (`.iterate()`), so callers can stream any number of them. */
export function iterateChanges(db: Database.Database, f: ChangeFilter, heldRules: string[],
  opts: { order?: 'asc' | 'desc'; limit?: number } = {}): IterableIterator<ChangeRow> {
  const { where, params } = filterSql(f, heldRules);
  const limit = opts.limit && opts.limit > 0 ? ` LIMIT ${Math.floor(opts.limit)}` : '';
  return db.prepare(`SELECT ${CHANGE_COLUMNS.join(', ')} FROM changes ${where} ORDER BY seq ${opts.order === 'desc' ? 'DESC' : 'ASC'}${limit}`)
    .iterate(...params) as IterableIterator<ChangeRow>;
}

/** Like iterateChanges, oldest first, but each row an array in CHANGE_COLUMNS order: a third faster, for exports. */
export function iterateChangeTuples(db: Database.Database, f: ChangeFilter, heldRules: string[]): IterableIterator<unknown[]> {
  const { where, params } = filterSql(f, heldRules);
  return db.prepare(`SELECT ${CHANGE_COLUMNS.join(', ')} FROM changes ${where} ORDER BY seq`).raw().iterate(...params) as IterableIterator<unknown[]>;
}

/** One row by seq, or JOURNAL_ROW_NOT_FOUND (never written, or pruned). */
export function getChange(db: Database.Database, seq: number): ChangeRow {
  const row = db.prepare(`SELECT ${CHANGE_COLUMNS.join(', ')} FROM changes WHERE seq = ?`).get(seq) as ChangeRow | undefined;
  if (!row) {
    throw new FerryError('JOURNAL_ROW_NOT_FOUND', `no journal row has seq ${seq}`,
      'it may never have existed, or retention pruned it; list rows with `ferry journal ls`');
  }
  return row;
}

/** One attempt of the shipper; `seq` is the newest change of the key that the attempt covered. */
export interface ShipAttempt {
  seq: number;
  at: number;
  result: string;
  detail: string | null;
}

/**
 * The attempts that concerned one change. An attempt covers every unshipped change of its key up to its `seq`,
 * so those of this change are the attempts on the same key with seq >= this row's, up to the first success
 * (later ones ship later changes). A change that never reached the queue (rejected) has none.
 */
export function shippingHistory(db: Database.Database, row: ChangeRow): ShipAttempt[] {
  if (row.state === 'rejected') return [];
  const attempts = db.prepare(`SELECT a.seq, a.at, a.result, a.detail FROM changes c JOIN attempts a ON a.seq = c.seq
    WHERE c.rule_id = ? AND c.bucket = ? AND c.key = ? AND c.seq >= ? ORDER BY a.at, a.rowid`)
    .iterate(row.rule_id, row.bucket, row.key, row.seq) as IterableIterator<ShipAttempt>;
  const out: ShipAttempt[] = [];
  for (const a of attempts) {
    out.push(a);
    if (a.result !== 'error') {
      attempts.return?.();
      break;
    }
  }
  return out;
}

/** What a person should see as the state: a pending change of a disabled rule is `held`. */
export function displayState(row: Pick<ChangeRow, 'state' | 'rule_id'>, heldRules: ReadonlySet<string>): string {
  return (row.state === 'intent' || row.state === 'pending') && heldRules.has(row.rule_id) ? 'held' : row.state;
}
