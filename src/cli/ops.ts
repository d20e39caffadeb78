import type { Command } from 'commander';

/** Operator commands over the journal and the regions (journal, status, verify, resync). */
export function registerOpsCommands(_program: Command): void {}
