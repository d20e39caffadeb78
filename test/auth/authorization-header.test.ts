// Authorization header forms real clients send, and malformed ones (fixtures/auth/authorization-headers.json).
import { readFileSync } from 'node:fs';
import aws4 from 'aws4';
import t from 'tap';
import { authenticate } from '../../src/auth/authenticate.js';
import { parseAuthorizationHeader } from '../../src/auth/parse-authorization-header.js';
import { S3Error } from '../../src/errors/s3-error.js';
import { EMPTY_SHA256 } from '../../src/auth/constants.js';
import { awsExamples, lookupExample } from './helpers/auth-fixtures.js';
import { CREDENTIAL, HOST, REGION, lookup } from './helpers/signers.js';

const { cases }: { cases: Array<{ name: string; header: string; code: string | null }> } = JSON.parse(
  readFileSync(new URL('../../fixtures/auth/authorization-headers.json', import.meta.url), 'utf8'),
);
const ex = awsExamples.header[0];
const now = new Date(awsExamples.now);
const fill = (h: string) => h
  .replaceAll('{CRED}', `${awsExamples.accessKeyId}/${awsExamples.scope}`)
  .replaceAll('{SH}', ex.signedHeaders)
  .replaceAll('{SIG_UPPER}', ex.signature.toUpperCase())
  .replaceAll('{SIG}', ex.signature);

for (const c of cases) {
  t.test(c.name, async (t) => {
    const headers = { ...ex.headers, authorization: fill(c.header) };
    const run = () => authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers }, lookupExample, now);
    if (c.code === null) {
      t.equal(run().accessKeyId, awsExamples.accessKeyId);
      t.equal(run().seedSignature, ex.signature, 'seed signature normalised to lower case');
      return;
    }
    t.throws(run, { code: c.code });
    try {
      run();
    } catch (err) {
      t.ok(err instanceof S3Error);
      t.notMatch((err as Error).message + JSON.stringify((err as S3Error).detail), awsExamples.secretAccessKey, 'no secret in the error');
    }
  });
}

t.test('which mechanism', async (t) => {
  const base = { method: 'GET', rawPath: '/test.txt', rawQuery: '', headers: { host: 'examplebucket.s3.amazonaws.com' } };
  t.throws(() => authenticate(base, lookupExample, now), { code: 'AccessDenied' }, 'no authentication at all');
  t.throws(() => authenticate({ ...base, headers: { ...base.headers, authorization: '  ' } }, lookupExample, now),
    { code: 'AccessDenied' }, 'an empty Authorization header is none');
  t.throws(() => authenticate({ ...base, rawQuery: 'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369353600&Signature=abc' },
    lookupExample, now), { code: 'SignatureDoesNotMatch' }, 'SigV2 presigned URL');
  const both = { ...awsExamples.presigned, headers: { ...ex.headers, authorization: fill(cases[0].header) } };
  t.throws(() => authenticate(both, lookupExample, now), { code: 'InvalidArgument', message: /Only one auth mechanism allowed/ },
    'header and query authentication together');
});

t.test('request date', async (t) => {
  const run = (headers: Record<string, string>) =>
    authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: '', headers: { ...headers, authorization: fill(cases[0].header) } }, lookupExample, now);
  const { 'x-amz-date': _omitted, ...withoutDate } = ex.headers;
  t.throws(() => run(withoutDate), { code: 'AccessDenied', message: /valid Date or x-amz-date/ }, 'no date at all');
  t.throws(() => run({ ...ex.headers, 'x-amz-date': '2013-05-24T00:00:00Z' }), { code: 'AccessDenied' }, 'x-amz-date in the wrong form');
  t.throws(() => run({ ...ex.headers, 'x-amz-date': '20130532T000000Z' }), { code: 'AccessDenied' }, 'a day that does not exist');
  t.throws(() => run({ ...ex.headers, 'x-amz-content-sha256': 'not-a-hash' }), { code: 'InvalidArgument' }, 'bad x-amz-content-sha256');
  const { 'x-amz-content-sha256': _sha, ...withoutSha } = ex.headers;
  t.throws(() => run(withoutSha), { code: 'InvalidRequest', message: /x-amz-content-sha256/ }, 'x-amz-content-sha256 is required');
  t.throws(() => authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: '', headers: { ...ex.headers, authorization: fill(cases[0].header) } },
    lookupExample, new Date(now.getTime() + 15 * 60_000 + 1000)), { code: 'RequestTimeTooSkewed' });
});

