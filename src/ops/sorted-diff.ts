/** What a listing says of one object: enough to tell two copies apart without reading them. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

/** One key of two compared listings; `early`: yielded out of key order (see diffListings). */
export type DiffEntry = (
  | { kind: 'same'; key: string; source: ListedObject; target: ListedObject }
  | { kind: 'missing'; key: string; source: ListedObject }
  | { kind: 'extra'; key: string; target: ListedObject }
  | { kind: 'different'; key: string; source: ListedObject; target: ListedObject; reason: string }
) & { early?: true };

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
