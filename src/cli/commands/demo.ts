import { InvalidArgumentError, type Command } from 'commander';
import { DEMO_ADMIN, DEMO_LISTEN, DEMO_SOURCE_PORT, DEMO_TARGET_PORT } from '../demo/demo-config.js';

/** A port number option: 0 to 65535 (0: any free one). */
function port(text: string): string {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new InvalidArgumentError('not a port (0 to 65535)');
  return text;
}

/** `ferry demo`: two local regions, a rule, the gateway, the shipper and the admin listener, ready for the AWS CLI. */
export function register(program: Command): void {
  program.command('demo').description('start two local regions, a rule and the gateway, ready for the AWS CLI and every ferry command')
    .option('--dir <dir>', 'data folder; its ferry.json is the configuration (kept across runs)', './data/demo')
    .option('--listen <addr>', 'gateway address', DEMO_LISTEN)
    .option('--admin <addr>', 'admin listener address (the console), loopback', DEMO_ADMIN)
    .option('--source-port <port>', 'port of the source region (cn-bj) on 127.0.0.1', port, String(DEMO_SOURCE_PORT))
    .option('--target-port <port>', 'port of the target region (cn-sh) on 127.0.0.1', port, String(DEMO_TARGET_PORT))
    .action(async (o: { dir: string; listen: string; admin: string; sourcePort: string; targetPort: string }) => {
      await (await import('../demo/run-demo.js')).runDemo(o);
    });
}
