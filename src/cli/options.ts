import { Option, type Command } from 'commander';
import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';

/** The options every command reading a configuration has. */
export type WithConfig = { config: string };

/** `-c, --config <file>`, mandatory. */
export const configOption = (): Option => new Option('-c, --config <file>', 'configuration file').makeOptionMandatory();

/** The journal filters of `journal ls` and `journal export` (the names of ChangeFilter). */
export function addFilters(cmd: Command): Command {
  return cmd
    .option('--rule <id>', 'rule id')
    .option('--bucket <bucket>', 'source bucket')
    .option('--key <key>', 'exact object key')
    .option('--prefix <prefix>', 'object keys starting with this')
    .option('--op <operation>', 'S3 operation (PutObject, DeleteObject, CompleteMultipartUpload, Resync, ResyncMissing, ...)')
    .option('--client <accessKeyId>', 'access key id of the client')
    .option('--state <state>', 'pending | shipped | failed | held | cancelled | rejected | unchanged | intent')
    .option('--since <time>', 'created at or after: ISO time, or a duration ago (15m, 2h, 7d)')
    .option('--until <time>', 'created before: ISO time, or a duration ago');
}

// Loaded when a command runs, so `ferry --help` does not open the journal's native module.
/** The configuration, expanded and checked (region secrets must be in the environment). */
export async function strictConfig(file: string): Promise<FerryConfig> {
  return (await import('../config/load.js')).loadConfig(file);
}

/** The configuration for commands that only read the journal: unset `${VAR}`s stay as written. */
export async function lenientConfig(file: string): Promise<FerryConfig> {
  return (await import('../ops/ops-config.js')).loadConfigLenient(file);
}

/**
 * The rule a command is about: the one given, or, when none is, the configuration's only rule. With several (or
 * none) and none given, OPTION_INVALID naming them.
 */
export function ruleIdOf(config: Pick<FerryConfig, 'rules'>, given: string | undefined, option = '--rule'): string {
  if (given !== undefined) return given;
  if (config.rules.length === 1) return config.rules[0]!.id;
  const ids = config.rules.map((r) => r.id);
  throw new FerryError('OPTION_INVALID', ids.length === 0 ? 'the configuration has no rules' : `${option} is missing and the configuration has ${ids.length} rules`,
    ids.length === 0 ? 'add one with `ferry rules add`' : `name one with ${option}: ${ids.join(', ')}`);
}
