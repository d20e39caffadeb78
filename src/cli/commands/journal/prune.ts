import type { Command } from 'commander';
import { configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal prune`: deletes finished rows older than the retention, leaving checkpoints. */
export function register(journal: Command): void {
  journal.command('prune').description('delete finished rows older than journal.retention, leaving checkpoints')
    .addOption(configOption())
    .option('--older-than <duration>', 'instead of journal.retention, e.g. 90d')
    .option('--dry-run', 'only count what would be pruned')
    .action(async (o: WithConfig & { olderThan?: string; dryRun?: boolean }) => {
      await (await import('../../../ops/journal-maintenance.js')).journalPrune(await lenientConfig(o.config), o);
    });
}
