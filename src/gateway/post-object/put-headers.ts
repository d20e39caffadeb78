import { S3Error } from '../../errors/s3-error.js';
import { asArray, parseXml } from '../../s3/xml.js';

// Form fields that are PutObject headers under the same name.
const SAME_NAME = new Set([
  'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-md5', 'expires',
  'x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold',
]);
// Families of the same kind: the user's metadata, and the encryption and checksum settings.
function sameNamePrefix(name: string): boolean {
  return (name.startsWith('x-amz-meta-') && name.length > 'x-amz-meta-'.length)
    || name.startsWith('x-amz-server-side-encryption') || name.startsWith('x-amz-checksum-');
}

/** S3's default type for an object stored without one. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * A header carries only visible ASCII, while a form carries UTF-8: other values travel RFC 2047-encoded, the
 * form S3 itself stores and returns non-ASCII metadata in.
 */
function headerValue(value: string): string {
  return /^[\t\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * Pure: the `tagging` field's `<Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…</TagSet></Tagging>` as
 * the `x-amz-tagging` header's query-string form; undefined when it names no tag (S3 stores an object without tags
 * then, even for a document that is not a Tagging). MalformedXML when it is not XML.
 */
export function taggingHeader(xml: string): string | undefined {
  let doc: { Tagging?: { TagSet?: { Tag?: unknown } } };
  try {
    doc = parseXml(xml) as typeof doc;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const tagSet = doc.Tagging?.TagSet;
  const tags = asArray((tagSet && typeof tagSet === 'object' ? tagSet.Tag : undefined) as Array<{ Key?: unknown; Value?: unknown }>);
  if (tags.length === 0) return undefined;
  return tags.map((t) => {
    if (!t || typeof t !== 'object' || typeof t.Key !== 'string' || t.Key === '') throw new S3Error('MalformedXML');
    const value = typeof t.Value === 'string' ? t.Value : '';
    return `${encodeURIComponent(t.Key)}=${encodeURIComponent(value)}`;
  }).join('&');
}

/**
 * Pure: the headers of the PutObject a form stands for, from its fields (lowercased names): Content-Type (S3's
 * default when the form has none), the other REST headers, x-amz-meta-*, storage class, encryption and checksum
 * fields, `acl` as x-amz-acl and `tagging` as x-amz-tagging. The signature fields and the answer's fields
 * (success_action_*, redirect) are the gateway's business, never the source's.
 */
export function putHeaders(values: Map<string, string>, size: number): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': headerValue(values.get('content-type') || DEFAULT_CONTENT_TYPE),
    'content-length': String(size),
  };
  for (const [name, value] of values) {
    if (SAME_NAME.has(name) || sameNamePrefix(name)) {
      out[name] = headerValue(value);
    }
  }
  const acl = values.get('acl');
  if (acl !== undefined && acl !== '') out['x-amz-acl'] = headerValue(acl);
  const tagging = values.get('tagging');
  const tags = tagging === undefined || tagging === '' ? undefined : taggingHeader(tagging);
  if (tags !== undefined) out['x-amz-tagging'] = tags;
  return out;
}
