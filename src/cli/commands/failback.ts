import type { Command } from 'commander';
import { registerCutover } from '../cutover-command.js';

/** `ferry failback RULE --config F`: the changes made during a failover shipped back, then traffic returned. */
export function register(program: Command): void {
  registerCutover(program, 'failback', 'ship the changes made during a failover back to the source, check both sides, and return traffic to it');
}
