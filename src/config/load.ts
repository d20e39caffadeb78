import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { FerryError } from '../errors/ferry-error.js';
import { expandEnv } from './expand-env.js';
import { parseConfig } from './parse.js';
import type { FerryConfig } from './types.js';

/** Reads, expands and validates a configuration file; relative paths resolve against the file's folder. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): FerryConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FerryError('CONFIG_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FerryError('CONFIG_INVALID', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const config = parseConfig(expandEnv(raw, env));
  config.file = resolve(file);
  if (config.journal.path !== undefined) config.journal.path = resolve(dirname(config.file), config.journal.path);
  return config;
}
