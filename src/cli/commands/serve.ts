import type { Command } from 'commander';
import { configOption, type WithConfig } from '../options.js';

/** `ferry serve --config F [--listen ADDR]`: the gateway, and the shipper unless shipper.enabled is false. */
export function register(program: Command): void {
  program.command('serve').description('run the gateway (and the shipper, unless shipper.enabled is false)')
    .addOption(configOption())
    .option('--listen <addr>', 'S3 listener address (host:port), instead of the configuration\'s "listen"')
    .action(async (o: WithConfig & { listen?: string }) => {
      await (await import('../run-serve.js')).runServe(o.config, { gateway: true, shipper: true, listen: o.listen });
    });
}
