import type { Command } from 'commander';
import { requireRule } from '../../../rules/edit-config.js';
import { changeRules } from '../../change-rules.js';
import { configOption, type WithConfig } from '../../options.js';

/** `ferry rules rm ID --config F`: a running Ferry marks the rule's pending rows cancelled. */
export function register(rules: Command): void {
  rules.command('rm <id>').description('remove a rule (its pending changes are cancelled, and kept)').addOption(configOption())
    .action((id: string, o: WithConfig) => changeRules(o.config, (list) => {
      requireRule(list, id);
      return list.filter((r) => r.id !== id);
    }, `rule ${id} removed`));
}
