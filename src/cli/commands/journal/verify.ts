import type { Command } from 'commander';
import { configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal verify`: walks the hash chain; exit 1 on an altered, inserted or missing row. */
export function register(journal: Command): void {
  journal.command('verify').description('walk the hash chain; exit 1 and name the first altered, inserted or missing row')
    .addOption(configOption()).option('--json', 'the report as JSON')
    .option('--expect-head <seq[:hash]>', 'also fail unless the journal reaches this head (from a log line, a metric or an earlier verify)')
    .action(async (o: WithConfig & { json?: boolean; expectHead?: string }) => {
      await (await import('../../../ops/journal-maintenance.js')).journalVerify(await lenientConfig(o.config), !!o.json, o.expectHead);
    });
}
