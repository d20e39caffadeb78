import type { Command } from 'commander';
import type { RuleConfig } from '../../../config/types.js';
import { readRawConfig, rulesOf } from '../../../rules/edit-config.js';
import { formatTable } from '../../../ops/format.js';
import { configOption, type WithConfig } from '../../options.js';

/** Pure: the table `ferry rules ls` prints. */
export function formatRules(rules: RuleConfig[]): string {
  const rows = [['ID', 'SOURCE', 'TARGET', 'PREFIX', 'ENABLED'],
    ...rules.map((r) => [r.id, r.source, `${r.target.region}/${r.target.bucket}`, r.prefix ?? '', String(r.enabled)])];
  return formatTable(rows);
}

/** `ferry rules ls --config F [--json]`. */
export function register(rules: Command): void {
  rules.command('ls').description('list the rules of the file').addOption(configOption()).option('--json', 'one JSON object per rule')
    .action((o: WithConfig & { json?: boolean }) => {
      const list = rulesOf(readRawConfig(o.config));
      process.stdout.write(o.json ? list.map((r) => `${JSON.stringify(r)}\n`).join('') : formatRules(list));
    });
}
