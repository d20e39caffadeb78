/** What one S3 request does: the operation name, its bucket and key, and whether it changes an object. */
export interface Classified {
  operation: string;
  bucket?: string;
  key?: string;
  /** True for the operations the journal records (they change an object's bytes, metadata, tags or ACL). */
  changesObject: boolean;
}

export interface ClassifyInput {
  method: string;
  /** Path as received (percent-encoded), without the query. */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Base hostname for virtual-hosted style; when the Host is `bucket.BASE`, the bucket comes from the Host. */
  virtualHostBase?: string;
}

/** Operations the journal records, in the order the S3 API reference lists them. */
export const OBJECT_CHANGES = new Set([
  'PutObject', 'CopyObject', 'CompleteMultipartUpload', 'DeleteObject', 'DeleteObjects',
  'PutObjectTagging', 'DeleteObjectTagging', 'PutObjectAcl', 'PostObject',
]);

type SubresourceTable = Array<[string, string]>;

// The first sub-resource present in the query names the operation; order matters where two can appear.
const BUCKET_GET: SubresourceTable = [
  ['uploads', 'ListMultipartUploads'], ['versions', 'ListObjectVersions'], ['location', 'GetBucketLocation'],
  ['acl', 'GetBucketAcl'], ['tagging', 'GetBucketTagging'], ['policy', 'GetBucketPolicy'], ['cors', 'GetBucketCors'],
  ['versioning', 'GetBucketVersioning'], ['lifecycle', 'GetBucketLifecycleConfiguration'],
  ['replication', 'GetBucketReplication'], ['website', 'GetBucketWebsite'], ['encryption', 'GetBucketEncryption'],
  ['notification', 'GetBucketNotificationConfiguration'], ['logging', 'GetBucketLogging'],
  ['object-lock', 'GetObjectLockConfiguration'], ['ownershipControls', 'GetBucketOwnershipControls'],
  ['publicAccessBlock', 'GetPublicAccessBlock'], ['requestPayment', 'GetBucketRequestPayment'],
  ['accelerate', 'GetBucketAccelerateConfiguration'],
];
const BUCKET_PUT: SubresourceTable = [
  ['acl', 'PutBucketAcl'], ['tagging', 'PutBucketTagging'], ['policy', 'PutBucketPolicy'], ['cors', 'PutBucketCors'],
  ['versioning', 'PutBucketVersioning'], ['lifecycle', 'PutBucketLifecycleConfiguration'],
  ['replication', 'PutBucketReplication'], ['website', 'PutBucketWebsite'], ['encryption', 'PutBucketEncryption'],
  ['notification', 'PutBucketNotificationConfiguration'], ['logging', 'PutBucketLogging'],
  ['object-lock', 'PutObjectLockConfiguration'], ['ownershipControls', 'PutBucketOwnershipControls'],
  ['publicAccessBlock', 'PutPublicAccessBlock'], ['requestPayment', 'PutBucketRequestPayment'],
  ['accelerate', 'PutBucketAccelerateConfiguration'],
];
const BUCKET_DELETE: SubresourceTable = [
  ['tagging', 'DeleteBucketTagging'], ['policy', 'DeleteBucketPolicy'], ['cors', 'DeleteBucketCors'],
  ['lifecycle', 'DeleteBucketLifecycle'], ['replication', 'DeleteBucketReplication'], ['website', 'DeleteBucketWebsite'],
  ['encryption', 'DeleteBucketEncryption'], ['ownershipControls', 'DeleteBucketOwnershipControls'],
  ['publicAccessBlock', 'DeletePublicAccessBlock'],
];
const OBJECT_GET: SubresourceTable = [
  ['uploadId', 'ListParts'], ['tagging', 'GetObjectTagging'], ['acl', 'GetObjectAcl'],
  ['attributes', 'GetObjectAttributes'], ['retention', 'GetObjectRetention'], ['legal-hold', 'GetObjectLegalHold'],
  ['torrent', 'GetObjectTorrent'],
];
const OBJECT_PUT: SubresourceTable = [
  ['tagging', 'PutObjectTagging'], ['acl', 'PutObjectAcl'], ['retention', 'PutObjectRetention'],
  ['legal-hold', 'PutObjectLegalHold'],
];
const OBJECT_POST: SubresourceTable = [
  ['uploads', 'CreateMultipartUpload'], ['uploadId', 'CompleteMultipartUpload'], ['restore', 'RestoreObject'],
  ['select', 'SelectObjectContent'],
];
const OBJECT_DELETE: SubresourceTable = [['uploadId', 'AbortMultipartUpload'], ['tagging', 'DeleteObjectTagging']];

