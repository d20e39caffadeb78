// Security: no change escapes the journal. Requests built to reach the source as something Ferry does not journal
// (a POST that is no recognised form, an unknown sub-resource or method, retention and legal holds, paths and keys
// that a path-normalising backend reads as another bucket) are refused and never forwarded, or journaled; whatever
// the source stored has its journal row. A credential limited to some buckets lists only those, and may use no
// `.` or `..` key segment.
import t from 'tap';
import { createHash } from 'node:crypto';
import { CopyObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CLIENT_KEY, CLIENT_SECRET, rawConfig, regionClient, sdkClient, startRegions, startTestFerry } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { sign, type RawRequest, type Signer } from '../helpers/clients-raw.js';
import { sendRaw, wire } from '../helpers/faults-requests.js';
import { RULE, withJournal } from '../helpers/faults-world.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
// On a raw socket: an HTTP client library would resolve the `.` and `..` segments these requests are made of.
const send = (port: number, req: RawRequest) => sendRaw(port, wire(port, req), 5_000);
const SCOPED = { accessKeyId: 'SCOPEDKEY', secretAccessKey: 'scoped-secret-for-the-bypass-test' };
const scopedSigner: Signer = { accessKeyId: SCOPED.accessKeyId, secret: SCOPED.secretAccessKey };

