import type { Command } from 'commander';
import { requireRule } from '../../../rules/edit-config.js';
import { changeRules } from '../../change-rules.js';
import { configOption, type WithConfig } from '../../options.js';

/** `ferry rules disable ID --config F`. */
export function register(rules: Command): void {
  rules.command('disable <id>').description('disable a rule: changes are journaled and held, not shipped').addOption(configOption())
    .action((id: string, o: WithConfig) => changeRules(o.config, (list) => {
      requireRule(list, id);
      return list.map((r) => (r.id === id ? { ...r, enabled: false } : r));
    }, `rule ${id} disabled`));
}
