import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { FerryError } from '../errors/ferry-error.js';
import { toCount, type FilterOptions } from '../ops/filter-options.js';
import { loadConfigLenient } from '../ops/ops-config.js';
import { exitQuietlyOnClosedPipe } from '../ops/write-lines.js';

// Each command's module is imported when the command runs, so `ferry` starts without loading them all.
const journalList = () => import('../ops/journal-list.js');
const maintenance = () => import('../ops/journal-maintenance.js');

type WithConfig = { config: string };

function addFilters(cmd: Command): Command {
  return cmd
    .option('--rule <id>', 'rule id')
    .option('--bucket <bucket>', 'source bucket')
    .option('--key <key>', 'exact object key')
    .option('--prefix <prefix>', 'object keys starting with this')
    .option('--op <operation>', 'S3 operation (PutObject, DeleteObject, CompleteMultipartUpload, Resync, ...)')
    .option('--client <accessKeyId>', 'access key id of the client')
    .option('--state <state>', 'pending | shipped | failed | held | cancelled | rejected | unchanged | intent')
    .option('--since <time>', 'created at or after: ISO time, or a duration ago (15m, 2h, 7d)')
    .option('--until <time>', 'created before: ISO time, or a duration ago');
}

const configOption = () => new Option('-c, --config <file>', 'configuration file').makeOptionMandatory();

/** Operator commands over the journal and the regions (journal, status, verify, resync). */
export function registerOpsCommands(program: Command): void {
  const journal = program.command('journal').description('inspect, export, verify, retry and prune the journal (the audit trail)');

  addFilters(journal.command('ls').description('list journal rows, newest first').addOption(configOption()))
    .option('--limit <n>', 'at most this many rows (0: all)', '100')
    .option('--json', 'one JSON object per line, as stored')
    .action(async (o: WithConfig & FilterOptions & { limit: string; json?: boolean }) => {
      exitQuietlyOnClosedPipe();
      await (await journalList()).journalLs(loadConfigLenient(o.config), { ...o, limit: toCount(o.limit, '--limit', 100), json: !!o.json });
    });

  journal.command('show <seq>').description('one row in full, with its shipping history').addOption(configOption())
    .option('--json', 'as one JSON object')
    .action(async (seq: string, o: WithConfig & { json?: boolean }) => { await (await journalList()).journalShow(loadConfigLenient(o.config), seq, !!o.json); });

  addFilters(journal.command('export').description('stream matching rows, oldest first, as JSON lines or CSV').addOption(configOption()))
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (o: WithConfig & FilterOptions & { format: string; output?: string }) => {
      exitQuietlyOnClosedPipe();
      await (await import('../ops/journal-export.js')).journalExport(loadConfigLenient(o.config), o);
    });

  journal.command('retry').description('put failed changes back in the shipping queue').addOption(configOption())
    .option('--rule <id>', 'only this rule')
    .option('--state <state>', 'which changes to retry (failed)', 'failed')
    .action(async (o: WithConfig & { rule?: string; state?: string }) => { await (await maintenance()).journalRetry(loadConfigLenient(o.config), o); });

  journal.command('verify').description('walk the hash chain; exit 1 and name the first altered, inserted or missing row')
    .addOption(configOption()).option('--json', 'the report as JSON')
    .option('--expect-head <seq[:hash]>', 'also fail unless the journal reaches this head (from a log line, a metric or an earlier verify)')
    .action(async (o: WithConfig & { json?: boolean; expectHead?: string }) => {
      await (await maintenance()).journalVerify(loadConfigLenient(o.config), !!o.json, o.expectHead);
    });

  journal.command('backup').description('copy a running SQLite journal consistently (SQLite\'s online backup), to restore as journal.path')
    .addOption(configOption()).requiredOption('--to <file>', 'the copy to write')
    .action(async (o: WithConfig & { to: string }) => { await (await maintenance()).journalBackup(loadConfigLenient(o.config), o.to); });

  journal.command('prune').description('delete finished rows older than journal.retention, leaving checkpoints')
    .addOption(configOption())
    .option('--older-than <duration>', 'instead of journal.retention, e.g. 90d')
    .option('--dry-run', 'only count what would be pruned')
    .action(async (o: WithConfig & { olderThan?: string; dryRun?: boolean }) => { await (await maintenance()).journalPrune(loadConfigLenient(o.config), o); });

  program.command('status').description('replication state per rule: pending, failed, shipped, lag')
    .addOption(configOption())
    .option('--json', 'as JSON (one object per refresh)')
    .option('--watch [seconds]', 'refresh every few seconds until Ctrl-C')
    .action(async (o: WithConfig & { json?: boolean; watch?: string | boolean }) => {
      const watchSeconds = o.watch === undefined ? undefined : o.watch === true ? 2 : Number(o.watch);
      if (watchSeconds !== undefined && !(watchSeconds > 0)) throw new FerryError('OPTION_INVALID', `--watch "${o.watch}" is not a number of seconds`);
      await (await import('../ops/status-command.js')).runStatus(o.config, { json: !!o.json, watchSeconds });
    });

  program.command('verify').description("compare a rule's source and target listings; exit 1 on drift")
    .addOption(configOption())
    .requiredOption('--rule <id>', 'rule id')
    .option('--json', 'one JSON object per difference, then a summary')
    .action(async (o: WithConfig & { rule: string; json?: boolean }) => {
      exitQuietlyOnClosedPipe();
      await (await import('../ops/verify-command.js')).runVerify(loadConfig(o.config), { rule: o.rule, json: !!o.json });
    });

  program.command('resync').description('journal a resync row for every key that differs; a running Ferry ships them')
    .addOption(configOption())
    .requiredOption('--rule <id>', 'rule id')
    .option('--delete-extra', 'also delete keys that exist only in the target')
    .option('--dry-run', 'report what would be queued; write nothing')
    .option('--restart', 'ignore where an interrupted resync stopped; walk from the first key')
    .option('--json', 'one JSON object per difference, then a summary')
    .action(async (o: WithConfig & { rule: string; deleteExtra?: boolean; dryRun?: boolean; restart?: boolean; json?: boolean }) => {
      await (await import('../ops/resync-command.js')).runResync(loadConfig(o.config), { rule: o.rule, deleteExtra: !!o.deleteExtra, dryRun: !!o.dryRun,
        restart: !!o.restart, json: !!o.json });
    });
}