t.test('a Date header in HTTP form stands in for x-amz-date', async (t) => {
  const signed = aws4.sign({
    host: HOST, method: 'GET', path: '/bucket/key', service: 's3', region: REGION, doNotModifyHeaders: true,
    headers: { Date: 'Tue, 05 Mar 2024 06:07:08 GMT', 'X-Amz-Content-Sha256': EMPTY_SHA256 },
  }, CREDENTIAL);
  const headers = Object.fromEntries(Object.entries(signed.headers!).map(([k, v]) => [k.toLowerCase(), String(v)]));
  t.match(headers.authorization, /SignedHeaders=date;host;x-amz-content-sha256,/);
  const auth = authenticate({ method: 'GET', rawPath: '/bucket/key', rawQuery: '', headers }, lookup, new Date('2024-03-05T06:10:00Z'));
  t.equal(auth.amzDate, '20240305T060708Z');
  t.throws(() => authenticate({ method: 'GET', rawPath: '/bucket/key', rawQuery: '', headers: { ...headers, date: 'Tue, 05 Mar 2024 06:07:09 GMT' } },
    lookup, new Date('2024-03-05T06:10:00Z')), { code: 'SignatureDoesNotMatch' });
  t.throws(() => authenticate({ method: 'GET', rawPath: '/bucket/key', rawQuery: '', headers: { ...headers, date: 'yesterday' } },
    lookup, new Date('2024-03-05T06:10:00Z')), { code: 'AccessDenied' });
});

t.test('the usual form and the others parse alike; a malformed part is refused each time, never kept', async (t) => {
  const cred = `${awsExamples.accessKeyId}/${awsExamples.scope}`;
  const usual = `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=${ex.signedHeaders}, Signature=${ex.signature}`;
  const expected = parseAuthorizationHeader(usual);
  t.same(expected.signedHeaders, ex.signedHeaders.split(';'));
  t.equal(expected.signature, ex.signature);
  for (const other of [
    `AWS4-HMAC-SHA256 Credential=${cred},SignedHeaders=${ex.signedHeaders},Signature=${ex.signature}`,
    `AWS4-HMAC-SHA256 Signature=${ex.signature}, Credential=${cred}, SignedHeaders=${ex.signedHeaders}`,
    `AWS4-HMAC-SHA256  Credential=${cred} ,\tSignedHeaders=${ex.signedHeaders}  Signature=${ex.signature}`,
  ]) t.same(parseAuthorizationHeader(other), expected, JSON.stringify(other));
  t.same(parseAuthorizationHeader(usual), expected, 'a second time, from what was kept');
  const otherSignature = parseAuthorizationHeader(usual.replace(ex.signature, 'f'.repeat(64)));
  t.equal(otherSignature.signature, 'f'.repeat(64), 'the signature is never taken from what was kept');
  for (let i = 0; i < 3; i++) {
    t.throws(() => parseAuthorizationHeader(usual.replace('/s3/', '/ec2/')), { code: 'AuthorizationHeaderMalformed', message: /incorrect service/ });
    t.throws(() => parseAuthorizationHeader(usual.replace(ex.signedHeaders, `${ex.signedHeaders};bad@name`)), { code: 'AuthorizationHeaderMalformed', message: /SignedHeaders/ });
  }
});
