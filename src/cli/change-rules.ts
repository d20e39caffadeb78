import type { RuleConfig } from '../config/types.js';
import { editRules, readRawConfig, writeRawConfig } from '../rules/edit-config.js';
import { notifyRunning } from './notify-running.js';

/**
 * Applies one edit to the file atomically and tells a running Ferry. `check` sees the file as it would be written
 * and may refuse it (by throwing) before anything is written.
 */
export async function changeRules(file: string, edit: (rules: RuleConfig[]) => RuleConfig[], what: string,
  check?: (next: Record<string, unknown>) => Promise<void>): Promise<void> {
  const raw = readRawConfig(file);
  const next = editRules(raw, edit);
  await check?.(next);
  writeRawConfig(file, next);
  const told = await notifyRunning(file, next);
  process.stdout.write(`${what}${told ? `; ${told} running Ferry process(es) reloading` : ''}\n`);
}
