import { loadConfig } from '../config/load.js';
import type { FerryConfig, RuleConfig } from '../config/types.js';
import type { JournalStore } from '../journal/journal-store.js';
import { openJournal } from '../journal/open-journal.js';
import { requireRule } from '../rules/edit-config.js';

/**
 * The configuration for commands that only read the journal: a `${VAR}` whose variable is not set stays as
 * written instead of failing, so `ferry journal ls` works on a host without the region secrets in its environment.
 */
export function loadConfigLenient(file: string): FerryConfig {
  const env = new Proxy(process.env, {
    get: (target, name) => (typeof name === 'string' ? target[name] ?? `\${${name}}` : undefined),
  });
  return loadConfig(file, env);
}

/** Opens the journal read-only: safe beside a running Ferry (WAL lets readers and the writer proceed together). */
export function openJournalReadonly(config: FerryConfig): Promise<JournalStore> {
  return openJournal(config.journal, { readonly: true });
}

/** Opens the journal for writing (migrating it to this Ferry's schema), as a running Ferry does. */
export async function openJournalWritable(config: FerryConfig, opts: { create?: boolean } = {}): Promise<JournalStore> {
  const journal = await openJournal(config.journal, { create: opts.create });
  journal.on('warning', (message) => process.stderr.write(`note: ${message}\n`));
  return journal;
}

/** Ids of the rules that are disabled: their pending rows are `held`. */
export function heldRuleIds(config: FerryConfig): string[] {
  return config.rules.filter((r) => !r.enabled).map((r) => r.id);
}

/** The rule with this id, or RULE_NOT_FOUND. */
export function ruleOf(config: FerryConfig, id: string): RuleConfig {
  return requireRule(config.rules, id);
}
