import type { Command } from 'commander';
import { requireRule } from '../../../rules/edit-config.js';
import { changeRules } from '../../change-rules.js';
import { configOption, type WithConfig } from '../../options.js';

/** `ferry rules enable ID --config F`. */
export function register(rules: Command): void {
  rules.command('enable <id>').description('enable a rule: its held changes ship').addOption(configOption())
    .action((id: string, o: WithConfig) => changeRules(o.config, (list) => {
      requireRule(list, id);
      return list.map((r) => (r.id === id ? { ...r, enabled: true } : r));
    }, `rule ${id} enabled`));
}
