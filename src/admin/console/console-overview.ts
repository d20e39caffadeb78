import type { RuleConfig } from '../../config/types.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { collectStatus, type RuleStatus } from '../../ops/status.js';
import { failedKeys, type FailedKey } from './failed-keys.js';
import type { RuleSampler } from './rule-sampler.js';
import type { Sample } from './sample-ring.js';

/** What the console's page polls: every rule's figures, the charts' samples and the failed keys. */
export interface ConsoleOverview {
  at: string;
  rules: Array<RuleStatus & { failedKeys: number }>;
  series: { everySeconds: number; samples: Sample[] };
  failed: { keys: FailedKey[]; truncated: boolean };
}

export async function consoleOverview(journal: JournalStore, rules: RuleConfig[], sampler: RuleSampler): Promise<ConsoleOverview> {
  const held = rules.filter((r) => !r.enabled).map((r) => r.id);
  const [status, failed, samples] = await Promise.all([collectStatus(journal, rules), failedKeys(journal, held), sampler.series()]);
  const keysOf = (rule: string) => failed.keys.filter((k) => k.rule === rule).length;
  return {
    at: status.at,
    rules: status.rules.map((r) => ({ ...r, failedKeys: keysOf(r.rule) })),
    series: { everySeconds: sampler.everyMs / 1000, samples },
    failed,
  };
}
