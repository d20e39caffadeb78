import type { FerryConfig } from '../config/types.js';
import { createProgress } from './progress.js';
import { DEEP_CONCURRENCY, countEntry, diffJson, emptyCounts, formatDiff, ruleEnds, walkRule, type DriftCounts } from './rule-walk.js';

export interface VerifyReport extends DriftCounts {
  rule: string;
  /** Whether metadata and tags were compared too. */
  deep: boolean;
  equal: boolean;
  seconds: number;
}

/**
 * `ferry verify --rule ID`: walks both listings as one sorted merge and prints each key missing in the target,
 * extra in it, or different (size; ETag when both are plain MD5s). With `deep`, also the metadata and tags of every
 * key present on both sides (a listing shows neither). Exit status 1 on drift.
 */
export async function runVerify(config: FerryConfig, o: { rule: string; json: boolean; deep?: boolean }): Promise<VerifyReport> {
  const ends = ruleEnds(config, o.rule, { connections: o.deep ? DEEP_CONCURRENCY : undefined });
  const counts = emptyCounts();
  const started = Date.now();
  const progress = createProgress(`verify ${o.rule} | {value} keys | {missing} missing, {extra} extra, {different} different | {duration_formatted}`,
    { missing: 0, extra: 0, different: 0 });
  try {
    for await (const d of walkRule(ends, { deep: o.deep })) {
      countEntry(counts, d);
      if (d.kind !== 'same') progress.log(o.json ? diffJson(d) : formatDiff(d));
      if (counts.walked % 100 === 0) progress.update({ value: counts.walked, missing: counts.missing, extra: counts.extra, different: counts.different });
    }
    progress.update({ value: counts.walked, missing: counts.missing, extra: counts.extra, different: counts.different });
  } finally {
    progress.stop();
    await ends.close();
  }
  const report: VerifyReport = { rule: o.rule, deep: !!o.deep, ...counts, equal: counts.missing + counts.extra + counts.different === 0,
    seconds: (Date.now() - started) / 1000 };
  process.stdout.write(o.json ? `${JSON.stringify({ summary: report })}\n`
    : `rule ${o.rule}: ${counts.walked} keys walked${o.deep ? ' (metadata and tags compared)' : ''} in ${report.seconds.toFixed(1)}s: ${counts.missing} missing, ` +
      `${counts.extra} extra, ${counts.different} different${report.equal ? ' (target equals source)' : ''}\n`);
  if (!report.equal) process.exitCode = 1;
  return report;
}
