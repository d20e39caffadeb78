import type { Command } from 'commander';
import { exitQuietlyOnClosedPipe } from '../../ops/write-lines.js';
import { configOption, ruleIdOf, strictConfig, type WithConfig } from '../options.js';

/** `ferry verify --rule ID`: compares a rule's source and target; exit 1 on drift. */
export function register(program: Command): void {
  program.command('verify').description("compare a rule's source and target listings; exit 1 on drift")
    .addOption(configOption())
    .option('--rule <id>', 'rule id (may be left out when the configuration has one rule)')
    .option('--deep', 'also compare the metadata and tags of keys present on both sides (reads each key)')
    .option('--json', 'one JSON object per difference, then a summary')
    .action(async (o: WithConfig & { rule?: string; deep?: boolean; json?: boolean }) => {
      exitQuietlyOnClosedPipe();
      const config = await strictConfig(o.config);
      await (await import('../../ops/verify-command.js')).runVerify(config, { rule: ruleIdOf(config, o.rule), json: !!o.json, deep: !!o.deep });
    });
}
