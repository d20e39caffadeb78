import type { Command } from 'commander';
import { registerCutover } from '../cutover-command.js';

/** `ferry failover RULE --config F`: a rule's bucket served by its target bucket, reads and writes. */
export function register(program: Command): void {
  registerCutover(program, 'failover', "serve a rule's bucket from its target bucket (reads and writes); changes ship back later");
}