function pick(table: SubresourceTable, query: URLSearchParams, fallback: string): string {
  for (const [name, op] of table) if (query.has(name)) return op;
  return fallback;
}

function header(headers: ClassifyInput['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Splits bucket and key out of the path (and Host, for virtual-hosted style). Throws URIError on bad encoding. */
export function locate(input: ClassifyInput): { bucket?: string; key?: string } {
  const path = input.rawPath.startsWith('/') ? input.rawPath.slice(1) : input.rawPath;
  const host = (header(input.headers, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
  const base = input.virtualHostBase?.toLowerCase();
  if (base && host.endsWith(`.${base}`)) {
    const bucket = host.slice(0, -(base.length + 1));
    return { bucket, key: path === '' ? undefined : decodeURIComponent(path) };
  }
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decodeURIComponent(path) };
  const bucket = decodeURIComponent(path.slice(0, slash));
  const rest = path.slice(slash + 1);
  // `/bucket/` (the SDK and s3cmd send it) is a bucket request, not the empty key.
  return rest === '' ? { bucket } : { bucket, key: decodeURIComponent(rest) };
}

function operationOf(method: string, bucket: string | undefined, key: string | undefined,
  query: URLSearchParams, headers: ClassifyInput['headers']): string {
  if (method === 'OPTIONS') return 'PreflightRequest';
  if (bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  const copy = header(headers, 'x-amz-copy-source') !== undefined;
  if (key === undefined) {
    switch (method) {
      case 'GET': return query.get('list-type') === '2' ? 'ListObjectsV2' : pick(BUCKET_GET, query, 'ListObjects');
      case 'HEAD': return 'HeadBucket';
      case 'PUT': return pick(BUCKET_PUT, query, 'CreateBucket');
      case 'DELETE': return pick(BUCKET_DELETE, query, 'DeleteBucket');
      case 'POST':
        if (query.has('delete')) return 'DeleteObjects';
        // A browser form upload carries no query and its fields in a multipart/form-data body.
        return [...query.keys()].length === 0 && /^multipart\/form-data\s*(;|$)/i.test(header(headers, 'content-type') ?? '')
          ? 'PostObject' : 'Unknown';
      default: return 'Unknown';
    }
  }
  switch (method) {
    case 'GET': return pick(OBJECT_GET, query, 'GetObject');
    case 'HEAD': return 'HeadObject';
    case 'PUT':
      if (query.has('partNumber') && query.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return pick(OBJECT_PUT, query, copy ? 'CopyObject' : 'PutObject');
    case 'POST': return pick(OBJECT_POST, query, 'Unknown');
    case 'DELETE': return pick(OBJECT_DELETE, query, 'DeleteObject');
    default: return 'Unknown';
  }
}

/** Pure: names the S3 operation of a request. */
export function classify(input: ClassifyInput): Classified {
  const { bucket, key } = locate(input);
  const operation = operationOf(input.method.toUpperCase(), bucket, key, input.query, input.headers);
  return { operation, bucket, key, changesObject: OBJECT_CHANGES.has(operation) };
}

/**
 * The bucket an `x-amz-copy-source` reads from (`bucket/key` or `/bucket/key`, URL-encoded; an access point
 * ARN comes back whole, so it matches no bucket name), or undefined when the request copies nothing.
 */
export function copySourceBucket(headers: ClassifyInput['headers']): string | undefined {
  const source = header(headers, 'x-amz-copy-source');
  if (source === undefined) return undefined;
  const path = source.startsWith('/') ? source.slice(1) : source;
  const slash = path.indexOf('/');
  try {
    return decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
  } catch {
    return path;
  }
}
