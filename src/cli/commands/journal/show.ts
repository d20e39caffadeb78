import type { Command } from 'commander';
import { configOption, lenientConfig, type WithConfig } from '../../options.js';

/** `ferry journal show SEQ`: one row in full, with its shipping history. */
export function register(journal: Command): void {
  journal.command('show <seq>').description('one row in full, with its shipping history').addOption(configOption())
    .option('--json', 'as one JSON object')
    .action(async (seq: string, o: WithConfig & { json?: boolean }) => {
      await (await import('../../../ops/journal-list.js')).journalShow(await lenientConfig(o.config), seq, !!o.json);
    });
}
