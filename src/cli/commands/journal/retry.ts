import type { Command } from 'commander';
import { configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal retry`: failed changes back in the shipping queue. */
export function register(journal: Command): void {
  journal.command('retry').description('put failed changes back in the shipping queue').addOption(configOption())
    .option('--rule <id>', 'only this rule')
    .option('--state <state>', 'which changes to retry (failed)', 'failed')
    .action(async (o: WithConfig & { rule?: string; state?: string }) => {
      await (await import('../../../ops/journal-maintenance.js')).journalRetry(await lenientConfig(o.config), o);
    });
}
