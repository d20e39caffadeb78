import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import type { JournalStore, PruneResult } from '../journal/journal-store.js';
import type { ChainReport } from '../journal/verify-chain.js';
import { requireDuration } from './duration.js';
import { openJournalReadonly, openJournalWritable, ruleOf } from './ops-config.js';

/** `ferry journal retry`: a running `ferry serve` or `ferry ship` picks the keys up at its next poll. */
export async function journalRetry(config: FerryConfig, o: { rule?: string; state?: string }): Promise<{ keys: number; changes: number }> {
  if (o.state !== undefined && o.state !== 'failed') {
    throw new FerryError('OPTION_INVALID', `--state "${o.state}" cannot be retried`,
      'only failed changes are retried; held changes ship when their rule is enabled, cancelled ones with `ferry resync`');
  }
  if (o.rule !== undefined) ruleOf(config, o.rule);
  const journal = await openJournalWritable(config);
  try {
    const result = await journal.retryFailed(o.rule);
    process.stdout.write(`${result.changes} failed change(s) on ${result.keys} key(s) queued again` +
      `${o.rule ? ` for rule ${o.rule}` : ''}; a running Ferry ships them at its next poll\n`);
    return result;
  } finally {
    await journal.close();
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

/** Pure: `SEQ:HASH` (or `SEQ`) of `--expect-head`, as recorded from a log line, a metric or an earlier verify. */
export function parseExpectedHead(text: string): { seq: number; hash?: string } {
  const m = /^(\d+)(?::([0-9a-f]{64}))?$/.exec(text.trim());
  if (!m) throw new FerryError('OPTION_INVALID', `--expect-head "${text}" is not SEQ or SEQ:HASH`, 'e.g. --expect-head 1234:9f86d0…(64 hex digits)');
  return { seq: Number(m[1]), hash: m[2] };
}

/**
 * Adds a problem to the report when the journal does not reach an expected head: it ends before `seq` (its tail
 * was lost), or row `seq` is there with another hash (the journal was replaced).
 */
async function checkExpectedHead(journal: JournalStore, report: ChainReport, expected: { seq: number; hash?: string }): Promise<void> {
  if (report.head.seq < expected.seq && !report.problems.some((p) => p.kind === 'missing' && p.seq <= expected.seq)) {
    report.problems.push({ kind: 'missing', seq: report.head.seq + 1,
      detail: `the journal ends at seq ${report.head.seq}, before the expected head ${expected.seq}: rows ${report.head.seq + 1}..${expected.seq} are lost` });
  } else if (expected.hash !== undefined) {
    const row = await journal.getChange(expected.seq).catch(() => undefined);
    if (row && row.hash !== expected.hash) {
      report.problems.push({ kind: 'altered', seq: expected.seq, detail: `row ${expected.seq} does not have the expected head's hash: the journal was replaced or rewritten` });
    }
  }
  report.ok = report.problems.length === 0;
}

/** `ferry journal verify`: exit status 1 when the chain is broken or does not reach `--expect-head`. */
export async function journalVerify(config: FerryConfig, json: boolean, expectHead?: string): Promise<ChainReport> {
  const expected = expectHead === undefined ? undefined : parseExpectedHead(expectHead);
  const journal = await openJournalReadonly(config);
  try {
    const report = await journal.verifyChain();
    if (expected) await checkExpectedHead(journal, report, expected);
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatChainReport(report));
    if (!report.ok) process.exitCode = 1;
    return report;
  } finally {
    await journal.close();
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
    const reader = await openJournalReadonly(config);
    try {
      const n = await reader.countPrunable(cutoff);
      process.stdout.write(`${n} finished row(s) created before ${new Date(cutoff).toISOString()} would be pruned\n`);
      return n;
    } finally {
      await reader.close();
    }
  }
  const journal = await openJournalWritable(config);
  try {
    const r = await journal.prune(cutoff);
    process.stdout.write(`${r.pruned} finished row(s) created before ${new Date(cutoff).toISOString()} pruned; ` +
      `${r.checkpoints} checkpoint(s) keep the chain verifiable` +
      `${r.oldestKept ? `; oldest unfinished row kept: seq ${r.oldestKept.seq} (${r.oldestKept.state})` : ''}\n`);
    return r;
  } finally {
    await journal.close();
  }
}

/** `ferry journal backup --to FILE`: a consistent copy of a running SQLite journal, restorable as journal.path. */
export async function journalBackup(config: FerryConfig, to: string): Promise<{ pages: number }> {
  const journal = await openJournalReadonly(config);
  try {
    const r = await journal.backup(to);
    const head = await journal.head();
    process.stdout.write(`journal backed up to ${to} (${r.pages} pages); head at the start of the copy or later: seq ${head.seq} hash ${head.hash}\n`);
    return r;
  } finally {
    await journal.close();
  }
}
