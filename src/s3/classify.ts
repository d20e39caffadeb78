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

/**
 * Operations that change an object in a way the shipper cannot carry to the target (retention and legal holds are
 * not copied; a rename deletes a key the request does not name), and 'Unknown': any change Ferry does not
 * recognise. On a replicated bucket they are refused, so no change escapes the journal.
 */
export const UNREPLICATED_CHANGES = new Set(['PutObjectRetention', 'PutObjectLegalHold', 'RenameObject', 'Unknown']);

/**
 * What Ferry does with an operation on a bucket a rule covers: `journal` it, `refuse` it (NotImplemented), or
 * `forward` it as it is (reads, multipart staging, bucket configuration: none of them changes an object).
 */
export type Verdict = 'journal' | 'refuse' | 'forward';

/** Pure: the verdict for an operation on a replicated bucket. */
export function verdictOf(operation: string): Verdict {
  return OBJECT_CHANGES.has(operation) ? 'journal' : UNREPLICATED_CHANGES.has(operation) ? 'refuse' : 'forward';
}

// Query parameters that name no sub-resource: signing (SigV4 and SigV2 presigned URLs, and the x-amz-* headers a
// presigner hoists into the query), the SDK's `x-id` label, and the arguments of an operation. Any other parameter
// on a PUT, POST or DELETE makes it an operation Ferry does not know, which a replicated bucket refuses (a source
// that ignores it, as s3rver does, would otherwise apply a change the journal never saw).
const ARGUMENTS = new Set(['x-id', 'versionId', 'partNumber', 'uploadId', 'id', 'select-type', 'AWSAccessKeyId',
  'Signature', 'Expires']);

