import type { Command } from 'commander';
import { toCount, type FilterOptions } from '../../../ops/filter-options.js';
import { exitQuietlyOnClosedPipe } from '../../../ops/write-lines.js';
import { addFilters, configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal ls`: matching rows, newest first. */
export function register(journal: Command): void {
  addFilters(journal.command('ls').description('list journal rows, newest first').addOption(configOption()))
    .option('--limit <n>', 'at most this many rows (0: all)', '100')
    .option('--json', 'one JSON object per line, as stored')
    .option('--wide', 'show long keys whole (otherwise cut in the middle)')
    .action(async (o: WithConfig & FilterOptions & { limit: string; json?: boolean; wide?: boolean }) => {
      exitQuietlyOnClosedPipe();
      const limit = toCount(o.limit, '--limit', 100);
      await (await import('../../../ops/journal-list.js')).journalLs(await lenientConfig(o.config), { ...o, limit, json: !!o.json, wide: !!o.wide });
    });
}
