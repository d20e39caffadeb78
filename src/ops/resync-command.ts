import { hostname, userInfo } from 'node:os';
import type { FerryConfig } from '../config/types.js';
import { openJournalWritable } from './ops-config.js';
import { createProgress } from './progress.js';
import { resyncRule, type ResyncReport } from './resync.js';
import { DEEP_CONCURRENCY, diffJson, formatDiff, ruleEnds } from './rule-walk.js';

function operator(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

/** Pure: the closing line of `ferry resync` for people. */
export function formatResyncReport(r: ResyncReport): string {
  const verb = r.dryRun ? 'would be written' : 'written';
  const resumed = r.resumedAfter !== undefined ? ` (resumed after "${r.resumedAfter}")` : '';
  const end = r.complete ? '' : r.savedAfter === undefined && r.resumedAfter === undefined
    ? '; interrupted: run the same command again to walk again (keys already shipped are found equal and not queued)'
    : '; interrupted: run the same command again to resume after the last key walked';
  const kept = r.extraKept ? `; ${r.extraKept} extra key(s) left in the target (use --delete-extra to delete them)` : '';
  return `rule ${r.rule}: ${r.walked} keys walked${resumed}: ${r.missing} missing, ${r.extra} extra, ${r.different} different; ` +
    `${r.rowsWritten} resync row(s) ${verb}${kept}${end}\n`;
}

/**
 * `ferry resync --rule ID`: writes resync rows to the journal only; a running `ferry serve` or `ferry ship` ships
 * them (it polls the journal). Ctrl-C stops after the current key and saves the position.
 */
export async function runResync(config: FerryConfig, o: { rule: string; deleteExtra: boolean; dryRun: boolean; restart: boolean;
  json: boolean; deep?: boolean }): Promise<ResyncReport> {
  const ends = ruleEnds(config, o.rule, { connections: o.deep ? DEEP_CONCURRENCY : undefined });
  const journal = await openJournalWritable(config, { create: true });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = createProgress(`resync ${o.rule} | {value} keys | {queued} to ship | {duration_formatted}`, { queued: 0 });
  let queued = 0;
  try {
    const report = await resyncRule(journal, ends, {
      deleteExtra: o.deleteExtra, dryRun: o.dryRun, restart: o.restart, deep: o.deep, signal: abort.signal,
      who: { accessKeyId: 'ferry-resync', remoteAddr: operator() },
      onEntry(d, counts, queue) {
        if (queue) queued++;
        if (d.kind !== 'same') progress.log(o.json ? diffJson(d) : formatDiff(d));
        if (counts.walked % 100 === 0) progress.update({ value: counts.walked, queued });
      },
    });
    progress.update({ value: report.walked, queued });
    progress.stop();
    process.stdout.write(o.json ? `${JSON.stringify({ summary: report })}\n` : formatResyncReport(report));
    if (!config.rules.find((r) => r.id === o.rule)?.enabled && report.rowsWritten && !o.dryRun) {
      process.stderr.write(`note: rule ${o.rule} is disabled; its resync rows are held until it is enabled\n`);
    }
    if (!report.complete) process.exitCode = 130;
    return report;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    await journal.close();
    await ends.close();
  }
}
