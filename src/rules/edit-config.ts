import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { FerryError } from '../errors/ferry-error.js';
import { parseRule } from '../config/parse.js';
import type { RuleConfig } from '../config/types.js';
import { validateRules } from './validate-rules.js';

type RawConfig = Record<string, unknown> & { rules?: unknown[]; regions?: Record<string, unknown>; source?: string };

/** The file as written (`${VAR}` references kept), so editing rules never writes secrets into it. */
export function readRawConfig(file: string): RawConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RawConfig;
  } catch (err) {
    throw new FerryError('CONFIG_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Writes to a temporary file, fsyncs and renames over the original, so a reader sees old or new, never half. */
export function writeRawConfig(file: string, raw: RawConfig): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

export function rulesOf(raw: RawConfig): RuleConfig[] {
  return (raw.rules ?? []).map((r, i) => parseRule(r, `rules[${i}]`));
}

/** Pure: applies an edit to the rules of a raw config and checks the result; throws FerryError when invalid. */
export function editRules(raw: RawConfig, edit: (rules: RuleConfig[]) => RuleConfig[]): RawConfig {
  const next = edit(rulesOf(raw));
  const regions = Object.fromEntries(Object.keys(raw.regions ?? {}).map((name) =>
    [name, { endpoint: '', accessKeyId: '', secretAccessKey: '', signingRegion: name }]));
  validateRules(next, regions, String(raw.source ?? ''));
  return { ...raw, rules: next };
}

export function requireRule(rules: RuleConfig[], id: string): RuleConfig {
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new FerryError('RULE_NOT_FOUND', `no rule has id "${id}"`, 'list them with `ferry rules ls`');
  return rule;
}
