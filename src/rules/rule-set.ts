import type { RuleConfig } from '../config/types.js';

/** The rules in force, indexed by source bucket; swapped whole on reload so readers never see half a change. */
export class RuleSet {
  private readonly bySource: Map<string, RuleConfig>;

  constructor(readonly rules: RuleConfig[]) {
    this.bySource = new Map(rules.map((r) => [r.source, r]));
  }

  /** The rule whose source bucket (and prefix) covers this key, enabled or not: a disabled rule still journals. */
  covering(bucket: string, key: string): RuleConfig | undefined {
    const rule = this.bySource.get(bucket);
    if (!rule) return undefined;
    return rule.prefix === undefined || key.startsWith(rule.prefix) ? rule : undefined;
  }

  forBucket(bucket: string): RuleConfig | undefined {
    return this.bySource.get(bucket);
  }

  get(id: string): RuleConfig | undefined {
    return this.rules.find((r) => r.id === id);
  }

  enabledIds(): string[] {
    return this.rules.filter((r) => r.enabled).map((r) => r.id);
  }
}
