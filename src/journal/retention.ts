import { FerryError } from '../errors/ferry-error.js';
import { chainHash } from './hash-chain.js';
import type { ChainRow } from './verify-chain.js';
export type { PruneResult } from './journal-store.js';

/** States of a change that is finished: nothing will ship it again. */
export const FINISHED_STATES = ['shipped', 'rejected', 'cancelled', 'unchanged'];

/** Where the scan stands: the last row (or checkpoint) whose hash was checked, so the next batch links to it. */
export interface PruneCursor {
  seq: number;
  hash: string;
}

export type ScanRow = ChainRow & { state: string };

/** A run of consecutive finished rows to delete; `last`'s hash becomes the checkpoint that bridges the gap. */
export interface PruneRun {
  first: number;
  last: number;
  lastHash: string;
}

export interface PrunePlan {
  runs: PruneRun[];
  /** The cursor for the next batch, or undefined when the scan is over. */
  next?: PruneCursor;
  /** The oldest unfinished row met before the cutoff. */
  oldestKept?: { seq: number; state: string };
}

function tampered(seq: number, why: string): FerryError {
  return new FerryError('JOURNAL_TAMPERED', `pruning stopped at seq ${seq}: ${why}`,
    'retention never deletes evidence: run `ferry journal verify` and investigate before pruning again');
}

/**
 * Pure: what one batch of pruning deletes. `rows` are the next rows after the cursor in seq order (at most
 * `batchSize`), `newest` the largest seq present, `checkpointAt` the stored checkpoint hashes. Each row is first
 * checked against the chain, so pruning never erases an altered row or hides a deleted one (JOURNAL_TAMPERED
 * instead; the store applies nothing of the batch). The newest row always stays: new rows chain from it.
 */
export function planPruneBatch(rows: ScanRow[], cursor: PruneCursor, newest: number, cutoff: number,
  checkpointAt: (seq: number) => string | undefined, batchSize: number): PrunePlan {
  const plan: PrunePlan = { runs: [] };
  let prev = cursor;
  let run: ScanRow[] = [];
  const flush = () => {
    if (run.length) plan.runs.push({ first: run[0]!.seq, last: run[run.length - 1]!.seq, lastHash: run[run.length - 1]!.hash });
    run = [];
  };
  for (const row of rows) {
    if (row.created_at >= cutoff || row.seq === newest) {
      flush();
      return plan;
    }
    if (row.seq !== prev.seq + 1) {
      const hash = checkpointAt(row.seq - 1);
      if (hash === undefined) {
        const gap = prev.seq + 1 === row.seq - 1 ? `row ${row.seq - 1} is` : `rows ${prev.seq + 1}..${row.seq - 1} are`;
        throw tampered(row.seq, `${gap} missing and no checkpoint explains it`);
      }
      flush();
      prev = { seq: row.seq - 1, hash };
    }
    if (chainHash(prev.hash, row) !== row.hash) throw tampered(row.seq, `row ${row.seq} does not match the chain`);
    prev = { seq: row.seq, hash: row.hash };
    if (FINISHED_STATES.includes(row.state)) {
      run.push(row);
    } else {
      flush();
      plan.oldestKept ??= { seq: row.seq, state: row.state };
    }
  }
  flush();
  if (rows.length >= batchSize) plan.next = prev;
  return plan;
}
