import { S3ResponseError, type RegionClient } from '../s3/s3-client.js';
import { backoffDelay, isUnreachable } from '../shipper/backoff.js';
import { asArray, parseXml } from '../s3/xml.js';
import type { ListedObject } from './sorted-diff.js';

interface Page {
  objects: ListedObject[];
  next?: string;
}

/** RFC 3986 encoding of a query, names sorted, as SigV4 canonicalises it. */
export function encodeQuery(params: Record<string, string | undefined>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(params).filter((k) => params[k] !== undefined).sort()
    .map((k) => `${enc(k)}=${enc(params[k]!)}`).join('&');
}

/** A key as a listing with `encoding-type=url` names it: form-encoded, `+` for a space (as botocore decodes it). */
function urlDecodedKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Pure: the objects and continuation token of a ListObjectsV2 answer. Keys are asked for URL-encoded, since
 * XML 1.0 cannot carry every character a key may hold; a region that ignores the request (s3rver) says so by
 * leaving out EncodingType, and its keys are taken as the XML decoded them.
 */
export function parseListPage(xml: string): Page {
  const doc = parseXml(xml, true) as { ListBucketResult?: { Contents?: unknown; IsTruncated?: string; NextContinuationToken?: string; EncodingType?: string } };
  const r = doc.ListBucketResult ?? {};
  const encoded = String(r.EncodingType ?? '').toLowerCase() === 'url';
  const objects = asArray(r.Contents as Array<{ Key: unknown; Size: unknown; ETag?: unknown }>).map((c) => ({
    key: encoded ? urlDecodedKey(String(c.Key)) : String(c.Key), size: Number(c.Size), etag: String(c.ETag ?? '').replace(/^"|"$/g, ''),
  }));
  const next = String(r.IsTruncated) === 'true' && r.NextContinuationToken ? String(r.NextContinuationToken) : undefined;
  return { objects, next };
}

/** Network failures and server errors (5xx, SlowDown) are worth another try; a 4xx answer is not. */
function transient(err: unknown): boolean {
  if (err instanceof S3ResponseError) return err.status >= 500 || err.code === 'SlowDown';
  return isUnreachable(err) || (err as Error).name === 'SocketError';
}

/**
 * Every object of a bucket (under `prefix`, after `startAfter`) in listing order, one page of 1000 at a time.
 * The next page is requested while the current one is consumed; at most two pages are held. A page that fails
 * transiently is asked for again (`retries` times, with backoff), so one dropped connection does not end a long walk.
 */
export async function* listObjects(client: RegionClient, bucket: string,
  opts: { prefix?: string; startAfter?: string; pageSize?: number; retries?: number; signal?: AbortSignal } = {}): AsyncGenerator<ListedObject> {
  const fetchPage = async (token?: string): Promise<Page> => {
    const query = encodeQuery({
      'encoding-type': 'url', 'list-type': '2', 'max-keys': String(opts.pageSize ?? 1000), prefix: opts.prefix || undefined,
      'start-after': token === undefined ? opts.startAfter || undefined : undefined, 'continuation-token': token,
    });
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await client.sendText({ op: 'ListObjectsV2', method: 'GET', bucket, query, signal: opts.signal });
        return parseListPage(res.text);
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
  let pending: Promise<Page> | undefined = prefetch();
  while (pending) {
    const page: Page = await pending;
    pending = page.next === undefined ? undefined : prefetch(page.next);
    yield* page.objects;
  }
}
