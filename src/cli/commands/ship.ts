import type { Command } from 'commander';
import { configOption, type WithConfig } from '../options.js';

/** `ferry ship --config F`: the shipper alone, against the journal a gateway writes. */
export function register(program: Command): void {
  program.command('ship').description('run the shipper alone against the journal')
    .addOption(configOption())
    .action(async (o: WithConfig) => {
      await (await import('../run-serve.js')).runServe(o.config, { gateway: false, shipper: true });
    });
}
