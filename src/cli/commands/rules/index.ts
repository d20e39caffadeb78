import type { Command } from 'commander';
import * as ls from './ls.js';
import * as add from './add.js';
import * as enable from './enable.js';
import * as disable from './disable.js';
import * as rm from './rm.js';

/** `ferry rules …`: list and edit the rules of a configuration file. */
export function register(program: Command): void {
  const rules = program.command('rules').description('list and edit replication rules (the file is edited atomically)');
  for (const sub of [ls, add, enable, disable, rm]) sub.register(rules);
}
