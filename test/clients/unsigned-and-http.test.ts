// Requests S3 serves that carry no signature (public objects, --no-sign-request, CORS preflights), request ids on
// every answer, malformed HTTP answered rather than dropped, and UTF-8 metadata as botocore sends it.
import t from 'tap';
import { journalDb } from '../helpers/journal-sql.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CLIENT_KEY, CLIENT_SECRET, rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { storedObject } from '../helpers/objects.js';
import { awsCli } from '../helpers/clients-cli.js';
import { errorCode, sendRaw, sign } from '../helpers/clients-raw.js';

const RULE = { id: 'pub', source: 'pub', target: { region: 'cn-sh', bucket: 'pub-replica' }, enabled: true };
const run = promisify(execFile);

async function world(t: Tap.Test, extra: Record<string, unknown> = {}) {
  const regions = await startRegions({ source: ['pub'], target: ['pub-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], ...extra });
  (raw.regions as Record<string, { endpoint: string }>)['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  const tmp = mkdtempSync(join(tmpdir(), 'ferry-unsigned-'));
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); rmSync(tmp, { recursive: true, force: true }); });
  const rows = (key: string) => journalDb(ferry.journal).prepare('SELECT access_key_id, state FROM changes WHERE key = ? ORDER BY seq').all(key) as
    Array<{ access_key_id: string; state: string }>;
  return { regions, proxy, ferry, tmp, rows, port: ferry.address!.port };
}

t.test('requests without a signature are forwarded unsigned and journaled as anonymous', async (t) => {
  const w = await world(t);
  const s3 = sdkClient(w.ferry.endpoint);
  await s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'public/hello.txt', Body: 'hello, world', ACL: 'public-read' }));

  const cli = awsCli(w.ferry.endpoint, join(w.tmp, 'aws'));
  const before = w.proxy.headers.length;
  const got = await cli(['s3', 'cp', '--no-sign-request', 's3://pub/public/hello.txt', '-']);
  t.equal(got.code, 0, got.stderr);
  t.equal(got.stdout, 'hello, world', 'aws --no-sign-request reads the object through Ferry');
  // The shipper reads the source through the same proxy; the CLI's requests are the ones to look at.
  const seen = w.proxy.headers.slice(before).filter((h) => /aws-cli/.test(String(h['user-agent'])));
  t.ok(seen.length > 0, 'it was forwarded');
  t.ok(seen.every((h) => h.authorization === undefined && h['x-amz-date'] === undefined), 'unsigned, as the client sent it');

  // A public-read-write bucket takes anonymous writes: the change is journaled under the principal `anonymous`.
  const put = await fetch(`${w.ferry.endpoint}/pub/anon/${encodeURIComponent("it's anonymous.txt")}`, { method: 'PUT', body: 'from nobody' });
  t.equal(put.status, 200);
  t.ok(put.headers.get('x-amz-request-id'), 'the answer carries a request id');
  t.ok(put.headers.get('x-amz-id-2'), 'and an x-amz-id-2');
  await waitFor(() => w.rows("anon/it's anonymous.txt").some((r) => r.state === 'shipped'), 20_000, 'the anonymous change to ship');
  t.same(w.rows("anon/it's anonymous.txt").map((r) => r.access_key_id), ['anonymous']);
  t.equal((await storedObject(regionClient(w.regions.target), 'pub-replica', "anon/it's anonymous.txt"))?.size, 11, 'replicated');

  // A request that tries to authenticate is never treated as anonymous: a bad signature is refused, not forwarded.
  const forwarded = w.proxy.forwarded;
  const bad = await fetch(`${w.ferry.endpoint}/pub/public/hello.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${CLIENT_KEY}%2F20260101%2Fcn-bj%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`);
  t.equal(bad.status, 403);
  t.equal(w.proxy.forwarded, forwarded, 'not forwarded');
  s3.destroy();
});

t.test('CORS preflights pass through to the source', async (t) => {
  const w = await world(t, { anonymous: 'refuse' });
  const s3 = sdkClient(w.ferry.endpoint);
  await s3.send(new PutBucketCorsCommand({ Bucket: 'pub', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'],
    AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 600 }] } }));
  const pre = await fetch(`${w.ferry.endpoint}/pub/photo.jpg`, { method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
  t.equal(pre.status, 200, 'the source answers the preflight');
  // NOTE: s3rver allows `*` where S3 echoes the origin; either way it is the source's answer, passed through.
  t.match(pre.headers.get('access-control-allow-origin'), /^(https:\/\/app\.example|\*)$/, "with the bucket's CORS rule");
  t.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
  t.equal(w.proxy.headers.at(-1)?.authorization, undefined, 'forwarded unsigned');

  // With `anonymous: refuse`, other unsigned requests are refused before the source sees them.
  const forwarded = w.proxy.forwarded;
  const refused = await fetch(`${w.ferry.endpoint}/pub/photo.jpg`);
  t.equal(refused.status, 403);
  t.equal(errorCode(await refused.text()), 'AccessDenied');
  t.ok(refused.headers.get('x-amz-request-id') && refused.headers.get('x-amz-id-2'), "Ferry's own answer names its request id");
  t.equal(w.proxy.forwarded, forwarded, 'not forwarded');
  s3.destroy();
});

