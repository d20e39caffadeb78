import type { Command } from 'commander';
import { configOption, ruleIdOf, strictConfig, type WithConfig } from '../options.js';

/** `ferry resync --rule ID`: journals a resync row for every key that differs, for a running Ferry to ship. */
export function register(program: Command): void {
  program.command('resync').description('journal a resync row for every key that differs; a running Ferry ships them')
    .addOption(configOption())
    .option('--rule <id>', 'rule id (may be left out when the configuration has one rule)')
    .option('--delete-extra', 'also delete keys that exist only in the target')
    .option('--dry-run', 'report what would be queued; write nothing')
    .option('--restart', 'ignore where an interrupted resync stopped; walk from the first key')
    .option('--deep', 'also queue keys whose metadata or tags differ (reads each key present on both sides)')
    .option('--json', 'one JSON object per difference, then a summary')
    .action(async (o: WithConfig & { rule?: string; deep?: boolean; deleteExtra?: boolean; dryRun?: boolean; restart?: boolean; json?: boolean }) => {
      const config = await strictConfig(o.config);
      await (await import('../../ops/resync-command.js')).runResync(config, { rule: ruleIdOf(config, o.rule),
        deleteExtra: !!o.deleteExtra, dryRun: !!o.dryRun, restart: !!o.restart, json: !!o.json, deep: !!o.deep });
    });
}