/** A multipart/form-data body with a `key` field and a file, as a browser form sends (no policy, no signature). */
function form(key: string, contentType = 'multipart/form-data; boundary=XyZ'): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\n${key}\r\n` +
    '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\n' +
    `bytes for ${key}\r\n--XyZ--\r\n`);
  return { body, headers: { 'content-type': contentType, 'content-length': String(body.length) } };
}

interface Attempt {
  name: string;
  /** The bucket and key the source would store or remove if the request got through. */
  lands: [string, string];
  build(port: number): RawRequest;
  /** The refusal expected; undefined: handled, provided what it stored is journaled. */
  code?: string;
}

function signedForm(port: number, path: string, key: string, contentType?: string, s: Signer = {}): RawRequest {
  const f = form(key, contentType);
  return sign(port, { method: 'POST', path, headers: f.headers, body: f.body }, sha256(f.body), s);
}

const deleteBody = (keys: string[]) => Buffer.from(`<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`);
function multiDelete(port: number, bucket: string, keys: string[], s: Signer = {}): RawRequest {
  const body = deleteBody(keys);
  const md5 = createHash('md5').update(body).digest('base64');
  return sign(port, { method: 'POST', path: `/${bucket}?delete`, headers: { 'content-md5': md5, 'content-length': String(body.length) }, body },
    sha256(body), s);
}
const put = (port: number, path: string, s: Signer = {}, method = 'PUT'): RawRequest =>
  sign(port, { method, path, headers: { 'content-length': '5' }, body: Buffer.from('bytes') }, sha256('bytes'), s);

const ATTEMPTS: Attempt[] = [
  { name: 'header-signed POST /photos with a form', lands: ['photos', 'form-header-signed.txt'],
    build: (p) => signedForm(p, '/photos', 'form-header-signed.txt') },
  { name: 'POST /photos?x-id=PostObject with a form', lands: ['photos', 'form-x-id.txt'], code: 'NotImplemented',
    build: (p) => signedForm(p, '/photos?x-id=PostObject', 'form-x-id.txt') },
  { name: 'POST /photos?anything with a form', lands: ['photos', 'form-query.txt'], code: 'NotImplemented',
    build: (p) => signedForm(p, '/photos?anything', 'form-query.txt') },
  { name: 'POST /photos?DELETE (no such sub-resource) with a form', lands: ['photos', 'form-upper.txt'], code: 'NotImplemented',
    build: (p) => signedForm(p, '/photos?DELETE', 'form-upper.txt') },
  { name: 'POST /photos with a form under a content type the parser takes', lands: ['photos', 'form-comma.txt'], code: 'NotImplemented',
    build: (p) => signedForm(p, '/photos', 'form-comma.txt', 'multipart/form-data,boundary=XyZ') },
  { name: 'POST /photos with no content type', lands: ['photos', 'form-untyped.txt'], code: 'NotImplemented',
    build: (p) => {
      // No content type at all: s3rver still takes such a POST as a form upload.
      const f = form('form-untyped.txt');
      return sign(p, { method: 'POST', path: '/photos', headers: { 'content-length': f.headers['content-length']! }, body: f.body }, sha256(f.body));
    } },
  { name: 'POST /photos/key with a form', lands: ['photos', 'form-object.txt'], code: 'NotImplemented',
    build: (p) => signedForm(p, '/photos/form-object.txt', 'form-object.txt') },
  { name: 'PUT /photos/key?bogus (unknown sub-resource)', lands: ['photos', 'bogus.txt'], code: 'NotImplemented',
    build: (p) => put(p, '/photos/bogus.txt?bogus') },
  { name: 'PUT /photos/key?retention', lands: ['photos', 'retained.txt'], code: 'NotImplemented',
    build: (p) => put(p, '/photos/retained.txt?retention') },
  { name: 'PUT /photos/key?legal-hold', lands: ['photos', 'held.txt'], code: 'NotImplemented',
    build: (p) => put(p, '/photos/held.txt?legal-hold') },
  { name: 'PATCH /photos/key', lands: ['photos', 'patched.txt'], code: 'NotImplemented',
    build: (p) => put(p, '/photos/patched.txt', {}, 'PATCH') },
  { name: 'PUT //photos/key (empty bucket segment)', lands: ['photos', 'slashes.txt'], code: 'InvalidURI',
    build: (p) => put(p, '//photos/slashes.txt') },
  { name: 'PUT /../photos/key (dot bucket segment)', lands: ['photos', 'dots.txt'], code: 'InvalidURI',
    build: (p) => put(p, '/%2E%2E/photos/dots.txt') },
  { name: 'PUT /other/..%2Fphotos/key (a key that climbs into the replicated bucket)', lands: ['photos', 'climbed.txt'], code: 'InvalidArgument',
    build: (p) => put(p, '/other/..%2Fphotos%2Fclimbed.txt') },
  { name: 'DeleteObjects on /other of ../photos/victim.txt', lands: ['photos', 'victim.txt'], code: 'InvalidArgument',
    build: (p) => multiDelete(p, 'other', ['../photos/victim.txt']) },
];

t.test('no change reaches the source without its journal row', async (t) => {
  const regions = await startRegions({ source: ['photos', 'other', 'private'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], shipper: { enabled: false },
    clients: [{ accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }, { ...SCOPED, buckets: ['photos'] }] }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  const direct = regionClient(regions.source);
  const journaled = (key: string) => withJournal(raw.journal.path, (db) =>
    (db.prepare('SELECT count(*) AS n FROM changes WHERE key = ?').get(key) as { n: number }).n);

  let refused = 0;
  let escaped = 0;
  for (const a of ATTEMPTS) {
    await direct.send(new PutObjectCommand({ Bucket: 'photos', Key: 'victim.txt', Body: 'the victim' }));
    const before = proxy.forwarded;
    const reply = await send(port, a.build(port));
    const forwarded = proxy.forwarded - before;
    const [bucket, key] = a.lands;
    const stored = await storedObject(direct, bucket, key);
    const changed = a.name.startsWith('DeleteObjects') ? stored === null : stored !== null;
    if (a.code !== undefined) {
      t.same({ status: (reply.status ?? 0) >= 400, code: reply.code }, { status: true, code: a.code }, `${a.name}: refused with ${a.code}`);
      t.equal(forwarded, 0, `${a.name}: not forwarded`);
      refused++;
    }
    if (changed && journaled(key) === 0) escaped++;
    t.ok(!changed || journaled(key) > 0, `${a.name}: ${changed ? 'what the source stored is journaled' : 'the source is unchanged'}`);
  }
  t.equal(escaped, 0, 'no change escaped the journal');

  // A bucket no rule covers stays transparent: what Ferry does not know goes to the source for it to judge.
  const before = proxy.forwarded;
  await send(port, put(port, '/other/plain.txt?bogus'));
  t.equal(proxy.forwarded - before, 1, 'an unknown sub-resource on a bucket no rule covers is forwarded');
  t.comment(`FIGURES bypass: attempts=${ATTEMPTS.length} refused=${refused} escaped=${escaped}`);
});

t.test('a credential limited to some buckets', async (t) => {
  const regions = await startRegions({ source: ['photos', 'private', 'zeta'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE], shipper: { enabled: false },
    clients: [{ accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET }, { ...SCOPED, buckets: ['photos'] }] }) as
    { regions: Record<string, { endpoint: string }> };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  const direct = regionClient(regions.source);
  await direct.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.txt', Body: 'not for the scoped client' }));

  const names = async (creds?: typeof SCOPED) => ((await sdkClient(ferry.endpoint, creds).send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name).sort();
  t.same(await names(SCOPED), ['photos'], 'ListBuckets lists only the buckets of the scoped credential');
  t.same(await names(), ['photos', 'private', 'zeta'], 'an unscoped credential lists every bucket');

  const dotted: Array<[string, RawRequest]> = [
    ['PUT photos/a/../x', put(port, '/photos/a/../x.txt', scopedSigner)],
    ['PUT photos/./x', put(port, '/photos/./x.txt', scopedSigner)],
    ['PUT photos/..%2Fprivate%2Fsecret.txt', put(port, '/photos/..%2Fprivate%2Fsecret.txt', scopedSigner)],
    ['PUT photos/a%2F..%2F..%2Fprivate%2Fsecret.txt', put(port, '/photos/a%2F..%2F..%2Fprivate%2Fsecret.txt', scopedSigner)],
    ['DeleteObjects photos of a/../b', multiDelete(port, 'photos', ['a/../b.txt'], scopedSigner)],
    ['a form to photos with key ../private/secret.txt', signedForm(port, '/photos', '../private/secret.txt', undefined, scopedSigner)],
  ];
  for (const [name, req] of dotted) {
    const before = proxy.forwarded;
    const reply = await send(port, req);
    t.ok(reply.code === 'AccessDenied' || reply.code === 'InvalidArgument', `${name}: refused (${reply.code})`);
    t.equal(proxy.forwarded, before, `${name}: not forwarded`);
  }
  const before = proxy.forwarded;
  const copy = await sdkClient(ferry.endpoint, SCOPED).send(new CopyObjectCommand({ Bucket: 'photos', Key: 'stolen.txt',
    CopySource: 'photos/..%2Fprivate%2Fsecret.txt' })).then(() => 200, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  t.ok(copy === 403 || copy === 400, `a copy source with dot segments: refused (${copy})`);
  t.equal(proxy.forwarded, before, 'and not forwarded');
  t.equal((await storedObject(direct, 'private', 'secret.txt'))?.size, 'not for the scoped client'.length, 'the other bucket is untouched');
  t.equal(await storedObject(direct, 'photos', 'stolen.txt'), null, 'nothing was copied out of it');
});
