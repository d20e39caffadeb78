import type { Command } from 'commander';
import { exitQuietlyOnClosedPipe } from '../../ops/write-lines.js';
import { configOption, strictConfig, type WithConfig } from '../options.js';

/** `ferry verify --rule ID`: compares a rule's source and target; exit 1 on drift. */
export function register(program: Command): void {
  program.command('verify').description("compare a rule's source and target listings; exit 1 on drift")
    .addOption(configOption())
    .requiredOption('--rule <id>', 'rule id')
    .option('--json', 'one JSON object per difference, then a summary')
    .action(async (o: WithConfig & { rule: string; json?: boolean }) => {
      exitQuietlyOnClosedPipe();
      await (await import('../../ops/verify-command.js')).runVerify(await strictConfig(o.config), { rule: o.rule, json: !!o.json });
    });
}
