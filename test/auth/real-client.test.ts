// The AWS SDK for JavaScript, talking to a real HTTP server on port 0 that authenticates with src/auth:
// whatever the SDK sends (plain, aws-chunked with trailing checksums, presigned) authenticates and decodes.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand,
  PutObjectTaggingCommand, S3Client, type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import t from 'tap';
import { authenticate } from '../../src/auth/authenticate.js';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { S3Error, toS3Error } from '../../src/errors/s3-error.js';
import type { AuthResult } from '../../src/auth/types.js';
import { CREDENTIAL, REGION, lookup } from './helpers/signers.js';
import { payloadOf } from './helpers/body-fixtures.js';

interface Seen { method: string; url: string; auth: AuthResult; body: Buffer; contentSha256?: string; decodedBytes?: number }
const seen: Seen[] = [];
const objects = new Map<string, Buffer>();

async function handle(req: IncomingMessage): Promise<{ status: number; body: string | Buffer; headers?: Record<string, string> }> {
  const url = req.url!;
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const auth = authenticate({ method: req.method!, rawPath, rawQuery, headers: req.headers }, lookup, new Date());
  const decoder = createBodyDecoder(auth, req.headers);
  const parts: Buffer[] = [];
  const sink = async (source: AsyncIterable<Buffer>) => { for await (const c of source) parts.push(c); };
  if (decoder) await pipeline(req, decoder, sink);
  else await pipeline(req, sink);
  const body = Buffer.concat(parts);
  seen.push({ method: req.method!, url, auth, body, contentSha256: req.headers['x-amz-content-sha256'] as string, decodedBytes: decoder?.decodedBytes });
  if (rawQuery.includes('uploads')) {
    return { status: 200, body: '<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>' };
  }
  if (rawQuery.includes('list-type')) return { status: 200, body: '<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>' };
  if (req.method === 'PUT' && !rawQuery.includes('tagging')) objects.set(rawPath, body);
  if (req.method === 'GET') return { status: 200, body: objects.get(rawPath) ?? Buffer.alloc(0) };
  return { status: req.method === 'DELETE' ? 204 : 200, body: '', headers: { etag: '"e"' } };
}

let server: Server;
let endpoint: string;
t.before(async () => {
  server = createServer((req, res) => {
    handle(req).then(({ status, body, headers }) => {
      res.writeHead(status, headers).end(body);
    }, (err: unknown) => {
      const e = toS3Error(err);
      res.writeHead(e.status, { 'content-type': 'application/xml' }).end(`<Error><Code>${e.code}</Code><Message>${e.message}</Message></Error>`);
      req.resume();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
t.teardown(() => new Promise<void>((r) => server.close(() => r())));

const client = (secretAccessKey = CREDENTIAL.secretAccessKey) => new S3Client({
  endpoint, region: REGION, forcePathStyle: true, credentials: { ...CREDENTIAL, secretAccessKey },
});
const keys = ['plain.txt', 'with space/ü ñ 日本/+plus=eq&amp;.txt', "sub!'()*~delims.bin", 'deep/a/b/c/d/e.txt'];

t.test('PutObject with a buffer body, every checksum algorithm', async (t) => {
  for (const alg of [undefined, 'CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as Array<ChecksumAlgorithm | undefined>) {
    for (const key of keys) {
      const payload = payloadOf(10_000);
      seen.length = 0;
      await client().send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: payload, ChecksumAlgorithm: alg }));
      t.ok(seen[0].body.equals(payload), `${alg ?? 'default'} ${key}: ${seen[0].auth.payload.kind}, ${seen[0].contentSha256}`);
    }
  }
});

t.test('PutObject with a stream body goes aws-chunked with a trailing checksum', async (t) => {
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[]) {
    const payload = payloadOf(300_001);
    seen.length = 0;
    await client().send(new PutObjectCommand({
      Bucket: 'bucket', Key: keys[1], Body: Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]),
      ContentLength: payload.length, ChecksumAlgorithm: alg,
    }));
    t.equal(seen[0].auth.payload.kind, 'streaming-unsigned-trailer', `${alg}: ${seen[0].contentSha256}`);
    t.ok(seen[0].body.equals(payload), `${alg}: decoded body is the payload`);
    t.equal(seen[0].decodedBytes, payload.length);
  }
});

t.test('other operations, special keys and queries', async (t) => {
  const s3 = client();
  for (const key of keys) {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: key }));
    t.equal(await got.Body!.transformToString(), 'hello', `GetObject ${key}`);
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'bucket', Key: key, Tagging: { TagSet: [{ Key: 'a b', Value: 'c+d' }] } }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'bucket', Key: key }));
  }
  await s3.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'with space/ü +=&', Delimiter: '/', MaxKeys: 10 }));
  t.pass('ListObjectsV2 with an awkward prefix');
});

t.test('presigned URLs from getSignedUrl', async (t) => {
  const s3 = client();
  for (const key of keys) {
    const payload = payloadOf(5_000);
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'bucket', Key: key }), { expiresIn: 300 });
    const putRes = await fetch(put, { method: 'PUT', body: new Uint8Array(payload) });
    t.equal(putRes.status, 200, `presigned PUT ${key}: ${putRes.status === 200 ? '' : await putRes.text()}`);
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bucket', Key: key }), { expiresIn: 300 });
    const res = await fetch(get);
    t.equal(res.status, 200, `presigned GET ${key}`);
    t.ok(Buffer.from(await res.arrayBuffer()).equals(payload));
    const tampered = await fetch(get.replace('X-Amz-Expires=300', 'X-Amz-Expires=301'));
    t.match(await tampered.text(), /SignatureDoesNotMatch/);
  }
});

t.test('a client with the wrong secret is refused with the S3 error', async (t) => {
  await t.rejects(client('wrong').send(new GetObjectCommand({ Bucket: 'bucket', Key: 'plain.txt' })), { name: 'SignatureDoesNotMatch' });
  await t.rejects(client('wrong').send(new PutObjectCommand({ Bucket: 'bucket', Key: 'x', Body: Readable.from([Buffer.from('x')]), ContentLength: 1 })),
    { name: 'SignatureDoesNotMatch' });
  t.ok(new S3Error('SignatureDoesNotMatch').status === 403);
});
