import { XMLParser } from 'fast-xml-parser';
import { S3Error } from '../errors/s3-error.js';
import { decodeXmlText } from './xml-text.js';

const CDATA = '#cdata';

// Entities are decoded by decodeXmlText, not by the parser: its own decoding leaves numeric references (`&#39;`,
// `&#x27;`) as they are, and they name keys that request bodies and S3's answers really contain. CDATA sections
// are kept apart so that their text, which is literal, is not decoded.
const parser = new XMLParser({
  ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: false, cdataPropName: CDATA,
  tagValueProcessor: (_name: string, value: string) => decodeXmlText(value),
});

/**
 * Folds CDATA sections back into the text of the element that holds them.
 * NOTE: an element that mixes text and CDATA gets its CDATA first; S3 clients send neither in keys.
 */
function joinCdata(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(joinCdata);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([k]) => k === CDATA || k === '#text')) {
    return entries.map(([k, v]) => (k === CDATA ? [v].flat().join('') : String(v))).join('');
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, joinCdata(v)]));
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]!));
}

/** The S3 `<Error>` document for an error Ferry answers itself. */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  const extra = Object.entries(err.detail).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  return '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message>${extra}` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
}

/**
 * Parses XML into plain objects; throws on malformed input. `regionAnswer`: the text is a region's answer, whose
 * literal CRs are kept as CRs instead of being normalised to LF as XML requires. S3 and RGW never send one (a CR
 * in a key comes as `&#13;`), but s3rver writes keys unescaped, and normalising would name another key.
 */
export function parseXml(text: string, regionAnswer = false): Record<string, unknown> {
  const input = regionAnswer && text.includes('\r') ? text.replace(/\r/g, '&#13;') : text;
  const result = parser.parse(input, true) as Record<string, unknown>;
  return text.includes('<![CDATA[') ? joinCdata(result) as Record<string, unknown> : result;
}

/** Code and message of an S3 `<Error>` body, or undefined when the body is not one. */
export function parseErrorXml(text: string): { code: string; message: string } | undefined {
  if (!text.includes('<Error')) return undefined;
  try {
    const doc = parseXml(text) as { Error?: { Code?: string; Message?: string } };
    if (!doc.Error) return undefined;
    return { code: String(doc.Error.Code ?? 'Unknown'), message: String(doc.Error.Message ?? '') };
  } catch {
    return undefined;
  }
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Keys named in a DeleteObjects request body; MalformedXML when it is not one, or lists over 1000 keys. */
export function parseDeleteRequest(text: string): { keys: string[]; quiet: boolean } {
  let doc: { Delete?: { Object?: unknown; Quiet?: string } };
  try {
    doc = parseXml(text) as typeof doc;
  } catch {
    throw new S3Error('MalformedXML');
  }
  if (!doc.Delete || typeof doc.Delete !== 'object') throw new S3Error('MalformedXML');
  const objects = asArray(doc.Delete.Object as Array<{ Key?: unknown }> | { Key?: unknown });
  if (objects.length === 0 || objects.length > 1000) throw new S3Error('MalformedXML');
  const keys = objects.map((o) => {
    if (!o || typeof o !== 'object' || typeof o.Key !== 'string' || o.Key === '') throw new S3Error('MalformedXML');
    return o.Key;
  });
  return { keys, quiet: String(doc.Delete.Quiet).toLowerCase() === 'true' };
}

/** Keys a DeleteObjects answer reports deleted, and those it reports as errors. */
export function parseDeleteResult(text: string): { deleted: Set<string>; errors: Map<string, string> } {
  const doc = parseXml(text, true) as { DeleteResult?: { Deleted?: unknown; Error?: unknown } };
  const r = doc.DeleteResult ?? {};
  const deleted = new Set(asArray(r.Deleted as Array<{ Key: string }>).map((d) => String(d.Key)));
  const errors = new Map(asArray(r.Error as Array<{ Key: string; Code: string }>).map((e) => [String(e.Key), String(e.Code)]));
  return { deleted, errors };
}

/** Checks a CompleteMultipartUpload body is well-formed XML with parts, so a bad one is refused before forwarding. */
export function checkCompleteRequest(text: string): void {
  let doc: { CompleteMultipartUpload?: { Part?: unknown } };
  try {
    doc = parseXml(text) as typeof doc;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const parts = asArray(doc.CompleteMultipartUpload?.Part as unknown[]);
  if (!doc.CompleteMultipartUpload || parts.length === 0 || parts.length > 10000) throw new S3Error('MalformedXML');
}

const BUCKET_ENTRY = /<Bucket>([\s\S]*?)<\/Bucket>/g;
const NAME = /<Name>([\s\S]*?)<\/Name>/g;
const EMPTY_BUCKET_LIST = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets></Buckets></ListAllMyBucketsResult>';

/**
 * Pure: a ListAllMyBucketsResult with only the buckets `allowed` names; everything else is left as the source wrote
 * it. Fails closed: an entry whose name cannot be read is dropped, and an answer that would still name another
 * bucket (a form this does not know) lists none.
 */
export function filterBucketList(text: string, allowed: readonly string[]): string {
  const keep = new Set(allowed);
  const kept = (raw: string | undefined): boolean => {
    try {
      return raw !== undefined && keep.has(decodeXmlText(raw));
    } catch {
      return false;
    }
  };
  const filtered = text.replace(BUCKET_ENTRY, (entry, inner: string) => (kept(/<Name>([\s\S]*?)<\/Name>/.exec(inner)?.[1]) ? entry : ''));
  const leaks = (doc: string) => [...doc.matchAll(NAME)].some((m) => !kept(m[1]));
  if (!leaks(filtered)) return filtered;
  const emptied = filtered.replace(/<Buckets>[\s\S]*<\/Buckets>/, '<Buckets></Buckets>');
  return leaks(emptied) ? EMPTY_BUCKET_LIST : emptied;
}
