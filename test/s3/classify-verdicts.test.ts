// The classifier is closed: every S3 operation, by method and sub-resource, has a verdict on a replicated bucket:
// journaled, refused (NotImplemented), or forwarded because it changes no object. A request Ferry does not know
// (another method, another sub-resource, a POST that is no form) is 'Unknown' and refused, never forwarded.
import t from 'tap';
import { classify, verdictOf, type Verdict } from '../../src/s3/classify.js';

const FORM = { 'content-type': 'multipart/form-data; boundary=x' };
const COPY = { 'x-amz-copy-source': '/photos/b.jpg' };
const PRESIGNED = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Date=b&X-Amz-Expires=60&X-Amz-SignedHeaders=host' +
  '&X-Amz-Signature=c&x-amz-meta-hoisted=1&x-id=PutObject';

// [method, url, headers, operation, verdict]
type Row = [string, string, Record<string, string>, string, Verdict];
const TABLE: Row[] = [
  // Service and preflight.
  ['GET', '/', {}, 'ListBuckets', 'forward'],
  ['OPTIONS', '/photos/a.jpg', {}, 'PreflightRequest', 'forward'],
  // Bucket reads.
  ['GET', '/photos', {}, 'ListObjects', 'forward'],
  ['GET', '/photos?list-type=2', {}, 'ListObjectsV2', 'forward'],
  ['HEAD', '/photos', {}, 'HeadBucket', 'forward'],
  ...([
    ['uploads', 'ListMultipartUploads'], ['versions', 'ListObjectVersions'], ['location', 'GetBucketLocation'], ['acl', 'GetBucketAcl'],
    ['tagging', 'GetBucketTagging'], ['policy', 'GetBucketPolicy'], ['policyStatus', 'GetBucketPolicyStatus'], ['cors', 'GetBucketCors'],
    ['versioning', 'GetBucketVersioning'], ['lifecycle', 'GetBucketLifecycleConfiguration'], ['replication', 'GetBucketReplication'],
    ['website', 'GetBucketWebsite'], ['encryption', 'GetBucketEncryption'], ['notification', 'GetBucketNotificationConfiguration'],
    ['logging', 'GetBucketLogging'], ['object-lock', 'GetObjectLockConfiguration'], ['ownershipControls', 'GetBucketOwnershipControls'],
    ['publicAccessBlock', 'GetPublicAccessBlock'], ['requestPayment', 'GetBucketRequestPayment'],
    ['accelerate', 'GetBucketAccelerateConfiguration'], ['inventory', 'GetBucketInventoryConfiguration'],
    ['analytics', 'GetBucketAnalyticsConfiguration'], ['metrics', 'GetBucketMetricsConfiguration'],
    ['intelligent-tiering', 'GetBucketIntelligentTieringConfiguration'], ['metadataTable', 'GetBucketMetadataTableConfiguration'],
  ] as const).map(([sub, op]): Row => ['GET', `/photos?${sub}`, {}, op, 'forward']),
  // Bucket configuration: changes the bucket, never an object's bytes, metadata, tags or ACL.
  ['PUT', '/photos', {}, 'CreateBucket', 'forward'],
  ...([
    ['acl', 'PutBucketAcl'], ['tagging', 'PutBucketTagging'], ['policy', 'PutBucketPolicy'], ['cors', 'PutBucketCors'],
    ['versioning', 'PutBucketVersioning'], ['lifecycle', 'PutBucketLifecycleConfiguration'], ['replication', 'PutBucketReplication'],
    ['website', 'PutBucketWebsite'], ['encryption', 'PutBucketEncryption'], ['notification', 'PutBucketNotificationConfiguration'],
    ['logging', 'PutBucketLogging'], ['object-lock', 'PutObjectLockConfiguration'], ['ownershipControls', 'PutBucketOwnershipControls'],
    ['publicAccessBlock', 'PutPublicAccessBlock'], ['requestPayment', 'PutBucketRequestPayment'],
    ['accelerate', 'PutBucketAccelerateConfiguration'], ['inventory&id=i', 'PutBucketInventoryConfiguration'],
    ['analytics&id=a', 'PutBucketAnalyticsConfiguration'], ['metrics&id=m', 'PutBucketMetricsConfiguration'],
    ['intelligent-tiering&id=t', 'PutBucketIntelligentTieringConfiguration'],
  ] as const).map(([sub, op]): Row => ['PUT', `/photos?${sub}`, {}, op, 'forward']),
  ['DELETE', '/photos', {}, 'DeleteBucket', 'forward'],
  ...([
    ['tagging', 'DeleteBucketTagging'], ['policy', 'DeleteBucketPolicy'], ['cors', 'DeleteBucketCors'],
    ['lifecycle', 'DeleteBucketLifecycle'], ['replication', 'DeleteBucketReplication'], ['website', 'DeleteBucketWebsite'],
    ['encryption', 'DeleteBucketEncryption'], ['ownershipControls', 'DeleteBucketOwnershipControls'],
    ['publicAccessBlock', 'DeletePublicAccessBlock'], ['inventory&id=i', 'DeleteBucketInventoryConfiguration'],
    ['analytics&id=a', 'DeleteBucketAnalyticsConfiguration'], ['metrics&id=m', 'DeleteBucketMetricsConfiguration'],
    ['intelligent-tiering&id=t', 'DeleteBucketIntelligentTieringConfiguration'], ['metadataTable', 'DeleteBucketMetadataTableConfiguration'],
  ] as const).map(([sub, op]): Row => ['DELETE', `/photos?${sub}`, {}, op, 'forward']),
  ['POST', '/photos?metadataTable', {}, 'CreateBucketMetadataTableConfiguration', 'forward'],
  // Bucket-level changes to objects.
  ['POST', '/photos?delete', {}, 'DeleteObjects', 'journal'],
  ['POST', '/photos?delete&x-id=DeleteObjects', {}, 'DeleteObjects', 'journal'],
  ['POST', '/photos', FORM, 'PostObject', 'journal'],
  ['POST', '/photos/', FORM, 'PostObject', 'journal'],
  // A POST to a bucket that is neither: s3rver stores any of them as a form upload, so none may pass.
  ['POST', '/photos', {}, 'Unknown', 'refuse'],
  ['POST', '/photos', { 'content-type': 'multipart/form-data,boundary=x' }, 'Unknown', 'refuse'],
  ['POST', '/photos', { 'content-type': 'multipart/mixed; boundary=x' }, 'Unknown', 'refuse'],
  ['POST', '/photos?x-id=PostObject', FORM, 'Unknown', 'refuse'],
  ['POST', '/photos?anything', FORM, 'Unknown', 'refuse'],
  ['POST', '/photos?DELETE', FORM, 'Unknown', 'refuse'],
  ['POST', '/photos?delete&bogus', {}, 'Unknown', 'refuse'],
  // Object reads.
  ['GET', '/photos/a.jpg', {}, 'GetObject', 'forward'],
  ['GET', '/photos/a.jpg?versionId=v&partNumber=2&response-content-type=x', {}, 'GetObject', 'forward'],
  ['HEAD', '/photos/a.jpg', {}, 'HeadObject', 'forward'],
  ...([
    ['uploadId=u', 'ListParts'], ['tagging', 'GetObjectTagging'], ['acl', 'GetObjectAcl'], ['attributes', 'GetObjectAttributes'],
    ['retention', 'GetObjectRetention'], ['legal-hold', 'GetObjectLegalHold'], ['torrent', 'GetObjectTorrent'],
  ] as const).map(([sub, op]): Row => ['GET', `/photos/a.jpg?${sub}`, {}, op, 'forward']),
  // Object changes.
  ['PUT', '/photos/a.jpg', {}, 'PutObject', 'journal'],
  ['PUT', `/photos/a.jpg?${PRESIGNED}`, {}, 'PutObject', 'journal'],
  ['PUT', '/photos/a.jpg?AWSAccessKeyId=a&Expires=1&Signature=s', {}, 'PutObject', 'journal'],
  ['PUT', '/photos/a.jpg', COPY, 'CopyObject', 'journal'],
  ['PUT', '/photos/a.jpg?tagging', {}, 'PutObjectTagging', 'journal'],
  ['PUT', '/photos/a.jpg?tagging&versionId=v', {}, 'PutObjectTagging', 'journal'],
  ['PUT', '/photos/a.jpg?acl', {}, 'PutObjectAcl', 'journal'],
  ['POST', '/photos/a.jpg?uploadId=u', {}, 'CompleteMultipartUpload', 'journal'],
  ['DELETE', '/photos/a.jpg', {}, 'DeleteObject', 'journal'],
  ['DELETE', '/photos/a.jpg?versionId=v', {}, 'DeleteObject', 'journal'],
  ['DELETE', '/photos/a.jpg?tagging', {}, 'DeleteObjectTagging', 'journal'],
  // Object changes the shipper cannot carry to the target.
  ['PUT', '/photos/a.jpg?retention', {}, 'PutObjectRetention', 'refuse'],
  ['PUT', '/photos/a.jpg?legal-hold', {}, 'PutObjectLegalHold', 'refuse'],
  ['PUT', '/photos/a.jpg?renameObject', { 'x-amz-rename-source': '/photos/b.jpg' }, 'RenameObject', 'refuse'],
  // Multipart staging, restores and selects: no object changes until CompleteMultipartUpload.
  ['POST', '/photos/a.jpg?uploads', {}, 'CreateMultipartUpload', 'forward'],
  ['PUT', '/photos/a.jpg?partNumber=1&uploadId=u', {}, 'UploadPart', 'forward'],
  ['PUT', '/photos/a.jpg?partNumber=1&uploadId=u', COPY, 'UploadPartCopy', 'forward'],
  ['DELETE', '/photos/a.jpg?uploadId=u', {}, 'AbortMultipartUpload', 'forward'],
  ['POST', '/photos/a.jpg?restore', {}, 'RestoreObject', 'forward'],
  ['POST', '/photos/a.jpg?select&select-type=2', {}, 'SelectObjectContent', 'forward'],
  // What Ferry does not know.
  ['POST', '/photos/a.jpg', FORM, 'Unknown', 'refuse'],
  ['POST', '/photos/a.jpg?bogus', {}, 'Unknown', 'refuse'],
  ['PUT', '/photos/a.jpg?bogus', {}, 'Unknown', 'refuse'],
  ['PUT', '/photos/a.jpg?tagging&bogus', {}, 'Unknown', 'refuse'],
  ['DELETE', '/photos/a.jpg?bogus', {}, 'Unknown', 'refuse'],
  ['PUT', '/photos?bogus', {}, 'Unknown', 'refuse'],
  ['DELETE', '/photos?bogus', {}, 'Unknown', 'refuse'],
  ...['PATCH', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'TRACE', 'CONNECT', 'QUERY'].flatMap((m): Row[] =>
    [[m, '/photos/a.jpg', {}, 'Unknown', 'refuse'], [m, '/photos', {}, 'Unknown', 'refuse']]),
];

