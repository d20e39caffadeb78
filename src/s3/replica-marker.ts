/**
 * The metadata a mirror rule's shipper writes on the copies it makes (active-active: each bucket ships into the
 * other): `x-amz-meta-ferry-replica: REGION;MS`, the region the change was made in and its stamp there (the
 * original's Last-Modified, in ms since the epoch). A copy that carries it is never shipped back, and its stamp
 * lets both sides settle concurrent changes of one key on the same winner. Ferry's gateway never shows it to
 * clients, and the shipper neither copies nor compares it as metadata.
 */
export const REPLICA_MARKER = 'x-amz-meta-ferry-replica';

/** Where a change was made, and when: the last writer wins, ties go to the region whose name sorts first. */
export interface Stamp {
  region: string;
  ms: number;
}

/** Pure: the marker's header value. */
export function formatMarker(s: Stamp): string {
  return `${encodeURIComponent(s.region)};${s.ms}`;
}

/** Pure: a marker's stamp, or undefined when the value is not one Ferry wrote. */
export function parseMarker(value: string | undefined): Stamp | undefined {
  const m = /^([^;]+);(\d{1,16})$/.exec(value ?? '');
  if (!m) return undefined;
  try {
    return { region: decodeURIComponent(m[1]!), ms: Number(m[2]) };
  } catch {
    return undefined;
  }
}

/** Pure: whether stamp `a` beats stamp `b` (later wins; at the same ms, the region name that sorts first). */
export function beats(a: Stamp, b: Stamp): boolean {
  return a.ms !== b.ms ? a.ms > b.ms : a.region < b.region;
}
