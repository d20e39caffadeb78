#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
// undici parses HTTP with llhttp compiled to WebAssembly; V8's optimising compile of that module costs ~40 MB
// of transient memory at the first request. The baseline compiler parses just as correctly, and keeps Ferry's
// peak memory flat (measured: peak RSS at start 118 MB -> 78 MB). Must run before undici compiles its parser.
setFlagsFromString('--liftoff-only');
// V8 13.6 (Node 24) raised the young generation's capacity from 8 to 32 MB, and with it the amount of short-lived
// Buffer memory (socket reads, chunks) that triggers a scavenge: 128 MB, above the 64 MB at which V8 starts a full
// collection instead. A stream's spent chunks then pile up to 64 MB before they are freed (measured on a 1 GiB PUT:
// arrayBuffers 64 MiB at peak, against 31 on Node 20). The earlier capacity restores the earlier trigger; read as the
// process runs, it takes effect here (the young generation's own size, fixed at start, is left as it is).
const [v8Major = 0, v8Minor = 0] = process.versions.v8.split('.').map(Number);
if (v8Major > 13 || (v8Major === 13 && v8Minor >= 6)) setFlagsFromString('--scavenger-max-new-space-capacity-mb=8');
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FerryError } from '../errors/ferry-error.js';
import { visible } from '../ops/format.js';
import * as commands from './commands/index.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

// Usage errors are thrown, not printed and exited on by commander, so that they leave as coded errors with status 2.
// Subcommands inherit both settings from here, so they must be made before the commands are registered.
const program = new Command('ferry').description('S3 cross-region replication gateway')
  .version(version, '-V, --version', 'print the version of Ferry')
  .exitOverride()
  .configureOutput({ outputError: () => {} });
for (const register of Object.values(commands)) register(program);

/** The command a usage error is about, as typed: `ferry rules add`. */
function commandPath(args: string[]): string {
  let cmd: Command = program;
  const names = ['ferry'];
  for (const arg of args) {
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
    names.push(arg);
  }
  return names.join(' ');
}

/** Pure: commander's complaint about the command line as an operator's error. */
function usageError(err: CommanderError, args: string[]): FerryError {
  const message = err.message.replace(/^error: /, '');
  return new FerryError('OPTION_INVALID', message, `see \`${commandPath(args)} --help\``);
}

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // --help and --version end here too, successfully; a group named without its subcommand has printed its help.
    if (err.exitCode === 0) process.exit(0);
    if (err.code === 'commander.help') process.exit(2);
    err = usageError(err, process.argv.slice(2));
  }
  if (err instanceof FerryError) {
    // Messages can quote keys, ids or a region's words: shown escaped, never acted on by the terminal.
    process.stderr.write(`ferry: ${err.code}: ${visible(err.message)}${err.hint ? `\n  hint: ${visible(err.hint)}` : ''}\n`);
  } else {
    process.stderr.write(`ferry: ${visible((err as Error).message)}\n`);
  }
  process.exit(2);
});
