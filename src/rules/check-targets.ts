import type { Logger } from 'pino';
import type { RuleConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import type { Region } from '../region/region.js';
import { isUnanswered } from '../region/region-error.js';

/**
 * Checks each rule's target bucket exists. A missing bucket is an error; an unreachable region only a
 * warning, since shipping simply waits for it.
 */
export async function checkTargets(rules: RuleConfig[], regions: Map<string, Region>, log: Logger): Promise<void> {
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
      if (isUnanswered(err) || (err as Error).name === 'AbortError') {
        log.warn({ rule: rule.id, region: rule.target.region }, 'target region unreachable; changes will wait for it');
        return;
      }
      throw new FerryError('UPSTREAM_ERROR', `rule "${rule.id}": checking target bucket: ${(err as Error).message}`);
    }
  }));
}
