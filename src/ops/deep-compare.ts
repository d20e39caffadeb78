import type { Region } from '../region/region.js';
import { backoffDelay } from '../shipper/backoff.js';
import type { ObjectState, TagSet } from '../shipper/object-state.js';
import { transient } from './list-objects.js';
import type { DiffEntry } from './sorted-diff.js';

/** The two ends a deep comparison reads: a rule's source and target buckets in their regions. */
export interface DeepEnds {
  source: Region;
  sourceBucket: string;
  target: Region;
  targetBucket: string;
}

const shown = (v: string | undefined) => (v === undefined ? 'absent' : JSON.stringify(v));

/** Pure: how two sets of name/value pairs differ, `name "a" != "b"` for each name that does, in name order. */
function pairsDifference(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    .filter((k) => a[k] !== b[k]).map((k) => `${k} ${shown(a[k])} != ${shown(b[k])}`);
}

/**
 * Pure: why the metadata (the headers the shipper copies: Content-Type, Content-Encoding, Content-Language,
 * Content-Disposition, Cache-Control, Expires, and every x-amz-meta-*) of two copies differs, or undefined.
 */
export function metadataDifference(source: Record<string, string>, target: Record<string, string>): string | undefined {
  const d = pairsDifference(source, target);
  return d.length ? `metadata: ${d.join(', ')}` : undefined;
}

/** Pure: why the tags of two copies differ (in any order they are listed), or undefined. */
export function tagsDifference(source: TagSet, target: TagSet): string | undefined {
  const d = pairsDifference(Object.fromEntries(source.map((t) => [t.Key, t.Value])), Object.fromEntries(target.map((t) => [t.Key, t.Value])));
  return d.length ? `tags: ${d.join(', ')}` : undefined;
}

/** A read asked again on a transient failure (a dropped connection, a 5xx), as a listing page is. */
async function patiently<T>(read: () => Promise<T>, signal?: AbortSignal, retries = 4): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= retries || !transient(err) || signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, 200, 5_000)));
    }
  }
}

/**
 * Why a key that both listings show alike differs in what a listing does not show: metadata first, then tags.
 * Tags are read only where a HEAD does not count them at zero. A key that went away meanwhile is a difference too.
 */
export async function deepDifference(ends: DeepEnds, key: string, signal?: AbortSignal): Promise<string | undefined> {
  const head = (r: Region, b: string) => patiently(() => r.head(b, key, signal), signal);
  const [s, t] = await Promise.all([head(ends.source, ends.sourceBucket), head(ends.target, ends.targetBucket)]);
  if (!s) return 'absent from the source when read';
  if (!t) return 'absent from the target when read';
  const meta = metadataDifference(s.metadata, t.metadata);
  if (meta) return meta;
  const tags = (r: Region, b: string, o: ObjectState) => (o.tagCount === 0 ? Promise.resolve([]) : patiently(() => r.getTags(b, key, signal), signal));
  const [st, tt] = await Promise.all([tags(ends.source, ends.sourceBucket, s), tags(ends.target, ends.targetBucket, t)]);
  return tagsDifference(st, tt);
}

/**
 * The merged listing with every `same` key also compared deeply (`deepDifference`), `concurrency` keys at a time,
 * in the listing's order: a key whose metadata or tags differ comes out `different`.
 */
export async function* deepen(entries: AsyncIterable<DiffEntry>, ends: DeepEnds, opts: { concurrency?: number; signal?: AbortSignal } = {}):
  AsyncGenerator<DiffEntry> {
  const window: Array<Promise<DiffEntry>> = [];
  const examine = (d: DiffEntry): Promise<DiffEntry> => {
    if (d.kind !== 'same') return Promise.resolve(d);
    const p = deepDifference(ends, d.key, opts.signal).then((reason): DiffEntry => (reason === undefined ? d
      : { kind: 'different', key: d.key, source: d.source, target: d.target, reason, ...(d.early ? { early: true } : {}) }));
    // Awaited in turn; until then a failure must not count as an unhandled rejection.
    p.catch(() => {});
    return p;
  };
  for await (const d of entries) {
    window.push(examine(d));
    if (window.length >= (opts.concurrency ?? 8)) yield await window.shift()!;
  }
  while (window.length) yield await window.shift()!;
}