for (const [method, url, headers, operation, verdict] of TABLE) {
  t.test(`${method} ${url.slice(0, 60)} ${JSON.stringify(headers)}`, async (t) => {
    const [rawPath, query = ''] = url.split(/\?(.*)/s);
    const c = classify({ method, rawPath: rawPath!, query: new URLSearchParams(query), headers });
    t.equal(c.operation, operation, 'operation');
    t.equal(verdictOf(c.operation), verdict, `verdict: ${verdict}`);
    t.equal(c.changesObject, verdict === 'journal', 'journaled exactly when its verdict says so');
  });
}

t.test('the table covers every verdict, and every change the journal records', async (t) => {
  const ops = new Set(TABLE.map((r) => r[3]));
  for (const op of ['PutObject', 'CopyObject', 'CompleteMultipartUpload', 'DeleteObject', 'DeleteObjects', 'PutObjectTagging',
    'DeleteObjectTagging', 'PutObjectAcl', 'PostObject']) t.ok(ops.has(op), `${op} is in the table`);
  t.ok(TABLE.length > 100, `${TABLE.length} rows`);
});

t.test('a bucket segment that is empty, . or .. names no bucket', async (t) => {
  for (const rawPath of ['//photos/a.jpg', '/../photos/a.jpg', '/./photos/a.jpg', '/%2E%2E/photos/a.jpg', '/..']) {
    t.throws(() => classify({ method: 'PUT', rawPath, query: new URLSearchParams(), headers: {} }), URIError, rawPath);
  }
  t.throws(() => classify({ method: 'PUT', rawPath: '/a.jpg', query: new URLSearchParams(), headers: { host: '..s3.local' },
    virtualHostBase: 's3.local' }), URIError, 'virtual-hosted');
});
