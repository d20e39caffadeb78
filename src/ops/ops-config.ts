import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { FerryConfig, RuleConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import { Journal } from '../journal/journal.js';
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

function missing(path: string): FerryError {
  return new FerryError('JOURNAL_UNAVAILABLE', `no journal at ${path}`,
    'check journal.path in the configuration; `ferry serve` creates the journal when it first starts');
}

/** Opens the journal read-only: safe beside a running Ferry (WAL lets readers and the writer proceed together). */
export function openJournalReadonly(config: FerryConfig): Database.Database {
  if (!existsSync(config.journal.path)) throw missing(config.journal.path);
  try {
    const db = new Database(config.journal.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    throw new FerryError('JOURNAL_UNAVAILABLE', `cannot open ${config.journal.path}: ${(err as Error).message}`);
  }
}

/** Opens the journal for writing (migrating it to this Ferry's schema), as a running Ferry does. */
export function openJournalWritable(config: FerryConfig, opts: { create?: boolean } = {}): Journal {
  if (!opts.create && !existsSync(config.journal.path)) throw missing(config.journal.path);
  try {
    return new Journal(config.journal.path);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('JOURNAL_UNAVAILABLE', `cannot open ${config.journal.path}: ${(err as Error).message}`);
  }
}

/** Ids of the rules that are disabled: their pending rows are `held`. */
export function heldRuleIds(config: FerryConfig): string[] {
  return config.rules.filter((r) => !r.enabled).map((r) => r.id);
}

/** The rule with this id, or RULE_NOT_FOUND. */
export function ruleOf(config: FerryConfig, id: string): RuleConfig {
  return requireRule(config.rules, id);
}
