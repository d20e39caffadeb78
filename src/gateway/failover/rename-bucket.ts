/**
 * Pure: an S3 answer document of bucket `from` as if bucket `to` had sent it, so a client served by the other
 * region's bucket sees its own bucket's name: a listing's <Name>, an upload's or error's <Bucket>/<BucketName>, and
 * the bucket in <Location> and <Resource> paths. Bucket names need no XML escaping (lower-case letters, digits, `.`,
 * `-`), and keys are never touched: only whole elements whose text is the bucket name, or a path that starts with it.
 */
export function renameBucketInXml(xml: string, from: string, to: string): string {
  if (from === to) return xml;
  let out = xml;
  for (const tag of ['Name', 'Bucket', 'BucketName']) out = out.split(`<${tag}>${from}</${tag}>`).join(`<${tag}>${to}</${tag}>`);
  return out.replace(/<(Location|Resource)>([^<]*)<\/\1>/g, (whole, tag: string, text: string) => {
    const renamed = text.replace(new RegExp(`(^|//[^/]*/|^/)${escapeRegExp(from)}(?=/|$)`), (m) => m.slice(0, m.length - from.length) + to);
    return renamed === text ? whole : `<${tag}>${renamed}</${tag}>`;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Pure: `x-amz-copy-source` with its bucket renamed when it is `from` (the value is `[/]bucket/key[?versionId=]`). */
export function renameCopySource(value: string, from: string, to: string): string {
  const slash = value.startsWith('/') ? '/' : '';
  const rest = value.slice(slash.length);
  return rest === from || rest.startsWith(`${from}/`) ? `${slash}${to}${rest.slice(from.length)}` : value;
}
