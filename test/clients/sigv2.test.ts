// Real clients signing with AWS Signature Version 2 through the gateway to s3rver regions: s3cmd with
// signature_v2, and boto3 (Debian's python3-boto3) with signature_version='s3', their presigned URLs fetched
// with curl. What they stored is checked at the source region directly.
import t from 'tap';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { curl, run, s3cmd } from '../helpers/clients-cli.js';
import { BUCKET, fileMd5, randomFile, startClientWorld } from '../helpers/clients-world.js';
import { CLIENT_KEY, CLIENT_SECRET, md5 } from '../helpers/world.js';

const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
// Debian's boto3 (PATH may put another Python first).
const PYTHON = '/usr/bin/python3';

/** PATH and a scratch HOME only, so no profile, proxy or CA bundle of the machine leaks in. */
function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TMPDIR: home, ...extra };
}

// Runs one boto3 call with SigV2 ('s3') signing and prints its result as JSON. Arguments and credentials come
// through the environment. botocore refuses non-ASCII metadata before sending (validate_ascii_metadata), a
// client-side rule only: S3 stores such values, and other clients send them, so the check is unregistered.
const BOTO = `
import json, os, sys, base64
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import validate_ascii_metadata
s3 = boto3.client('s3', endpoint_url=os.environ['FERRY_ENDPOINT'], region_name='cn-bj',
    aws_access_key_id=os.environ['FERRY_KEY'], aws_secret_access_key=os.environ['FERRY_SECRET'],
    config=Config(signature_version='s3', s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
s3.meta.events.unregister('before-parameter-build.s3.PutObject', validate_ascii_metadata)
schemes = []
def record_scheme(request, **kwargs):
    value = request.headers.get('Authorization') or b''
    schemes.append((value.decode() if isinstance(value, bytes) else value).split(' ')[0])
s3.meta.events.register('before-send.s3', record_scheme)
args = json.loads(os.environ['FERRY_ARGS'])
op = os.environ['FERRY_OP']
try:
    if op == 'put':
        body = open(args.pop('File'), 'rb').read()
        r = s3.put_object(Body=body, **args)
        out = {'etag': r['ETag']}
    elif op == 'get':
        r = s3.get_object(**args)
        out = {'body': base64.b64encode(r['Body'].read()).decode(), 'metadata': r['Metadata']}
    elif op == 'delete':
        s3.delete_object(**args)
        out = {}
    elif op == 'presign':
        out = {'url': s3.generate_presigned_url('get_object', Params=args, ExpiresIn=300)}
    out['schemes'] = schemes
    print(json.dumps(out))
except ClientError as e:
    print(json.dumps({'error': e.response['Error']['Code'], 'status': e.response['ResponseMetadata']['HTTPStatusCode'], 'schemes': schemes}))
`;

type BotoResult = {
  etag?: string; body?: string; metadata?: Record<string, string>; url?: string; error?: string; status?: number;
  /** The Authorization scheme of each request boto3 sent (`AWS` for SigV2). */
  schemes: string[];
};

