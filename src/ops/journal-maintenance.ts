import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import { countPrunable, pruneJournal, type PruneResult } from '../journal/retention.js';
import { verifyJournalChain, type ChainReport } from '../journal/verify-chain.js';
import type { Journal } from '../journal/journal.js';
import { requireDuration } from './duration.js';
import { openJournalReadonly, openJournalWritable, ruleOf } from './ops-config.js';

/**
 * Puts failed changes (of one rule, or all) back in the queue. A failed change whose key has no queue entry
 * (it can happen after a crash between two bookkeeping steps) is queued again too, so none is left behind.
 */
export function retryFailed(journal: Journal, ruleId?: string): { keys: number; changes: number } {
  const where = ruleId === undefined ? '' : ' AND rule_id = ?';
  const args = ruleId === undefined ? [] : [ruleId];
  const changes = (journal.db.prepare(`SELECT count(*) AS n FROM changes WHERE state = 'failed'${where}`).get(...args) as { n: number }).n;
  const orphans = journal.db.prepare(`SELECT c.rule_id AS ruleId, c.bucket, c.key, max(c.seq) AS seq FROM changes c
    WHERE c.state = 'failed'${ruleId === undefined ? '' : ' AND c.rule_id = ?'} AND NOT EXISTS (SELECT 1 FROM queue q
      WHERE q.rule_id = c.rule_id AND q.bucket = c.bucket AND q.key = c.key) GROUP BY c.rule_id, c.bucket, c.key`)
    .all(...args) as Array<{ ruleId: string; bucket: string; key: string; seq: number }>;
  journal.db.transaction(() => {
    for (const o of orphans) journal.queue.enqueue(o.ruleId, o.bucket, o.key, o.seq, Date.now());
  }).immediate();
  const keys = journal.queue.retryFailed(ruleId) + orphans.length;
  return { keys, changes };
}

/** `ferry journal retry`: a running `ferry serve` or `ferry ship` picks the keys up at its next poll. */
export function journalRetry(config: FerryConfig, o: { rule?: string; state?: string }): { keys: number; changes: number } {
  if (o.state !== undefined && o.state !== 'failed') {
    throw new FerryError('OPTION_INVALID', `--state "${o.state}" cannot be retried`,
      'only failed changes are retried; held changes ship when their rule is enabled, cancelled ones with `ferry resync`');
  }
  if (o.rule !== undefined) ruleOf(config, o.rule);
  const journal = openJournalWritable(config);
  try {
    const result = retryFailed(journal, o.rule);
    process.stdout.write(`${result.changes} failed change(s) on ${result.keys} key(s) queued again` +
      `${o.rule ? ` for rule ${o.rule}` : ''}; a running Ferry ships them at its next poll\n`);
    return result;
  } finally {
    journal.close();
  }
}

/** Pure: what `ferry journal verify` prints for people. */
export function formatChainReport(r: ChainReport): string {
  const lines = [`${r.rows} rows checked, ${r.verified} verified, ${r.checkpoints} retention gap(s) crossed by checkpoints`,
    `head: seq ${r.head.seq} hash ${r.head.hash}`];
  if (r.ok) return `${lines.join('\n')}\njournal chain OK\n`;
  const first = r.problems[0]!;
  lines.push(`JOURNAL_TAMPERED: first problem at seq ${first.seq}: ${first.detail}`);
  for (const p of r.problems.slice(1)) lines.push(`  also: seq ${p.seq}: ${p.detail}`);
  return `${lines.join('\n')}\n`;
}

/** `ferry journal verify`: exit status 1 when the chain is broken. */
export function journalVerify(config: FerryConfig, json: boolean): ChainReport {
  const db = openJournalReadonly(config);
  try {
    const report = verifyJournalChain(db);
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatChainReport(report));
    if (!report.ok) process.exitCode = 1;
    return report;
  } finally {
    db.close();
  }
}

/** `ferry journal prune`: removes finished rows older than the retention (the config's, or --older-than). */
export async function journalPrune(config: FerryConfig, o: { olderThan?: string; dryRun?: boolean }): Promise<PruneResult | number> {
  const text = o.olderThan ?? config.journal.retention;
  if (text === undefined) {
    throw new FerryError('OPTION_INVALID', 'no retention to prune by', 'set journal.retention in the configuration (e.g. "90d") or pass --older-than');
  }
  const cutoff = Date.now() - requireDuration(text, o.olderThan ? '--older-than' : 'journal.retention');
  if (o.dryRun) {
    const db = openJournalReadonly(config);
    try {
      const n = countPrunable(db, cutoff);
      process.stdout.write(`${n} finished row(s) created before ${new Date(cutoff).toISOString()} would be pruned\n`);
      return n;
    } finally {
      db.close();
    }
  }
  const journal = openJournalWritable(config);
  try {
    const r = await pruneJournal(journal.db, cutoff);
    process.stdout.write(`${r.pruned} finished row(s) created before ${new Date(cutoff).toISOString()} pruned; ` +
      `${r.checkpoints} checkpoint(s) keep the chain verifiable` +
      `${r.oldestKept ? `; oldest unfinished row kept: seq ${r.oldestKept.seq} (${r.oldestKept.state})` : ''}\n`);
    return r;
  } finally {
    journal.close();
  }
}
