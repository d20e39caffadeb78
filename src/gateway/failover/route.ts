import type { RuleConfig } from '../../config/types.js';
import type { Classified } from '../../s3/classify.js';

/** Reads a replica can answer for a rule with `failover: reads` while the source region is down. */
export const REPLICA_READS = new Set(['GetObject', 'HeadObject', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions']);

/**
 * Where a request goes:
 * - `source`: the source region, as normally;
 * - `target`: the rule was cut over (`ferry failover`): every request for its bucket goes to the target bucket;
 * - `replica`: the source is down and this is a read the rule lets the replica serve;
 * - `refused`: answered 503 at once, neither forwarded nor journaled (why says which case).
 */
export type Route =
  | { to: 'source' }
  | { to: 'target' | 'replica'; rule: RuleConfig }
  | { to: 'refused'; why: string };

/** Pure: whether a request reads only (a fenced bucket still serves these). */
export function readsOnly(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** Pure: the route of a classified request, from its bucket's rule (if any) and whether the source is known down. */
export function routeOf(c: Classified, method: string, rule: RuleConfig | undefined, sourceDown: boolean): Route {
  if (rule && rule.writesPaused && !readsOnly(method)) {
    return { to: 'refused', why: `bucket ${rule.source} is being cut over between regions; changes resume in a moment` };
  }
  if (rule?.primary === 'target') return { to: 'target', rule };
  if (!sourceDown) return { to: 'source' };
  if (rule && canReadReplica(c, rule)) return { to: 'replica', rule };
  return { to: 'refused', why: 'the source region is not answering' };
}

/** Pure: whether the replica may serve this request of the rule's bucket when the source does not answer. */
export function canReadReplica(c: Classified, rule: RuleConfig | undefined): rule is RuleConfig {
  return rule?.failover === 'reads' && c.bucket === rule.source && REPLICA_READS.has(c.operation)
    && (c.key === undefined || rule.prefix === undefined || c.key.startsWith(rule.prefix));
}
