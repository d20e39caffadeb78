import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve, dirname } from 'node:path';
import type { RuleConfig } from '../config/types.js';
import { editRules, readRawConfig, requireRule, rulesOf, writeRawConfig } from '../rules/edit-config.js';
import { reloadThroughAdmin } from '../admin/reload-client.js';
import { checkFerryPid } from '../admin/running-ferry.js';
import { formatTable, visible } from '../ops/format.js';

/**
 * Tells running Ferry processes of this config to reload: through the admin listener when the config has one
 * (the answer says the reload took), and by SIGHUP to the processes in the pid files (a standalone `ferry ship`,
 * or every process when there is no admin listener or it cannot be reached), each only once /proc shows it is a
 * Ferry serving this file. Returns how many were told.
 */
async function notifyRunning(file: string, raw: Record<string, unknown>): Promise<number> {
  let told = 0;
  let answered: number | undefined;
  if (raw.admin !== undefined) {
    const r = await reloadThroughAdmin(raw.admin);
    if (r.ok) {
      answered = r.pid;
      told++;
    } else process.stderr.write(`note: admin reload did not answer (${visible(r.error)}); signalling instead\n`);
  }
  const journal = (raw.journal as { path?: string } | undefined)?.path;
  if (!journal) return told;
  for (const kind of ['serve', 'ship']) {
    const pidFile = `${resolve(dirname(resolve(file)), journal)}.${kind}.pid`;
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid === answered) continue;
    const check = checkFerryPid(pid, file, kind as 'serve' | 'ship');
    if (!check.ferry) {
      // A pid file outlives a Ferry killed with SIGKILL, and its pid may now be any process's.
      if (!check.gone) process.stderr.write(`note: ${basename(pidFile)} names pid ${pid}, which is not signalled: ${check.why}\n`);
      continue;
    }
    try {
      process.kill(pid, 'SIGHUP');
      told++;
    } catch {
      // Gone between the check and the signal.
    }
  }
  return told;
}

export function formatRules(rules: RuleConfig[]): string {
  const rows = [['ID', 'SOURCE', 'TARGET', 'PREFIX', 'ENABLED'],
    ...rules.map((r) => [r.id, r.source, `${r.target.region}/${r.target.bucket}`, r.prefix ?? '', String(r.enabled)])];
  return formatTable(rows);
}

/** Applies one edit to the file atomically and tells a running Ferry. */
export async function changeRules(file: string, edit: (rules: RuleConfig[]) => RuleConfig[], what: string): Promise<void> {
  const raw = readRawConfig(file);
  const next = editRules(raw, edit);
  writeRawConfig(file, next);
  const told = await notifyRunning(file, next);
  process.stdout.write(`${what}${told ? `; ${told} running Ferry process(es) reloading` : ''}\n`);
}

export const rulesCommands = {
  ls(file: string, json: boolean): void {
    const rules = rulesOf(readRawConfig(file));
    process.stdout.write(json ? rules.map((r) => JSON.stringify(r)).join('\n') + (rules.length ? '\n' : '') : formatRules(rules));
  },
  add(file: string, o: { id: string; source: string; targetRegion: string; targetBucket: string; prefix?: string; disabled?: boolean }): Promise<void> {
    const rule: RuleConfig = { id: o.id, source: o.source, target: { region: o.targetRegion, bucket: o.targetBucket }, enabled: !o.disabled };
    if (o.prefix) rule.prefix = o.prefix;
    return changeRules(file, (rules) => {
      if (rules.some((r) => r.id === o.id)) throw new Error(`rule "${o.id}" already exists`);
      return [...rules, rule];
    }, `rule ${o.id} added`);
  },
  setEnabled(file: string, id: string, enabled: boolean): Promise<void> {
    return changeRules(file, (rules) => {
      requireRule(rules, id);
      return rules.map((r) => (r.id === id ? { ...r, enabled } : r));
    }, `rule ${id} ${enabled ? 'enabled' : 'disabled'}`);
  },
  rm(file: string, id: string): Promise<void> {
    return changeRules(file, (rules) => {
      requireRule(rules, id);
      return rules.filter((r) => r.id !== id);
    }, `rule ${id} removed`);
  },
};
