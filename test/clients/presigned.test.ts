import t from 'tap';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import aws4 from 'aws4';
import { curl } from '../helpers/clients-cli.js';
import { BUCKET, fileMd5, randomFile, startClientWorld } from '../helpers/clients-world.js';
import { CLIENT_KEY, CLIENT_SECRET } from '../helpers/world.js';

const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('presigned URLs from the SDK presigner, used with curl', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const http = curl(join(w.tmp, 'home'));
  // NOTE: with its default (WHEN_SUPPORTED) the SDK hoists the CRC32 of an *empty* body into a presigned PUT
  // URL, which S3 may hold the upload to; applications that presign uploads turn that off, as here.
  const presigner = new S3Client({ endpoint: w.endpoint, region: 'cn-bj', forcePathStyle: true,
    credentials: { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const file = randomFile(w.tmp, 'upload.bin', 3 * 1024 * 1024 + 17);
  const key = 'presigned/a file+name (1).bin';

  t.test('PUT with curl -T (Expect: 100-continue) stores the bytes', async (t) => {
    const url = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    const r = await http(['-T', file.path, '-w', '%{http_code}', '-o', '/dev/null', url]);
    t.equal(r.stdout, '200', r.stderr);
    const stored = await w.stored(key);
    t.equal(stored?.md5, file.md5);
    t.equal(stored?.size, 3 * 1024 * 1024 + 17);
    t.ok((await w.appliedRows(key)).length, 'journaled');
  });

  t.test('GET with curl returns the bytes', async (t) => {
    const url = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    const out = join(w.tmp, 'download.bin');
    const r = await http(['-w', '%{http_code}', '-o', out, url]);
    t.equal(r.stdout, '200', r.stderr);
    t.equal(await fileMd5(out), file.md5);
    const range = await http(['-r', '0-9', '-w', '%{http_code}', '-o', '/dev/null', url]);
    t.equal(range.stdout, '206', 'a Range header is not signed, and needs not be');
  });

  t.test('the same URL with its signature altered is refused', async (t) => {
    const url = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    const r = await http(['-w', '\n%{http_code}', url.replace(/X-Amz-Signature=(.)/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`)]);
    const [body, status] = r.stdout.split(/\n(?=\d+$)/);
    t.equal(status, '403');
    t.equal(errorCode(body!), 'SignatureDoesNotMatch');
  });

  t.test('an expired URL is refused with 403 AccessDenied, and a PUT through it stores nothing', async (t) => {
    const expiredKey = 'presigned/expired.bin';
    const put = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: BUCKET, Key: expiredKey }), { expiresIn: 1 });
    const get = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 1 });
    await sleep(2100);
    for (const [what, args] of [['PUT', ['-T', file.path, put]], ['GET', [get]]] as const) {
      const r = await http(['-w', '\n%{http_code}', ...args]);
      const [body, status] = r.stdout.split(/\n(?=\d+$)/);
      t.equal(status, '403', `${what} status`);
      t.equal(errorCode(body!), 'AccessDenied', `${what} code`);
      t.match(body!, /Request has expired/);
    }
    t.equal(await w.stored(expiredKey), null, 'nothing stored');
    t.same(w.journalRows(expiredKey), [], 'nothing journaled');
  });

  t.test('X-Amz-Expires over 7 days is refused', async (t) => {
    // The SDK presigner will not make such a URL, so aws4 signs it.
    const signed = aws4.sign({ host: `127.0.0.1:${w.port}`, method: 'GET', service: 's3', region: 'cn-bj', signQuery: true,
      path: `/${BUCKET}/presigned/x?X-Amz-Expires=604801` }, { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET });
    const r = await http(['-w', '\n%{http_code}', `${w.endpoint}${signed.path!}`]);
    const [body, status] = r.stdout.split(/\n(?=\d+$)/);
    t.equal(status, '400');
    t.equal(errorCode(body!), 'AuthorizationQueryParametersError');
    const week = aws4.sign({ host: `127.0.0.1:${w.port}`, method: 'GET', service: 's3', region: 'cn-bj', signQuery: true,
      path: `/${BUCKET}/${encodeURIComponent(key).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}?X-Amz-Expires=604800` },
    { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET });
    const ok = await http(['-w', '%{http_code}', '-o', '/dev/null', `${w.endpoint}${week.path!}`]);
    t.equal(ok.stdout, '200', 'exactly 7 days is allowed');
  });
});
