import type { ListPage, Region } from '../region/region.js';
import { RegionError, isUnanswered } from '../region/region-error.js';
import { backoffDelay } from '../shipper/backoff.js';
import type { ListedObject } from './sorted-diff.js';

/** Network failures and server errors (5xx, SlowDown) are worth another try; a 4xx answer is not. */
export function transient(err: unknown): boolean {
  if (err instanceof RegionError && err.kind === 's3') return (err.status ?? 0) >= 500 || err.code === 'SlowDown';
  return isUnanswered(err);
}

/**
 * Every object of a bucket (under `prefix`, after `startAfter`) in listing order, one page of 1000 at a time.
 * The next page is requested while the current one is consumed; at most two pages are held. A page that fails
 * transiently is asked for again (`retries` times, with backoff), so one dropped connection does not end a long walk.
 */
export async function* listObjects(region: Region, bucket: string,
  opts: { prefix?: string; startAfter?: string; pageSize?: number; retries?: number; signal?: AbortSignal } = {}): AsyncGenerator<ListedObject> {
  const fetchPage = async (token?: string): Promise<ListPage> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await region.list(bucket, { prefix: opts.prefix, startAfter: opts.startAfter, continuationToken: token,
          pageSize: opts.pageSize, signal: opts.signal });
      } catch (err) {
        if (attempt >= (opts.retries ?? 4) || !transient(err) || opts.signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, 200, 5_000)));
      }
    }
  };
  const prefetch = (token?: string) => {
    const p = fetchPage(token);
    // Handled when awaited; until then a failure must not count as an unhandled rejection.
    p.catch(() => {});
    return p;
  };
  let pending: Promise<ListPage> | undefined = prefetch();
  while (pending) {
    const page: ListPage = await pending;
    pending = page.next === undefined ? undefined : prefetch(page.next);
    yield* page.objects;
  }
}
