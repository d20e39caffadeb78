import type { Classified } from '../s3/classify.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { IntentInput } from '../journal/journal-store.js';

/** Pure: the intents a change needs, one per key a rule covers (several for DeleteObjects). */
export function planIntents(c: Classified, keys: string[], rules: RuleSet, who: { accessKeyId: string; remoteAddr: string }): IntentInput[] {
  if (!c.changesObject || c.bucket === undefined) return [];
  const out: IntentInput[] = [];
  for (const key of keys) {
    const rule = rules.covering(c.bucket, key);
    if (rule) out.push({ ruleId: rule.id, operation: c.operation, bucket: c.bucket, key, ...who });
  }
  return out;
}
