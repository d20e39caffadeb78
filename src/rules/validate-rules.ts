import { FerryError } from '../errors/ferry-error.js';
import type { RegionConfig, RuleConfig } from '../config/types.js';

/**
 * Checks what can be checked without the network: unique ids, known regions, source and target in
 * different regions, and the one-to-one binding (a bucket appears in at most one rule, as source or target).
 */
export function validateRules(rules: RuleConfig[], regions: Record<string, RegionConfig>, sourceRegion: string): void {
  const ids = new Set<string>();
  const buckets = new Map<string, string>();
  const claim = (key: string, label: string, id: string) => {
    const owner = buckets.get(key);
    if (owner !== undefined) {
      throw new FerryError('RULE_INVALID', `rule "${id}": ${label} is already bound by rule "${owner}"`,
        'a bucket may be in only one rule, as source or as target');
    }
    buckets.set(key, id);
  };
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new FerryError('RULE_INVALID', `rule id "${rule.id}" is used twice`);
    ids.add(rule.id);
    if (!regions[rule.target.region]) {
      throw new FerryError('RULE_INVALID', `rule "${rule.id}": target region "${rule.target.region}" is not in "regions"`);
    }
    if (rule.target.region === sourceRegion) {
      throw new FerryError('RULE_INVALID',
        `rule "${rule.id}": target region "${rule.target.region}" is the source region; replication must cross regions`);
    }
    claim(`${sourceRegion}/${rule.source}`, `bucket "${rule.source}" in region "${sourceRegion}"`, rule.id);
    claim(`${rule.target.region}/${rule.target.bucket}`,
      `bucket "${rule.target.bucket}" in region "${rule.target.region}"`, rule.id);
  }
}
