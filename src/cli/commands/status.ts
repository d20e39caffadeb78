import type { Command } from 'commander';
import { FerryError } from '../../errors/ferry-error.js';
import { configOption, type WithConfig } from '../options.js';

/** `ferry status`: replication state per rule, once or every few seconds. */
export function register(program: Command): void {
  program.command('status').description('replication state per rule: pending, failed, shipped, lag')
    .addOption(configOption())
    .option('--json', 'as JSON (one object per refresh)')
    .option('--watch [seconds]', 'refresh every few seconds until Ctrl-C')
    .action(async (o: WithConfig & { json?: boolean; watch?: string | boolean }) => {
      const watchSeconds = o.watch === undefined ? undefined : o.watch === true ? 2 : Number(o.watch);
      if (watchSeconds !== undefined && !(watchSeconds > 0)) throw new FerryError('OPTION_INVALID', `--watch "${o.watch}" is not a number of seconds`);
      await (await import('../../ops/status-command.js')).runStatus(o.config, { json: !!o.json, watchSeconds });
    });
}
