import type { Command } from 'commander';
import * as ls from './ls.js';
import * as show from './show.js';
import * as exportRows from './export.js';
import * as retry from './retry.js';
import * as verify from './verify.js';
import * as backup from './backup.js';
import * as prune from './prune.js';

/** `ferry journal …`: the audit trail and the shipping queue. */
export function register(program: Command): void {
  const journal = program.command('journal').description('inspect, export, verify, retry and prune the journal (the audit trail)');
  for (const sub of [ls, show, exportRows, retry, verify, backup, prune]) sub.register(journal);
}
