import type { Command } from 'commander';
import { configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal backup --to FILE`: a consistent copy of a running SQLite journal. */
export function register(journal: Command): void {
  journal.command('backup').description('copy a running SQLite journal consistently (SQLite\'s online backup), to restore as journal.path')
    .addOption(configOption()).requiredOption('--to <file>', 'the copy to write')
    .action(async (o: WithConfig & { to: string }) => {
      await (await import('../../../ops/journal-maintenance.js')).journalBackup(await lenientConfig(o.config), o.to);
    });
}
