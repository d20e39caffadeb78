import type { ServerResponse } from 'node:http';
import type { RuleConfig } from '../../config/types.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Classified } from '../../s3/classify.js';
import type { GatewayContext } from '../context.js';
import type { Upstream } from '../upstream.js';
import { readsOnly, routeOf, type Route } from './route.js';

/** Where a request is sent: a region's connections and the bucket name there. */
export interface Destination {
  upstream: Upstream;
  bucket: string | undefined;
}

/**
 * Routes a request of the client's bucket: refused (503) at once when it must be, otherwise counted while in flight
 * when it is a change of a rule's bucket (from this moment on, with no await in between, so a cutover that pauses
 * the bucket and then waits for these cannot miss one), with the region and bucket it goes to.
 */
export function routeRequest(ctx: GatewayContext, c: Classified, method: string, res: ServerResponse):
  { rule: RuleConfig | undefined; route: Exclude<Route, { to: 'refused' }>; dest: Destination } {
  const rule = c.bucket === undefined ? undefined : ctx.rules.forBucket(c.bucket);
  const route = routeOf(c, method, rule, ctx.sourceHealth.down);
  if (route.to === 'refused') throw new S3Error('ServiceUnavailable', route.why);
  if (rule && !readsOnly(method)) res.once('close', ctx.changesInFlight.enter(rule.source));
  const dest = route.to === 'target'
    ? { upstream: ctx.upstreams.get(route.rule.target.region), bucket: route.rule.target.bucket }
    : { upstream: ctx.upstream, bucket: c.bucket };
  return { rule, route, dest };
}
