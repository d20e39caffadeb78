// Every request Ferry forwards must verify at a source that checks SigV4 over what arrives on the wire.
// The source here is a real HTTP server that verifies each request it receives (with Ferry's verifier, fed
// the headers exactly as they arrived), so a header that is signed but dropped on the way shows up.
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand,
  CreateMultipartUploadCommand, DeleteBucketCommand, DeleteBucketCorsCommand, DeleteObjectCommand, DeleteObjectsCommand,
  DeleteObjectTaggingCommand, GetBucketLocationCommand, GetObjectCommand, GetObjectTaggingCommand, HeadBucketCommand,
  HeadObjectCommand, ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsCommand, ListObjectsV2Command,
  ListPartsCommand, PutBucketCorsCommand, PutObjectAclCommand, PutObjectCommand, PutObjectTaggingCommand,
  UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { authenticate } from '../../src/auth/authenticate.js';
import { sdkClient, startTestFerry } from '../helpers/world.js';
import { sendRaw, sign } from '../helpers/clients-raw.js';

const REGION_KEY = 'WIREREGIONKEY';
const REGION_SECRET = 'wire-region-secret-0000000000000000000000';

interface Seen { method: string; url: string; verified: boolean; why?: string }

/** A source that verifies every request's signature against the region credential and answers 200. */
async function verifyingSource(): Promise<{ endpoint: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const entry: Seen = { method: req.method ?? '', url, verified: false };
    try {
      authenticate({ method: entry.method, rawPath: qi < 0 ? url : url.slice(0, qi), rawQuery: qi < 0 ? '' : url.slice(qi + 1),
        headers: req.headers }, (id) => (id === REGION_KEY ? { accessKeyId: REGION_KEY, secretAccessKey: REGION_SECRET } : undefined),
      new Date());
      entry.verified = true;
    } catch (err) {
      entry.why = (err as Error).message;
    }
    seen.push(entry);
    req.resume();
    req.on('end', () => {
      const body = '<?xml version="1.0" encoding="UTF-8"?><Ok/>';
      res.writeHead(entry.verified ? 200 : 403, { 'content-type': 'application/xml', 'content-length': String(body.length),
        etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
      res.end(entry.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

t.test('every method and sub-resource Ferry forwards verifies at the source', async (t) => {
  const source = await verifyingSource();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-wire-'));
  const region = { endpoint: source.endpoint, accessKeyId: REGION_KEY, secretAccessKey: REGION_SECRET };
  const ferry = await startTestFerry({
    listen: '127.0.0.1:0', journal: { path: join(dir, 'journal.db') },
    regions: { 'cn-bj': region, 'cn-sh': region }, source: 'cn-bj',
    clients: [{ accessKeyId: 'FERRYTESTKEY', secretAccessKey: 'ferry-test-secret-aaaaaaaaaaaaaaaaaaaaaaa' }],
    rules: [], log: { level: 'silent' },
  }, { shipper: false });
  t.teardown(async () => { await ferry.stop(); await source.close(); rmSync(dir, { recursive: true, force: true }); });
  const s3: S3Client = sdkClient(ferry.endpoint);
  const B = 'wire';
  const K = "odd key/with 'quote' & ünï+code=1;~*";
  const commands = [
    new ListBucketsCommand({}), new CreateBucketCommand({ Bucket: B }), new HeadBucketCommand({ Bucket: B }),
    new GetBucketLocationCommand({ Bucket: B }),
    new PutObjectCommand({ Bucket: B, Key: K, Body: 'hello', ContentType: 'text/plain', Metadata: { note: 'a  b' } }),
    new PutObjectCommand({ Bucket: B, Key: 'empty', Body: '' }),
    new GetObjectCommand({ Bucket: B, Key: K, Range: 'bytes=0-1' }), new HeadObjectCommand({ Bucket: B, Key: K }),
    new CopyObjectCommand({ Bucket: B, Key: 'copy', CopySource: `${B}/${encodeURIComponent(K)}` }),
    new PutObjectTaggingCommand({ Bucket: B, Key: K, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }),
    new GetObjectTaggingCommand({ Bucket: B, Key: K }), new DeleteObjectTaggingCommand({ Bucket: B, Key: K }),
    new PutObjectAclCommand({ Bucket: B, Key: K, ACL: 'private' }),
    new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp' }),
    new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId: 'u/1+2', PartNumber: 1, Body: Buffer.alloc(1024, 1) }),
    new ListPartsCommand({ Bucket: B, Key: 'mp', UploadId: 'u/1+2' }),
    new CompleteMultipartUploadCommand({ Bucket: B, Key: 'mp', UploadId: 'u/1+2', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } }),
    new AbortMultipartUploadCommand({ Bucket: B, Key: 'mp', UploadId: 'u/1+2' }),
    new ListMultipartUploadsCommand({ Bucket: B }), new ListObjectsCommand({ Bucket: B, Prefix: 'a b', Delimiter: '/' }),
    new ListObjectsV2Command({ Bucket: B, ContinuationToken: 'a+b/c=' }),
    new DeleteObjectCommand({ Bucket: B, Key: K }),
    new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: K }, { Key: 'copy' }] } }),
    new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }),
    new DeleteBucketCorsCommand({ Bucket: B }), new DeleteBucketCommand({ Bucket: B }),
  ];
  for (const command of commands) {
    // The stand-in source answers every request with the same small document; the SDK may not parse it,
    // which does not matter here: what counts is how the source judged the request it received.
    await s3.send(command as never).catch(() => undefined);
  }
  t.equal(source.seen.length, commands.length, 'every request was forwarded once');
  for (const s of source.seen) t.ok(s.verified, `${s.method} ${s.url}${s.why ? `: ${s.why}` : ''}`);
  t.ok(source.seen.some((s) => s.method === 'DELETE'), 'deletes were among them');

  // botocore (the AWS CLI, boto3) sends `Content-Length: 0` on requests without a body, DELETE among them.
  const port = Number(new URL(ferry.endpoint).port);
  for (const method of ['DELETE', 'GET', 'HEAD']) {
    const before = source.seen.length;
    const zero = sign(port, { method, path: `/${B}/zero-length`, headers: { 'content-length': '0' }, body: Buffer.alloc(0) },
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const answer = await sendRaw(port, zero);
    t.equal(source.seen.length, before + 1, `${method} with Content-Length: 0 was forwarded`);
    t.ok(source.seen.at(-1)?.verified, `${method} with Content-Length: 0 verifies at the source (${source.seen.at(-1)?.why ?? 'ok'})`);
    t.equal(answer?.status, 200, `${method} with Content-Length: 0 answered by the source`, { answer: answer?.body.slice(0, 300) });
  }

  // An empty Expect header is not an expectation Ferry should refuse; the source accepts such requests.
  const req = sign(port, { method: 'PUT', path: `/${B}/expect-empty`, headers: { 'content-length': '2', expect: '' }, body: Buffer.from('hi') },
    'UNSIGNED-PAYLOAD');
  // Written on a raw socket: HTTP client libraries refuse to send an Expect header themselves.
  const answer = await sendRaw(port, req);
  t.equal(answer?.status, 200, 'a PUT with an empty Expect header is forwarded');
  t.ok(source.seen.at(-1)?.verified, 'and verifies at the source');
  s3.destroy();
});
