import { existsSync, readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import type { RuleConfig } from '../config/types.js';
import { editRules, readRawConfig, requireRule, rulesOf, writeRawConfig } from '../rules/edit-config.js';

/** Tells running Ferry processes (gateway and standalone shipper) of this config to reload, by SIGHUP. */
function notifyRunning(file: string, raw: Record<string, unknown>): number {
  const journal = (raw.journal as { path?: string } | undefined)?.path;
  if (!journal) return 0;
  let told = 0;
  for (const kind of ['serve', 'ship']) {
    const pidFile = `${resolve(dirname(resolve(file)), journal)}.${kind}.pid`;
    if (!existsSync(pidFile)) continue;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGHUP');
      told++;
    } catch {
      // A stale pid file: that Ferry is gone.
    }
  }
  return told;
}

export function formatRules(rules: RuleConfig[]): string {
  const rows = [['ID', 'SOURCE', 'TARGET', 'PREFIX', 'ENABLED'],
    ...rules.map((r) => [r.id, r.source, `${r.target.region}/${r.target.bucket}`, r.prefix ?? '', String(r.enabled)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Applies one edit to the file atomically and tells a running Ferry. */
export function changeRules(file: string, edit: (rules: RuleConfig[]) => RuleConfig[], what: string): void {
  const raw = readRawConfig(file);
  const next = editRules(raw, edit);
  writeRawConfig(file, next);
  const told = notifyRunning(file, next);
  process.stdout.write(`${what}${told ? `; ${told} running Ferry process(es) reloading` : ''}\n`);
}

export const rulesCommands = {
  ls(file: string, json: boolean): void {
    const rules = rulesOf(readRawConfig(file));
    process.stdout.write(json ? rules.map((r) => JSON.stringify(r)).join('\n') + (rules.length ? '\n' : '') : formatRules(rules));
  },
  add(file: string, o: { id: string; source: string; targetRegion: string; targetBucket: string; prefix?: string; disabled?: boolean }): void {
    const rule: RuleConfig = { id: o.id, source: o.source, target: { region: o.targetRegion, bucket: o.targetBucket }, enabled: !o.disabled };
    if (o.prefix) rule.prefix = o.prefix;
    changeRules(file, (rules) => {
      if (rules.some((r) => r.id === o.id)) throw new Error(`rule "${o.id}" already exists`);
      return [...rules, rule];
    }, `rule ${o.id} added`);
  },
  setEnabled(file: string, id: string, enabled: boolean): void {
    changeRules(file, (rules) => {
      requireRule(rules, id);
      return rules.map((r) => (r.id === id ? { ...r, enabled } : r));
    }, `rule ${id} ${enabled ? 'enabled' : 'disabled'}`);
  },
  rm(file: string, id: string): void {
    changeRules(file, (rules) => {
      requireRule(rules, id);
      return rules.filter((r) => r.id !== id);
    }, `rule ${id} removed`);
  },
};
