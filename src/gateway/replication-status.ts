import type { Classified } from '../s3/classify.js';
import type { GatewayContext } from './context.js';

const STATUS: Record<string, string> = { intent: 'PENDING', pending: 'PENDING', failed: 'FAILED', shipped: 'COMPLETED' };

/**
 * `x-amz-replication-status` for an object of a replicated bucket, as S3 reports it on source objects: the
 * state of the key's newest applied change (PENDING, COMPLETED or FAILED); nothing for keys Ferry never saw change.
 */
export async function replicationStatusOf(ctx: GatewayContext, c: Classified): Promise<string | undefined> {
  if (c.bucket === undefined || c.key === undefined) return undefined;
  const rule = ctx.rules.covering(c.bucket, c.key);
  if (!rule) return undefined;
  try {
    const state = await ctx.journal.latestState(rule.id, c.bucket, c.key);
    return state === undefined ? undefined : STATUS[state];
  } catch {
    return undefined;
  }
}
