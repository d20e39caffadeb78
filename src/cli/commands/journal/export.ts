import { Option, type Command } from 'commander';
import type { FilterOptions } from '../../../ops/filter-options.js';
import { exitQuietlyOnClosedPipe } from '../../../ops/write-lines.js';
import { addFilters, configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal export`: matching rows, oldest first, as JSON lines or CSV. */
export function register(journal: Command): void {
  addFilters(journal.command('export').description('stream matching rows, oldest first, as JSON lines or CSV').addOption(configOption()))
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (o: WithConfig & FilterOptions & { format: string; output?: string }) => {
      exitQuietlyOnClosedPipe();
      await (await import('../../../ops/journal-export.js')).journalExport(await lenientConfig(o.config), o);
    });
}
