import type { Command } from 'commander';

/** `ferry demo`: two local regions, a rule, the gateway and the shipper, ready for the AWS CLI. */
export function register(program: Command): void {
  program.command('demo').description('start two local regions, a rule and the gateway, ready for the AWS CLI')
    .option('--dir <dir>', 'data folder', './data/demo')
    .option('--listen <addr>', 'gateway address', '127.0.0.1:9000')
    .action(async (o: { dir: string; listen: string }) => {
      await (await import('../demo/run-demo.js')).runDemo(o);
    });
}
