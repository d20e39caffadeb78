import type { RuleConfig } from '../config/types.js';
import type { Region } from '../region/region.js';
import type { RuleSet } from '../rules/rule-set.js';

/** A rule with the region its target bucket lives in, resolved once per rule set rather than per key. */
export interface BoundRule {
  rule: RuleConfig;
  target: Region;
}

const cache = new WeakMap<RuleSet, WeakMap<Map<string, Region>, Map<string, BoundRule>>>();

/** The rules of `rules` whose target region is known, by id; computed once for each rule set and regions (a reload makes new ones). */
export function boundRules(rules: RuleSet, targets: Map<string, Region>): Map<string, BoundRule> {
  let byTargets = cache.get(rules);
  if (!byTargets) cache.set(rules, byTargets = new WeakMap());
  let bound = byTargets.get(targets);
  if (!bound) {
    bound = new Map();
    for (const rule of rules.rules) {
      const target = targets.get(rule.target.region);
      if (target) bound.set(rule.id, { rule, target });
    }
    byTargets.set(targets, bound);
  }
  return bound;
}
