import type { RuleConfig } from '../config/types.js';
import { expandEnv } from '../config/expand-env.js';
import { parseConfig } from '../config/parse.js';
import { FerryError } from '../errors/ferry-error.js';
import type { Region } from '../region/region.js';
import { isUnanswered, RegionError } from '../region/region-error.js';
import { S3Region } from '../region/s3-region.js';

/** Where a check says a target region could not be reached (a running Ferry's logger, or the CLI's stderr). */
export interface TargetWarnings {
  warn(fields: { rule: string; region: string }, message: string): void;
}

/**
 * Checks each rule's target bucket exists. A missing bucket is an error; a region that gives no answer, or
 * answers with a server error (5xx: its trouble, not the rule's), only a warning, since shipping waits for it.
 */
export async function checkTargets(rules: RuleConfig[], regions: Map<string, Region>, log: TargetWarnings): Promise<void> {
  await Promise.all(rules.map(async (rule) => {
    const region = regions.get(rule.target.region);
    if (!region) return;
    try {
      if (!await region.headBucket(rule.target.bucket)) {
        throw new FerryError('TARGET_BUCKET_MISSING',
          `rule "${rule.id}": target bucket "${rule.target.bucket}" does not exist in region "${rule.target.region}"`,
          'create the bucket in the target region, or correct the rule');
      }
    } catch (err) {
      if (err instanceof FerryError) throw err;
      const trouble = isUnanswered(err) || (err as Error).name === 'AbortError' ? 'unreachable'
        : err instanceof RegionError && (err.status ?? 0) >= 500 ? `answered ${err.status}` : undefined;
      if (trouble) {
        log.warn({ rule: rule.id, region: rule.target.region }, `target region ${trouble}; changes will wait for it`);
        return;
      }
      throw new FerryError('UPSTREAM_ERROR', `rule "${rule.id}": checking target bucket: ${(err as Error).message}`);
    }
  }));
}

/**
 * Checks the target buckets of rules about to be written into a configuration file (`ferry rules add`), as the
 * reload that follows would: `raw` is the file as it will be written. Only the target regions' `${VAR}`s must be
 * set (their credentials sign the check); other unset ones stay as written.
 */
export async function checkTargetsOfFile(raw: Record<string, unknown>, rules: RuleConfig[], log: TargetWarnings,
  env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const lenient = new Proxy(env, { get: (t, name) => (typeof name === 'string' ? t[name] ?? `\${${name}}` : undefined) });
  const expanded = expandEnv(raw, lenient) as Record<string, unknown>;
  const rawRegions = (raw.regions ?? {}) as Record<string, unknown>;
  const names = [...new Set(rules.map((r) => r.target.region))].filter((n) => rawRegions[n] !== undefined);
  expanded.regions = { ...(expanded.regions as object),
    ...Object.fromEntries(names.map((n) => [n, expandEnv(rawRegions[n], env, `regions.${n}`)])) };
  const config = parseConfig(expanded);
  const timeoutMs = Math.min(config.upstream.timeoutMs, 10_000);
  const regions = new Map<string, Region>(names.map((n) => [n, new S3Region(n, config.regions[n]!, { connections: 2, timeoutMs })]));
  try {
    await checkTargets(rules, regions, log);
  } finally {
    await Promise.all([...regions.values()].map((r) => r.close()));
  }
}
