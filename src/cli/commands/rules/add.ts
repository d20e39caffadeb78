import type { Command } from 'commander';
import type { RuleConfig } from '../../../config/types.js';
import { FerryError } from '../../../errors/ferry-error.js';
import { visible } from '../../../ops/format.js';
import { changeRules } from '../../change-rules.js';
import { configOption, type WithConfig } from '../../options.js';

type AddOptions = WithConfig & { id: string; source: string; targetRegion: string; targetBucket: string; prefix?: string; disabled?: boolean };

/** `ferry rules add --config F --id ID --source B --target-region R --target-bucket B [--prefix P] [--disabled]`. */
export function register(rules: Command): void {
  rules.command('add').description('add a rule').addOption(configOption())
    .requiredOption('--id <id>', 'the rule\'s name, unique')
    .requiredOption('--source <bucket>', 'bucket in the source region')
    .requiredOption('--target-region <region>', 'the target region (one of "regions")')
    .requiredOption('--target-bucket <bucket>', 'bucket in the target region (must exist)')
    .option('--prefix <prefix>', 'only keys starting with this')
    .option('--disabled', 'add it disabled: journaled, not shipped')
    .action((o: AddOptions) => {
      const rule: RuleConfig = { id: o.id, source: o.source, target: { region: o.targetRegion, bucket: o.targetBucket }, enabled: !o.disabled };
      if (o.prefix) rule.prefix = o.prefix;
      return changeRules(o.config, (list) => {
        if (list.some((r) => r.id === o.id)) throw new FerryError('RULE_INVALID', `rule "${o.id}" already exists`, 'choose another --id');
        return [...list, rule];
      }, `rule ${o.id} added`, async (next) => {
        // As the reload that follows would: a rule whose target bucket is missing is refused before the file is written.
        const { checkTargetsOfFile } = await import('../../../rules/check-targets.js');
        await checkTargetsOfFile(next, [rule], { warn: ({ region }) => process.stderr.write(
          `note: target region ${visible(region)} cannot be reached to check bucket ${visible(rule.target.bucket)}; changes will wait for it\n`) });
      });
    });
}
