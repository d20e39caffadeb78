#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
// undici parses HTTP with llhttp compiled to WebAssembly; V8's optimising compile of that module costs ~40 MB
// of transient memory at the first request. The baseline compiler parses just as correctly, and keeps Ferry's
// peak memory flat (measured: peak RSS at start 118 MB -> 78 MB). Must run before undici compiles its parser.
setFlagsFromString('--liftoff-only');
import { Command } from 'commander';
import { FerryError } from '../errors/ferry-error.js';
import { runServe } from './serve.js';
import { runDemo } from './demo.js';
import { rulesCommands } from './rules.js';
import { registerOpsCommands } from './ops.js';
import { visible } from '../ops/format.js';

const program = new Command('ferry').description('S3 cross-region replication gateway').showHelpAfterError();

program.command('serve').description('run the gateway (and the shipper, unless shipper.enabled is false)')
  .requiredOption('-c, --config <file>', 'configuration file')
  .option('--listen <addr>', 'S3 listener address (host:port), instead of the configuration\'s "listen"')
  .action((o: { config: string; listen?: string }) => runServe(o.config, { gateway: true, shipper: true, listen: o.listen }));

program.command('ship').description('run the shipper alone against the journal')
  .requiredOption('-c, --config <file>', 'configuration file')
  .action((o: { config: string }) => runServe(o.config, { gateway: false, shipper: true }));

program.command('demo').description('start two local regions, a rule and the gateway, ready for the AWS CLI')
  .option('--dir <dir>', 'data folder', './data/demo')
  .option('--listen <addr>', 'gateway address', '127.0.0.1:9000')
  .action((o: { dir: string; listen: string }) => runDemo(o));

const rules = program.command('rules').description('list and edit replication rules (the file is edited atomically)');
rules.command('ls').requiredOption('-c, --config <file>').option('--json')
  .action((o: { config: string; json?: boolean }) => rulesCommands.ls(o.config, !!o.json));
rules.command('add').requiredOption('-c, --config <file>')
  .requiredOption('--id <id>').requiredOption('--source <bucket>')
  .requiredOption('--target-region <region>').requiredOption('--target-bucket <bucket>')
  .option('--prefix <prefix>').option('--disabled')
  .action((o: { config: string; id: string; source: string; targetRegion: string; targetBucket: string; prefix?: string; disabled?: boolean }) =>
    rulesCommands.add(o.config, o));
rules.command('enable <id>').requiredOption('-c, --config <file>')
  .action((id: string, o: { config: string }) => rulesCommands.setEnabled(o.config, id, true));
rules.command('disable <id>').requiredOption('-c, --config <file>')
  .action((id: string, o: { config: string }) => rulesCommands.setEnabled(o.config, id, false));
rules.command('rm <id>').requiredOption('-c, --config <file>')
  .action((id: string, o: { config: string }) => rulesCommands.rm(o.config, id));

registerOpsCommands(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof FerryError) {
    // Messages can quote keys, ids or a region's words: shown escaped, never acted on by the terminal.
    process.stderr.write(`ferry: ${err.code}: ${visible(err.message)}${err.hint ? `\n  hint: ${visible(err.hint)}` : ''}\n`);
  } else {
    process.stderr.write(`ferry: ${visible((err as Error).message)}\n`);
  }
  process.exit(2);
});
