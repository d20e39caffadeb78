import { FerryError } from '../errors/ferry-error.js';

/** What a listing says of one object: enough to tell two copies apart without reading them. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

export type DiffEntry =
  | { kind: 'same'; key: string; source: ListedObject; target: ListedObject }
  | { kind: 'missing'; key: string; source: ListedObject }
  | { kind: 'extra'; key: string; target: ListedObject }
  | { kind: 'different'; key: string; source: ListedObject; target: ListedObject; reason: string };

/** Folds UTF-16 code units so that comparing them orders strings as their UTF-8 bytes (S3's listing order). */
function utf8Rank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000; // astral characters sort after U+FFFF in UTF-8
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** Pure: compares two keys in the order S3 lists them (UTF-8 byte order). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

/** The hex MD5 in an ETag, when the ETag is one (not a multipart or encrypted object's). */
function plainMd5(etag: string): string | undefined {
  const m = /^"?([0-9a-fA-F]{32})"?$/.exec(etag);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Pure: why two listed copies differ, or undefined. ETags count only when both are plain MD5s of the bytes. */
export function listedDifference(source: ListedObject, target: ListedObject): string | undefined {
  if (source.size !== target.size) return `size ${source.size} != ${target.size}`;
  const a = plainMd5(source.etag);
  const b = plainMd5(target.etag);
  if (a !== undefined && b !== undefined && a !== b) return `etag ${a} != ${b}`;
  return undefined;
}

/** Checks a listing really is sorted; a merge of unsorted streams would report false differences. */
async function* ascending(objects: AsyncIterable<ListedObject>, side: string): AsyncGenerator<ListedObject> {
  let prev: string | undefined;
  for await (const o of objects) {
    if (prev !== undefined && compareKeys(prev, o.key) >= 0) {
      throw new FerryError('LISTING_UNORDERED', `the ${side} listing returned "${o.key}" after "${prev}"`,
        'the store does not list keys in UTF-8 byte order as S3 does; verify cannot compare it by streaming');
    }
    prev = o.key;
    yield o;
  }
}

/**
 * Merges two sorted listings into one stream of keys with what each side holds: memory stays constant
 * whatever the number of keys, because only the head of each listing is held.
 */
export async function* diffSorted(source: AsyncIterable<ListedObject>, target: AsyncIterable<ListedObject>,
  differ: (s: ListedObject, t: ListedObject) => string | undefined = listedDifference): AsyncGenerator<DiffEntry> {
  const a = ascending(source, 'source')[Symbol.asyncIterator]();
  const b = ascending(target, 'target')[Symbol.asyncIterator]();
  try {
    let [x, y] = await Promise.all([a.next(), b.next()]);
    while (!x.done || !y.done) {
      const order = x.done ? 1 : y.done ? -1 : compareKeys(x.value.key, y.value.key);
      if (order < 0) {
        const s = x.value as ListedObject;
        yield { kind: 'missing', key: s.key, source: s };
        x = await a.next();
      } else if (order > 0) {
        const t = y.value as ListedObject;
        yield { kind: 'extra', key: t.key, target: t };
        y = await b.next();
      } else {
        const s = x.value as ListedObject;
        const t = y.value as ListedObject;
        const reason = differ(s, t);
        yield reason === undefined ? { kind: 'same', key: s.key, source: s, target: t }
          : { kind: 'different', key: s.key, source: s, target: t, reason };
        [x, y] = await Promise.all([a.next(), b.next()]);
      }
    }
  } finally {
    await Promise.allSettled([a.return?.(undefined), b.return?.(undefined)]);
  }
}