function unknownParameter(query: URLSearchParams, table: SubresourceTable): boolean {
  const known = new Set(table.map(([name]) => name));
  for (const name of query.keys()) {
    if (!known.has(name) && !ARGUMENTS.has(name) && !name.toLowerCase().startsWith('x-amz-')) return true;
  }
  return false;
}

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
  ['accelerate', 'GetBucketAccelerateConfiguration'], ['policyStatus', 'GetBucketPolicyStatus'],
  ['inventory', 'GetBucketInventoryConfiguration'], ['analytics', 'GetBucketAnalyticsConfiguration'],
  ['metrics', 'GetBucketMetricsConfiguration'], ['intelligent-tiering', 'GetBucketIntelligentTieringConfiguration'],
  ['metadataTable', 'GetBucketMetadataTableConfiguration'],
];
const BUCKET_PUT: SubresourceTable = [
  ['inventory', 'PutBucketInventoryConfiguration'], ['analytics', 'PutBucketAnalyticsConfiguration'],
  ['metrics', 'PutBucketMetricsConfiguration'], ['intelligent-tiering', 'PutBucketIntelligentTieringConfiguration'],
  ['acl', 'PutBucketAcl'], ['tagging', 'PutBucketTagging'], ['policy', 'PutBucketPolicy'], ['cors', 'PutBucketCors'],
  ['versioning', 'PutBucketVersioning'], ['lifecycle', 'PutBucketLifecycleConfiguration'],
  ['replication', 'PutBucketReplication'], ['website', 'PutBucketWebsite'], ['encryption', 'PutBucketEncryption'],
  ['notification', 'PutBucketNotificationConfiguration'], ['logging', 'PutBucketLogging'],
  ['object-lock', 'PutObjectLockConfiguration'], ['ownershipControls', 'PutBucketOwnershipControls'],
  ['publicAccessBlock', 'PutPublicAccessBlock'], ['requestPayment', 'PutBucketRequestPayment'],
  ['accelerate', 'PutBucketAccelerateConfiguration'],
];
const BUCKET_DELETE: SubresourceTable = [
  ['inventory', 'DeleteBucketInventoryConfiguration'], ['analytics', 'DeleteBucketAnalyticsConfiguration'],
  ['metrics', 'DeleteBucketMetricsConfiguration'], ['intelligent-tiering', 'DeleteBucketIntelligentTieringConfiguration'],
  ['metadataTable', 'DeleteBucketMetadataTableConfiguration'], ['tagging', 'DeleteBucketTagging'], ['policy', 'DeleteBucketPolicy'], ['cors', 'DeleteBucketCors'],
  ['lifecycle', 'DeleteBucketLifecycle'], ['replication', 'DeleteBucketReplication'], ['website', 'DeleteBucketWebsite'],
  ['encryption', 'DeleteBucketEncryption'], ['ownershipControls', 'DeleteBucketOwnershipControls'],
  ['publicAccessBlock', 'DeletePublicAccessBlock'],
];
const BUCKET_POST: SubresourceTable = [['delete', 'DeleteObjects'], ['metadataTable', 'CreateBucketMetadataTableConfiguration']];
const OBJECT_GET: SubresourceTable = [
  ['uploadId', 'ListParts'], ['tagging', 'GetObjectTagging'], ['acl', 'GetObjectAcl'],
  ['attributes', 'GetObjectAttributes'], ['retention', 'GetObjectRetention'], ['legal-hold', 'GetObjectLegalHold'],
  ['torrent', 'GetObjectTorrent'],
];
const OBJECT_PUT: SubresourceTable = [
  ['tagging', 'PutObjectTagging'], ['acl', 'PutObjectAcl'], ['retention', 'PutObjectRetention'],
  ['legal-hold', 'PutObjectLegalHold'], ['renameObject', 'RenameObject'],
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

// No bucket is named '', '.' or '..'; a path such as `//photos/k` or `/../photos/k` names one only for a backend that
// normalises paths, and would reach it with no rule seeing the bucket.
function checkBucket(bucket: string): string {
  if (bucket === '' || bucket === '.' || bucket === '..') throw new URIError('no bucket has that name');
  return bucket;
}

/**
 * Splits bucket and key out of the path (and Host, for virtual-hosted style). Throws URIError on bad encoding
 * and on a bucket segment that is empty, `.` or `..`.
 */
export function locate(input: ClassifyInput): { bucket?: string; key?: string } {
  const path = input.rawPath.startsWith('/') ? input.rawPath.slice(1) : input.rawPath;
  const host = (header(input.headers, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
  const base = input.virtualHostBase?.toLowerCase();
  if (base && host.endsWith(`.${base}`)) {
    const bucket = checkBucket(host.slice(0, -(base.length + 1)));
    return { bucket, key: path === '' ? undefined : decodeURIComponent(path) };
  }
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: checkBucket(decodeURIComponent(path)) };
  const bucket = checkBucket(decodeURIComponent(path.slice(0, slash)));
  const rest = path.slice(slash + 1);
  // `/bucket/` (the SDK and s3cmd send it) is a bucket request, not the empty key.
  return rest === '' ? { bucket } : { bucket, key: decodeURIComponent(rest) };
}

function operationOf(method: string, bucket: string | undefined, key: string | undefined,
  query: URLSearchParams, headers: ClassifyInput['headers']): string {
  if (method === 'OPTIONS') return 'PreflightRequest';
  if (bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  const copy = header(headers, 'x-amz-copy-source') !== undefined;
  // A change is named by its sub-resource; one with a parameter Ferry does not know is not guessed at.
  const change = (table: SubresourceTable, fallback: string) => (unknownParameter(query, table) ? 'Unknown' : pick(table, query, fallback));
  if (key === undefined) {
    switch (method) {
      case 'GET': return query.get('list-type') === '2' ? 'ListObjectsV2' : pick(BUCKET_GET, query, 'ListObjects');
      case 'HEAD': return 'HeadBucket';
      case 'PUT': return change(BUCKET_PUT, 'CreateBucket');
      case 'DELETE': return change(BUCKET_DELETE, 'DeleteBucket');
      case 'POST':
        if (BUCKET_POST.some(([name]) => query.has(name))) return change(BUCKET_POST, 'Unknown');
        // A browser form upload carries no query and its fields in a multipart/form-data body. Any other POST to
        // a bucket is unknown: s3rver, for one, stores any POST without a sub-resource as a form upload.
        return [...query.keys()].length === 0 && /^multipart\/form-data\s*(;|$)/i.test(header(headers, 'content-type') ?? '')
          ? 'PostObject' : 'Unknown';
      default: return 'Unknown';
    }
  }
  switch (method) {
    case 'GET': return pick(OBJECT_GET, query, 'GetObject');
    case 'HEAD': return 'HeadObject';
    case 'PUT':
      if (unknownParameter(query, OBJECT_PUT)) return 'Unknown';
      if (query.has('partNumber') && query.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return pick(OBJECT_PUT, query, copy ? 'CopyObject' : 'PutObject');
    case 'POST': return change(OBJECT_POST, 'Unknown');
    case 'DELETE': return change(OBJECT_DELETE, 'DeleteObject');
    default: return 'Unknown';
  }
}

/** Pure: names the S3 operation of a request. */
export function classify(input: ClassifyInput): Classified {
  const { bucket, key } = locate(input);
  const operation = operationOf(input.method.toUpperCase(), bucket, key, input.query, input.headers);
  return { operation, bucket, key, changesObject: OBJECT_CHANGES.has(operation) };
}

/** The key an `x-amz-copy-source` reads (its `?versionId` left off), or undefined when the request copies nothing. */
export function copySourceKey(headers: ClassifyInput['headers']): string | undefined {
  const source = header(headers, 'x-amz-copy-source');
  if (source === undefined) return undefined;
  const path = (source.startsWith('/') ? source.slice(1) : source).replace(/\?.*$/, '');
  const slash = path.indexOf('/');
  if (slash === -1) return undefined;
  try {
    return decodeURIComponent(path.slice(slash + 1));
  } catch {
    return path.slice(slash + 1);
  }
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
