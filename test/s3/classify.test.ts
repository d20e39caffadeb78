import t from 'tap';
import { classify } from '../../src/s3/classify.js';

// [method, url, headers, operation, bucket, key, changesObject]
type Case = [string, string, Record<string, string>, string, string | undefined, string | undefined, boolean];
const cases: Case[] = [
  ['GET', '/', {}, 'ListBuckets', undefined, undefined, false],
  ['GET', '/photos', {}, 'ListObjects', 'photos', undefined, false],
  ['GET', '/photos/', {}, 'ListObjects', 'photos', undefined, false], // s3cmd and the SDK add the slash
  ['GET', '/photos/?list-type=2&prefix=a', {}, 'ListObjectsV2', 'photos', undefined, false],
  ['GET', '/photos?location', {}, 'GetBucketLocation', 'photos', undefined, false],
  ['GET', '/photos?uploads', {}, 'ListMultipartUploads', 'photos', undefined, false],
  ['GET', '/photos?versions', {}, 'ListObjectVersions', 'photos', undefined, false],
  ['HEAD', '/photos', {}, 'HeadBucket', 'photos', undefined, false],
  ['PUT', '/photos', {}, 'CreateBucket', 'photos', undefined, false],
  ['PUT', '/photos/', {}, 'CreateBucket', 'photos', undefined, false],
  ['PUT', '/photos?tagging', {}, 'PutBucketTagging', 'photos', undefined, false],
  ['DELETE', '/photos', {}, 'DeleteBucket', 'photos', undefined, false],
  ['POST', '/photos?delete', {}, 'DeleteObjects', 'photos', undefined, true],
  ['POST', '/photos/?delete=', {}, 'DeleteObjects', 'photos', undefined, true],
  ['PUT', '/photos/a.jpg', {}, 'PutObject', 'photos', 'a.jpg', true],
  ['PUT', '/photos/dir/', {}, 'PutObject', 'photos', 'dir/', true],
  ['PUT', '/photos/a%20b%2Bc', {}, 'PutObject', 'photos', 'a b+c', true],
  ['PUT', '/photos/%E5%9B%BE/%F0%9F%98%80', {}, 'PutObject', 'photos', '图/😀', true],
  ['PUT', '/photos/a.jpg', { 'x-amz-copy-source': '/photos/b.jpg' }, 'CopyObject', 'photos', 'a.jpg', true],
  ['PUT', '/photos/a.jpg?partNumber=1&uploadId=x', {}, 'UploadPart', 'photos', 'a.jpg', false],
  ['PUT', '/photos/a.jpg?partNumber=1&uploadId=x', { 'x-amz-copy-source': 'photos/b' }, 'UploadPartCopy', 'photos', 'a.jpg', false],
  ['PUT', '/photos/a.jpg?tagging', {}, 'PutObjectTagging', 'photos', 'a.jpg', true],
  ['PUT', '/photos/a.jpg?acl', {}, 'PutObjectAcl', 'photos', 'a.jpg', true],
  ['POST', '/photos/a.jpg?uploads', {}, 'CreateMultipartUpload', 'photos', 'a.jpg', false],
  ['POST', '/photos/a.jpg?uploadId=x', {}, 'CompleteMultipartUpload', 'photos', 'a.jpg', true],
  ['DELETE', '/photos/a.jpg?uploadId=x', {}, 'AbortMultipartUpload', 'photos', 'a.jpg', false],
  ['DELETE', '/photos/a.jpg', {}, 'DeleteObject', 'photos', 'a.jpg', true],
  ['DELETE', '/photos/a.jpg?tagging', {}, 'DeleteObjectTagging', 'photos', 'a.jpg', true],
  ['GET', '/photos/a.jpg', {}, 'GetObject', 'photos', 'a.jpg', false],
  ['GET', '/photos/a.jpg?tagging', {}, 'GetObjectTagging', 'photos', 'a.jpg', false],
  ['GET', '/photos/a.jpg?uploadId=x', {}, 'ListParts', 'photos', 'a.jpg', false],
  ['GET', '/photos/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab', {}, 'GetObject', 'photos', 'a.jpg', false],
  ['HEAD', '/photos/a.jpg', {}, 'HeadObject', 'photos', 'a.jpg', false],
];

for (const [method, url, headers, operation, bucket, key, changes] of cases) {
  t.test(`${method} ${url}`, async (t) => {
    const [rawPath, query = ''] = url.split('?');
    const c = classify({ method, rawPath: rawPath!, query: new URLSearchParams(query), headers });
    t.same(c, { operation, bucket, key, changesObject: changes });
  });
}

t.test('virtual-hosted style takes the bucket from the Host', async (t) => {
  const c = classify({ method: 'PUT', rawPath: '/x/y.txt', query: new URLSearchParams(), headers: { host: 'photos.s3.local:9000' },
    virtualHostBase: 's3.local' });
  t.same(c, { operation: 'PutObject', bucket: 'photos', key: 'x/y.txt', changesObject: true });
  const plain = classify({ method: 'GET', rawPath: '/photos/a', query: new URLSearchParams(), headers: { host: 's3.local:9000' },
    virtualHostBase: 's3.local' });
  t.equal(plain.bucket, 'photos');
});

t.test('bad percent-encoding throws', async (t) => {
  t.throws(() => classify({ method: 'GET', rawPath: '/b/%E0%A4%A', query: new URLSearchParams(), headers: {} }));
});