t.test('malformed HTTP gets 400 Bad Request, and the gateway keeps serving', async (t) => {
  const w = await world(t);
  for (const length of ['', '-1', 'abc', '1, 2']) {
    const answer = await sendRaw(w.port, { method: 'PUT', path: '/pub/framing', headers: { 'content-length': length }, body: Buffer.from('x') });
    t.equal(answer?.status, 400, `Content-Length "${length}" is answered 400`);
    t.equal(answer?.code, 'BadRequest', 'with an S3 error document');
  }
  t.equal(w.proxy.forwarded, 0, 'none of them was forwarded');
  t.equal(journalDb(w.ferry.journal).prepare('SELECT count(*) AS n FROM changes').pluck().get(), 0, 'nor journaled');
  const ok = await fetch(`${w.ferry.endpoint}/pub/`);
  t.equal(ok.status, 200, 'the gateway still serves');
});

t.test('UTF-8 metadata, signed over the bytes as sent, verifies and is stored byte for byte', async (t) => {
  const w = await world(t);
  // As botocore and other clients send it: the header value's UTF-8 bytes on the wire, signed over those bytes.
  const value = 'Zürich ☃';
  const req = sign(w.port, { method: 'PUT', path: '/pub/utf8-meta.txt', headers: { 'content-length': '5', 'x-amz-meta-city': value },
    body: Buffer.from('hello') }, 'UNSIGNED-PAYLOAD');
  const answer = await sendRaw(w.port, req);
  t.equal(answer?.status, 200, `verified and forwarded: ${answer?.body.slice(0, 200)}`);
  const src = regionClient(w.regions.source);
  const stored = await storedObject(src, 'pub', 'utf8-meta.txt');
  t.equal(Buffer.from(stored?.metadata.city ?? '', 'latin1').toString('utf8'), value, 'the source holds the UTF-8 bytes that were sent');
  const dst = regionClient(w.regions.target);
  await waitFor(async () => (await storedObject(dst, 'pub-replica', 'utf8-meta.txt')) !== null, 20_000, 'replication');
  t.same((await storedObject(dst, 'pub-replica', 'utf8-meta.txt'))?.metadata, stored?.metadata, 'the target holds the same bytes');
  const tampered = sign(w.port, { method: 'PUT', path: '/pub/utf8-meta-2.txt', headers: { 'content-length': '5', 'x-amz-meta-city': value },
    body: Buffer.from('hello') }, 'UNSIGNED-PAYLOAD');
  tampered.headers['x-amz-meta-city'] = 'Zürich ☂';
  t.equal((await sendRaw(w.port, tampered))?.code, 'SignatureDoesNotMatch', 'a changed byte still fails');
});

t.test('boto3: multi-delete of quoted keys', async (t) => {
  const w = await world(t);
  const script = join(w.tmp, 'client.py');
  writeFileSync(script, `
import sys, json, boto3
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='${CLIENT_KEY}', aws_secret_access_key='${CLIENT_SECRET}',
    region_name='cn-bj', config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
keys = ["it's.txt", 'say "hi".txt', 'a&b<c>.txt', 'tab\there.txt']
for k in keys:
    s3.put_object(Bucket='pub', Key=k, Body=k.encode(), Metadata={'plain': 'ascii'})
deleted = s3.delete_objects(Bucket='pub', Delete={'Objects': [{'Key': k} for k in keys[1:]]})
print(json.dumps({'deleted': sorted(d['Key'] for d in deleted.get('Deleted', []))}))
`);
  const out = await run('/usr/bin/python3', [script, w.ferry.endpoint], { env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null' } });
  const result = JSON.parse(out.stdout) as { deleted: string[] };
  t.same(result.deleted, ['a&b<c>.txt', 'say "hi".txt', 'tab\there.txt'].sort(), 'boto3 reads back the keys it deleted');
  const dst = regionClient(w.regions.target);
  await waitFor(async () => (await storedObject(dst, 'pub-replica', "it's.txt")) !== null
    && (await storedObject(dst, 'pub-replica', 'say "hi".txt')) === null, 20_000, 'replication');
  for (const k of ['say "hi".txt', 'a&b<c>.txt', 'tab\there.txt']) {
    t.equal(await storedObject(dst, 'pub-replica', k), null, `${JSON.stringify(k)} deleted in the target`);
    t.same(w.rows(k).map((r) => r.state), ['shipped', 'shipped'], `${JSON.stringify(k)}: put and delete journaled and shipped`);
  }
});
