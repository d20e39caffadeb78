import { RESYNC_MISSING, type IntentInput, type JournalStore } from '../journal/journal-store.js';
import type { DiffEntry } from './sorted-diff.js';
import { countEntry, emptyCounts, walkRule, type DriftCounts, type RuleEnds } from './rule-walk.js';

export interface ResyncOptions {
  deleteExtra: boolean;
  dryRun: boolean;
  /** Ignore where an interrupted run stopped and walk from the first key. */
  restart?: boolean;
  /** Also queue keys whose metadata or tags differ (a listing shows neither). */
  deep?: boolean;
  /** Who asked, for the audit trail (access_key_id and remote_addr of the rows). */
  who: { accessKeyId: string; remoteAddr: string };
  /** Rows per journal commit; the walk position is saved after each commit. */
  batchSize?: number;
  /** Keys walked between two saves of the position when there is nothing to write. */
  saveEvery?: number;
  /** Stops after the current key (and saves the position), for Ctrl-C. */
  signal?: AbortSignal;
  onEntry?(d: DiffEntry, counts: DriftCounts, queued: boolean): void;
}

export interface ResyncReport extends DriftCounts {
  rule: string;
  resumedAfter?: string;
  rowsWritten: number;
  /** Where the next run resumes (the last key of the ordered walk saved), when this run saved one. */
  savedAfter?: string;
  /** Keys only in the target, left alone because --delete-extra was not given. */
  extraKept: number;
  complete: boolean;
  dryRun: boolean;
}

/** Rows of the first commit of a walk (later ones hold `batchSize`). */
const FIRST_BATCH = 50;

/** Pure: whether a difference needs shipping (a copy, or with --delete-extra a deletion in the target). */
export function needsResync(d: DiffEntry, deleteExtra: boolean): boolean {
  return d.kind === 'missing' || d.kind === 'different' || (d.kind === 'extra' && deleteExtra);
}

/**
 * Walks a rule's source and target and writes one row (origin resync) per key that differs, so the shipper copies
 * it with its retries, metrics and audit trail: `ResyncMissing` for a key the target lacks (the shipper then need
 * not look at the target first), `Resync` for one it holds otherwise. The last key walked is saved after each commit:
 * an interrupted resync resumes after it. Writes nothing with `dryRun`.
 */
export async function resyncRule(journal: JournalStore, ends: RuleEnds, o: ResyncOptions): Promise<ResyncReport> {
  const rule = ends.rule;
  const progress = journal.resyncProgress;
  const mark = o.restart || o.dryRun ? undefined : await progress.get(rule.id);
  if (o.restart && !o.dryRun) await progress.clear(rule.id);
  const counts = emptyCounts();
  const report: ResyncReport = { rule: rule.id, ...counts, resumedAfter: mark?.afterKey, rowsWritten: 0, extraKept: 0,
    complete: false, dryRun: o.dryRun };
  const startedAt = mark?.startedAt ?? Date.now();
  let rowsWritten = mark?.rowsWritten ?? 0;
  let batch: IntentInput[] = [];
  let lastKey: string | undefined;
  let sinceSave = 0;
  // Rows are committed before the position that covers them is saved. A key yielded out of key order (`early`) moves
  // no position: an interrupted walk resumes after the last key of the ordered part, or where it resumed from, and
  // queues again what it finds still missing (the queue holds one entry per key, so that costs no second copy).
  const save = async () => {
    if (o.dryRun) return;
    if (batch.length) {
      await journal.appendApplied(batch);
      report.rowsWritten += batch.length;
      rowsWritten += batch.length;
      batch = [];
    }
    if (lastKey !== undefined) {
      await progress.save(rule.id, { afterKey: lastKey, startedAt, updatedAt: Date.now(), rowsWritten });
      report.savedAfter = lastKey;
    }
    sinceSave = 0;
  };
  // Keys are compared as soon as the target's listing has ended, so a backfill starts shipping with the first page.
  for await (const d of walkRule(ends, { startAfter: mark?.afterKey, deep: o.deep, early: true })) {
    countEntry(counts, d);
    const queue = needsResync(d, o.deleteExtra);
    if (d.kind === 'extra' && !o.deleteExtra) report.extraKept++;
    if (queue) {
      if (o.dryRun) report.rowsWritten++;
      else batch.push({ ruleId: rule.id, operation: d.kind === 'missing' ? RESYNC_MISSING : 'Resync', bucket: rule.source, key: d.key, origin: 'resync', ...o.who });
    }
    if (!d.early) lastKey = d.key;
    sinceSave++;
    o.onEntry?.(d, counts, queue);
    // The first rows are committed early, so the shipper starts copying while the walk goes on.
    const limit = report.rowsWritten === 0 ? Math.min(FIRST_BATCH, o.batchSize ?? 500) : o.batchSize ?? 500;
    if (batch.length >= limit || sinceSave >= (o.saveEvery ?? 1000)) await save();
    if (o.signal?.aborted) break;
  }
  await save();
  Object.assign(report, counts);
  if (!o.signal?.aborted) {
    report.complete = true;
    if (!o.dryRun) await progress.clear(rule.id);
  }
  return report;
}
