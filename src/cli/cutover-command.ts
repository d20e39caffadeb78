import type { Command } from 'commander';
import type { RuleConfig } from '../config/types.js';
import { requireRule } from '../rules/edit-config.js';
import { changeRules } from './change-rules.js';
import { configOption, strictConfig, type WithConfig } from './options.js';

type CutoverFlags = WithConfig & { force?: boolean; timeout: string; json?: boolean };

/** `ferry failover` and `ferry failback`: one shape, the direction apart. */
export function registerCutover(program: Command, verb: 'failover' | 'failback', description: string): void {
  program.command(`${verb} <rule>`).description(description).addOption(configOption())
    .option('--force', 'go ahead although changes have not shipped or the two sides differ (they are lost on the side left)')
    .option('--timeout <seconds>', 'how long to wait for the last changes to ship', '60')
    .option('--json', 'print the report as JSON')
    .action(async (ruleId: string, o: CutoverFlags) => {
      const config = await strictConfig(o.config);
      const { runFailover, runFailback } = await import('../ops/cutover.js');
      const apply = (id: string, change: Partial<RuleConfig>, what: string) => changeRules(o.config, (rules) => {
        requireRule(rules, id);
        return rules.map((r) => (r.id === id ? withChange(r, change) : r));
      }, what);
      const report = await (verb === 'failover' ? runFailover : runFailback)(config, {
        ruleId, force: !!o.force, timeoutMs: Math.max(1, Number(o.timeout) || 60) * 1000, apply,
        say: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(o.json ? `${JSON.stringify(report)}\n`
        : `rule ${report.rule}: served by its ${report.primary}; ${report.drained} change(s) shipped first, ${report.verified} key(s) ` +
          `compared, changes paused ${(report.pausedMs / 1000).toFixed(1)} s, ${(report.totalMs / 1000).toFixed(1)} s in all\n`);
    });
}

/** Pure: a rule with its cutover fields changed, defaults left out of the file. */
function withChange(rule: RuleConfig, change: Partial<RuleConfig>): RuleConfig {
  const next: RuleConfig = { ...rule, ...change };
  if (next.primary === 'source') delete next.primary;
  if (!next.writesPaused) delete next.writesPaused;
  return next;
}