function boto3V2(endpoint: string, home: string, secret = CLIENT_SECRET) {
  return async (op: 'put' | 'get' | 'delete' | 'presign', args: Record<string, unknown>): Promise<BotoResult> => {
    const env = cleanEnv(home, { FERRY_ENDPOINT: endpoint, FERRY_KEY: CLIENT_KEY, FERRY_SECRET: secret, FERRY_OP: op,
      FERRY_ARGS: JSON.stringify(args), AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true' });
    const r = await run(PYTHON, ['-c', BOTO], env);
    if (r.code !== 0) throw new Error(`boto3 ${op} exited with ${r.code}: ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as BotoResult;
  };
}

/** Node (and so the JS SDK) reads header bytes as latin1: the UTF-8 text the client sent, recovered. */
const asUtf8 = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, 'latin1').toString('utf8'));

t.test('SigV2 clients through the gateway', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const home = join(w.tmp, 'home');
  const http = curl(home);

  t.test('s3cmd (signature_v2 = True)', async (t) => {
    const s3 = s3cmd(w.port, home, { signatureV2: true });
    const small = randomFile(w.tmp, 'v2-small.bin', 5000);
    const big = randomFile(w.tmp, 'v2-big.bin', 6 * 1024 * 1024 + 3);

    t.test('put stores the bytes (single part, and multipart: ?uploads, ?partNumber&uploadId signed)', async (t) => {
      // Its debug log shows the string it signed: SigV2's begins with the method line, SigV4's is never logged so.
      const debug = await s3(['-d', 'put', small.path, `s3://${BUCKET}/s3cmd-v2/small.bin`]);
      t.equal(debug.code, 0, 'put with the debug log (not shown: it holds configuration)');
      t.ok(/SignHeaders: 'PUT\\n/.test(debug.stderr) && !debug.stderr.includes('AWS4-HMAC-SHA256'), 's3cmd signs with SigV2');
      for (const [file, key] of [[small, 's3cmd-v2/small.bin'], [big, 's3cmd-v2/big file (1).bin']] as const) {
        const r = await s3(['put', '--multipart-chunk-size-mb=5', file.path, `s3://${BUCKET}/${key}`]);
        t.equal(r.code, 0, `put ${key}: ${r.stderr}`);
        t.equal((await w.stored(key))?.md5, file.md5, `${key} bytes at the source`);
      }
      t.same(w.journalRows('s3cmd-v2/big file (1).bin').map((row) => row.operation), ['CompleteMultipartUpload']);
      t.same(w.journalRows('s3cmd-v2/small.bin').map((row) => row.operation), ['PutObject', 'PutObject']);
    });

    t.test('get downloads the same bytes', async (t) => {
      for (const [file, key] of [[small, 's3cmd-v2/small.bin'], [big, 's3cmd-v2/big file (1).bin']] as const) {
        const out = join(w.tmp, `${md5(key)}.out`);
        const r = await s3(['get', '--force', `s3://${BUCKET}/${key}`, out]);
        t.equal(r.code, 0, `get ${key}: ${r.stderr}`);
        t.equal(await fileMd5(out), file.md5);
      }
    });

    t.test('ls lists buckets and keys', async (t) => {
      const buckets = await s3(['ls']);
      t.equal(buckets.code, 0, buckets.stderr);
      t.match(buckets.stdout, /s3:\/\/data/);
      const keys = await s3(['ls', `s3://${BUCKET}/s3cmd-v2/`]);
      t.equal(keys.code, 0, keys.stderr);
      t.match(keys.stdout, /\s5000\s+s3:\/\/data\/s3cmd-v2\/small\.bin/);
      t.match(keys.stdout, /\s6291459\s+s3:\/\/data\/s3cmd-v2\/big file \(1\)\.bin/);
    });

    t.test('signurl gives a URL curl can fetch, and its signature is checked', async (t) => {
      const r = await s3(['signurl', `s3://${BUCKET}/s3cmd-v2/small.bin`, '+300']);
      t.equal(r.code, 0, r.stderr);
      const url = r.stdout.trim();
      t.match(url, /[?&]AWSAccessKeyId=.*&Expires=\d+&Signature=|Signature=.*Expires=/);
      const out = join(w.tmp, 'signurl.out');
      const got = await http(['-w', '%{http_code}', '-o', out, url]);
      t.equal(got.stdout, '200', got.stderr);
      t.equal(md5(readFileSync(out)), small.md5);
      const bad = await http(['-w', '\n%{http_code}', url.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === 'A' ? 'B' : 'A'}`)]);
      const [body, status] = bad.stdout.split(/\n(?=\d+$)/);
      t.equal(status, '403');
      t.equal(errorCode(body!), 'SignatureDoesNotMatch');
    });

    t.test('del removes at the source', async (t) => {
      for (const key of ['s3cmd-v2/small.bin', 's3cmd-v2/big file (1).bin']) {
        const r = await s3(['del', `s3://${BUCKET}/${key}`]);
        t.equal(r.code, 0, r.stderr);
        t.equal(await w.stored(key), null, `${key} gone`);
      }
      t.same(w.journalRows('s3cmd-v2/small.bin').map((row) => row.operation), ['PutObject', 'PutObject', 'DeleteObject']);
    });
  });

  t.test('boto3 (signature_version = s3)', async (t) => {
    const boto = boto3V2(w.endpoint, home);
    const file = randomFile(w.tmp, 'boto-v2.bin', 300 * 1024 + 5);
    const key = 'boto-v2/Zürich ☃ (1)+x.bin';
    const city = 'Zürich ☃';

    t.test('put_object with a non-ASCII x-amz-meta value stores bytes and metadata', async (t) => {
      const r = await boto('put', { Bucket: BUCKET, Key: key, File: file.path, Metadata: { city, plain: 'a, b' }, ContentType: 'application/x-test' });
      t.equal(r.error, undefined, `put: ${r.error}`);
      t.same(r.schemes, ['AWS'], 'one request, signed with SigV2');
      const stored = await w.stored(key);
      t.equal(stored?.md5, file.md5, 'bytes at the source');
      t.equal(stored?.contentType, 'application/x-test');
      t.equal(asUtf8(stored?.metadata.city), city, 'metadata at the source, byte for byte');
      t.equal(stored?.metadata.plain, 'a, b');
      t.ok((await w.appliedRows(key)).length, 'journaled');
    });

    t.test('get_object returns the bytes and the metadata', async (t) => {
      const r = await boto('get', { Bucket: BUCKET, Key: key });
      t.equal(r.error, undefined);
      t.same(r.schemes, ['AWS']);
      t.equal(md5(Buffer.from(r.body!, 'base64')), file.md5);
      t.equal(r.metadata?.plain, 'a, b');
    });

    t.test('generate_presigned_url GET, fetched with curl (a response override signed as a sub-resource)', async (t) => {
      const plain = await boto('presign', { Bucket: BUCKET, Key: key });
      t.match(plain.url, /AWSAccessKeyId=.*Signature=.*Expires=|Expires=.*Signature=/);
      const out = join(w.tmp, 'boto-presigned.out');
      const got = await http(['-w', '%{http_code}', '-o', out, plain.url!]);
      t.equal(got.stdout, '200', got.stderr);
      t.equal(md5(readFileSync(out)), file.md5);
      const disposition = 'attachment; filename="report 1.bin"';
      const override = await boto('presign', { Bucket: BUCKET, Key: key, ResponseContentDisposition: disposition });
      const headersOut = join(w.tmp, 'boto-presigned.headers');
      const withOverride = await http(['-w', '%{http_code}', '-D', headersOut, '-o', '/dev/null', override.url!]);
      t.equal(withOverride.stdout, '200', withOverride.stderr);
      t.match(readFileSync(headersOut, 'utf8'), /content-disposition: attachment; filename="report 1\.bin"/i, 'the override reached the source');
      const tampered = override.url!.replace('report%201', 'report%202');
      const refused = await http(['-w', '\n%{http_code}', tampered]);
      const [body, status] = refused.stdout.split(/\n(?=\d+$)/);
      t.equal(status, '403', 'the override is part of the signature');
      t.equal(errorCode(body!), 'SignatureDoesNotMatch');
    });

    t.test('delete_object removes at the source', async (t) => {
      const r = await boto('delete', { Bucket: BUCKET, Key: key });
      t.equal(r.error, undefined);
      t.same(r.schemes, ['AWS']);
      t.equal(await w.stored(key), null);
      t.same(w.journalRows(key).map((row) => row.operation), ['PutObject', 'DeleteObject']);
    });

    t.test('a wrong secret gets 403 SignatureDoesNotMatch and nothing reaches the source', async (t) => {
      const wrong = boto3V2(w.endpoint, home, 'not-the-secret-at-all');
      const refusedKey = 'boto-v2/refused.bin';
      const r = await wrong('put', { Bucket: BUCKET, Key: refusedKey, File: file.path, Metadata: { city } });
      t.same(r, { error: 'SignatureDoesNotMatch', status: 403, schemes: ['AWS'] });
      t.equal(await w.stored(refusedKey), null, 'absent at the source');
      t.same(w.journalRows(refusedKey), [], 'not journaled');
      const get = await wrong('get', { Bucket: BUCKET, Key: key });
      t.same(get, { error: 'SignatureDoesNotMatch', status: 403, schemes: ['AWS'] });
      await t.rejects(w.direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: refusedKey })));
    });
  });
});
