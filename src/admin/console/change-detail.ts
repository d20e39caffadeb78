import { FerryError } from '../../errors/ferry-error.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { displayState, type ChangeRow, type ShipAttempt } from '../../journal/query.js';

/** One row in full, as `ferry journal show` gives it: the intent, the source's answer and the shipper's attempts. */
export interface ChangeDetail {
  row: ChangeRow;
  shown_state: string;
  /** Seconds from the source's answer to the shipping, or null while unshipped. */
  lag_seconds: number | null;
  history: ShipAttempt[];
}

export async function changeDetail(journal: JournalStore, heldRules: string[], seqText: string | undefined): Promise<ChangeDetail> {
  if (seqText === undefined || !/^\d{1,15}$/.test(seqText)) throw new FerryError('OPTION_INVALID', `seq "${seqText ?? ''}" is not a sequence number`);
  const row = await journal.getChange(Number(seqText));
  const history = await journal.shippingHistory(row);
  const lag = row.shipped_at === null ? null : Math.max(0, row.shipped_at - (row.outcome_at ?? row.created_at)) / 1000;
  return { row, shown_state: displayState(row, new Set(heldRules)), lag_seconds: lag, history };
}
