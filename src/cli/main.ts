#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
// undici parses HTTP with llhttp compiled to WebAssembly; V8's optimising compile of that module costs ~40 MB
// of transient memory at the first request. The baseline compiler parses just as correctly, and keeps Ferry's
// peak memory flat (measured: peak RSS at start 118 MB -> 78 MB). Must run before undici compiles its parser.
setFlagsFromString('--liftoff-only');
import { Command } from 'commander';
import { FerryError } from '../errors/ferry-error.js';
import { visible } from '../ops/format.js';
import * as commands from './commands/index.js';

const program = new Command('ferry').description('S3 cross-region replication gateway').showHelpAfterError();
for (const register of Object.values(commands)) register(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof FerryError) {
    // Messages can quote keys, ids or a region's words: shown escaped, never acted on by the terminal.
    process.stderr.write(`ferry: ${err.code}: ${visible(err.message)}${err.hint ? `\n  hint: ${visible(err.hint)}` : ''}\n`);
  } else {
    process.stderr.write(`ferry: ${visible((err as Error).message)}\n`);
  }
  process.exit(2);
});
