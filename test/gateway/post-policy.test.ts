import t from 'tap';
import { createHmac } from 'node:crypto';
import { S3Error } from '../../src/errors/s3-error.js';
import type { ClientCredential } from '../../src/config/types.js';
import type { FormField } from '../../src/gateway/post-object/form-fields.js';
import { checkFileSize } from '../../src/gateway/post-object/post-conditions.js';
import { verifyPostForm } from '../../src/gateway/post-object/verify-post-form.js';
import { putHeaders, taggingHeader } from '../../src/gateway/post-object/put-headers.js';
import { postAnswer } from '../../src/gateway/post-object/post-answer.js';
import { deriveSigningKey } from '../../src/auth/signing-key.js';

// A table of POST forms, good and bad side by side, through the pure verifier. Forms are signed here the way
// boto3 and @aws-sdk/s3-presigned-post sign them; AWS's own published example checks the signing itself.

const KEY = 'POSTTESTKEY';
const SECRET = 'post-test-secret-0000000000000000000000';
const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = '20260301';
const CREDENTIAL = `${KEY}/${DAY}/cn-bj/s3/aws4_request`;
const clients = new Map<string, ClientCredential>([
  [KEY, { accessKeyId: KEY, secretAccessKey: SECRET }],
  ['SCOPED', { accessKeyId: 'SCOPED', secretAccessKey: SECRET, buckets: ['other'] }],
]);
const lookup = (id: string) => clients.get(id);

const b64 = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64');
const sigV4 = (policy: string, secret = SECRET, day = DAY) =>
  createHmac('sha256', deriveSigningKey(secret, day, 'cn-bj', 's3')).update(policy).digest('hex');
const sigV2 = (policy: string, secret = SECRET) => createHmac('sha1', secret).update(policy).digest('base64');

/** The conditions every SigV4 form needs for its own signing fields. */
const signing = (credential: string) =>
  [{ 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': `${DAY}T115500Z` }];

interface FormOptions {
  expiration?: string;
  /** Sign with another secret (a wrong signature). */
  secret?: string;
  version?: 2 | 4;
  accessKeyId?: string;
  /** The policy field as sent, instead of the base64 of `conditions`. */
  rawPolicy?: string;
  drop?: string[];
}

/** A signed form: `fields` (before the signing fields) and a policy made of `conditions`. */
function form(conditions: unknown[], fields: FormField[], o: FormOptions = {}): FormField[] {
  const version = o.version ?? 4;
  const credential = o.accessKeyId ? CREDENTIAL.replace(KEY, o.accessKeyId) : CREDENTIAL;
  const doc = { expiration: o.expiration ?? '2026-03-01T13:00:00Z',
    conditions: version === 4 ? [...conditions, ...signing(credential)] : conditions };
  const policy = o.rawPolicy ?? b64(doc);
  const out: FormField[] = [...fields];
  if (version === 4) {
    out.push(['x-amz-algorithm', 'AWS4-HMAC-SHA256'], ['x-amz-credential', credential], ['x-amz-date', `${DAY}T115500Z`],
      ['policy', policy], ['x-amz-signature', sigV4(policy, o.secret)]);
  } else {
    out.push(['AWSAccessKeyId', o.accessKeyId ?? KEY], ['policy', policy], ['signature', sigV2(policy, o.secret)]);
  }
  return out.filter(([name]) => !(o.drop ?? []).includes(name));
}

interface Case {
  name: string;
  fields: FormField[];
  filename?: string;
  bucket?: string;
  /** The refusal: code, and a pattern its message matches. */
  refused?: [string, RegExp];
  key?: string;
  /** The gateway's `anonymous` setting. */
  anonymous?: 'forward' | 'refuse';
}

const BASE: FormField[] = [['key', 'uploads/a.jpg'], ['Content-Type', 'image/jpeg']];
const BASE_CONDITIONS = [{ bucket: 'photos' }, ['starts-with', '$key', 'uploads/'], { 'content-type': 'image/jpeg' }];

const cases: Case[] = [
  { name: 'a form that meets its policy (SigV4)', fields: form(BASE_CONDITIONS, BASE), key: 'uploads/a.jpg' },
  { name: 'a form that meets its policy (SigV2)', fields: form(BASE_CONDITIONS, BASE, { version: 2 }), key: 'uploads/a.jpg' },
  { name: 'field names and condition names compare without case',
    fields: form([{ BUCKET: 'photos' }, ['StArTs-WiTh', '$KeY', 'uploads/'], ['eq', '$CONTENT-TYPE', 'image/jpeg']],
      [['KEY', 'uploads/b.jpg'], ['content-TYPE', 'image/jpeg']]), key: 'uploads/b.jpg' },
  { name: '${filename} is expanded before matching, from the last path segment',
    fields: form([{ bucket: 'photos' }, ['starts-with', '$key', 'user/']], [['key', 'user/${filename}']]),
    filename: 'C:\\Users\\me\\cat.png', key: 'user/cat.png' },
  { name: 'x-ignore-* fields need no condition',
    fields: form(BASE_CONDITIONS, [...BASE, ['x-ignore-submit', 'Upload']]), key: 'uploads/a.jpg' },
  { name: 'starts-with on x-amz-meta-*, and "" matching anything',
    fields: form([{ bucket: 'photos' }, { key: 'k' }, ['starts-with', '$x-amz-meta-who', 'te'], ['starts-with', '$x-amz-meta-any', '']],
      [['key', 'k'], ['x-amz-meta-who', 'tester'], ['x-amz-meta-any', 'whatever']]), key: 'k' },
  { name: 'starts-with on Content-Type holds for every type of a comma list',
    fields: form([{ bucket: 'photos' }, { key: 'k' }, ['starts-with', '$Content-Type', 'image/']],
      [['key', 'k'], ['Content-Type', 'image/png,image/gif']]), key: 'k' },
  { name: 'one type of the list outside the prefix fails',
    fields: form([{ bucket: 'photos' }, { key: 'k' }, ['starts-with', '$Content-Type', 'image/']],
      [['key', 'k'], ['Content-Type', 'image/png,text/html']]),
    refused: ['AccessDenied', /^Invalid according to Policy: Policy Condition failed: \["starts-with", "\$Content-Type", "image\/"\]$/] },
  { name: 'an exact match that differs (object form, printed as eq)',
    fields: form([{ bucket: 'photos' }, { key: 'other.jpg' }], [['key', 'uploads/a.jpg']]),
    refused: ['AccessDenied', /Policy Condition failed: \["eq", "\$key", "other.jpg"\]$/] },
  { name: 'an exact match that differs only in case (values compare with case)',
    fields: form([{ bucket: 'photos' }, ['eq', '$key', 'Uploads/A.jpg']], [['key', 'uploads/a.jpg']]),
    refused: ['AccessDenied', /Policy Condition failed: \["eq", "\$key", "Uploads\/A.jpg"\]/] },
  { name: 'a key outside starts-with',
    fields: form(BASE_CONDITIONS, [['key', 'elsewhere/a.jpg'], ['Content-Type', 'image/jpeg']]),
    refused: ['AccessDenied', /Policy Condition failed: \["starts-with", "\$key", "uploads\/"\]/] },
  { name: 'a condition naming a field without its $ never holds',
    fields: form([{ bucket: 'photos' }, ['eq', 'key', 'k']], [['key', 'k']]),
    refused: ['AccessDenied', /Policy Condition failed: \["eq", "key", "k"\]/] },
  { name: 'a condition on a field the form lacks fails, even starts-with ""',
    fields: form([{ bucket: 'photos' }, { key: 'k' }, ['starts-with', '$x-amz-meta-tag', '']], [['key', 'k']]),
    refused: ['AccessDenied', /Policy Condition failed: \["starts-with", "\$x-amz-meta-tag", ""\]/] },
  { name: 'the bucket condition is checked against the bucket posted to, not a bucket field',
    fields: form([{ bucket: 'photos' }, { key: 'k' }], [['key', 'k'], ['bucket', 'photos']]), bucket: 'elsewhere',
    refused: ['AccessDenied', /Policy Condition failed: \["eq", "\$bucket", "photos"\]/] },
  { name: 'a field no condition covers',
    fields: form(BASE_CONDITIONS, [...BASE, ['x-amz-meta-extra', '1'], ['Cache-Control', 'no-cache']]),
    refused: ['AccessDenied', /^Invalid according to Policy: Extra input fields: x-amz-meta-extra, Cache-Control$/] },
  { name: 'a SigV4 form must cover its own signing fields',
    fields: (() => {
      const policy = b64({ expiration: '2026-03-01T13:00:00Z', conditions: [{ bucket: 'photos' }, { key: 'k' }] });
      return [['key', 'k'], ['x-amz-algorithm', 'AWS4-HMAC-SHA256'], ['x-amz-credential', CREDENTIAL], ['x-amz-date', `${DAY}T115500Z`],
        ['policy', policy], ['x-amz-signature', sigV4(policy)]] as FormField[];
    })(),
    refused: ['AccessDenied', /Extra input fields: x-amz-algorithm, x-amz-credential, x-amz-date$/] },
  { name: 'an expired policy', fields: form(BASE_CONDITIONS, BASE, { expiration: '2026-03-01T11:59:59Z' }),
    refused: ['AccessDenied', /^Invalid according to Policy: Policy expired\.$/] },
  { name: 'a wrong secret (SigV4)', fields: form(BASE_CONDITIONS, BASE, { secret: 'not-the-secret' }),
    refused: ['SignatureDoesNotMatch', /signature we calculated does not match/] },
  { name: 'a wrong secret (SigV2)', fields: form(BASE_CONDITIONS, BASE, { version: 2, secret: 'not-the-secret' }),
    refused: ['SignatureDoesNotMatch', /does not match/] },
  { name: 'a policy changed after signing', fields: form(BASE_CONDITIONS, BASE).map(([n, v]) => [n, n === 'policy' ? `${v.slice(0, -4)}AAAA` : v] as const),
    refused: ['SignatureDoesNotMatch', /does not match/] },
  { name: 'an unknown access key', fields: form(BASE_CONDITIONS, BASE, { accessKeyId: 'NOBODY' }),
    refused: ['InvalidAccessKeyId', /does not exist in our records/] },
  { name: 'an unknown access key (SigV2)', fields: form(BASE_CONDITIONS, BASE, { version: 2, accessKeyId: 'NOBODY' }),
    refused: ['InvalidAccessKeyId', /does not exist/] },
  { name: 'a credential scoped to other buckets', fields: form(BASE_CONDITIONS, BASE, { accessKeyId: 'SCOPED' }),
    refused: ['AccessDenied', /^Access Denied$/] },
  { name: 'a form without a signature is anonymous: its policy is not read, and it is admitted to go unsigned',
    fields: [['key', 'anon/${filename}'], ['policy', 'not even base64!'], ['acl', 'public-read']], filename: 'a.txt', key: 'anon/a.txt' },
  { name: 'an anonymous form where the gateway refuses anonymous requests', anonymous: 'refuse',
    fields: [['key', 'k'], ['policy', b64({})]], refused: ['AccessDenied', /^Access Denied$/] },
  { name: 'no key field', fields: form(BASE_CONDITIONS, BASE).filter(([n]) => n !== 'key'),
    refused: ['InvalidArgument', /^Bucket POST must contain a field named 'key'\.  If it is specified, please check the order of the fields\.$/] },
  { name: 'a missing signature field', fields: form(BASE_CONDITIONS, BASE, { drop: ['x-amz-signature'] }),
    refused: ['InvalidArgument', /field named 'X-Amz-Signature'/] },
  { name: 'a missing algorithm is named before the credential', fields: form(BASE_CONDITIONS, BASE, { drop: ['x-amz-algorithm', 'x-amz-credential'] }),
    refused: ['InvalidArgument', /field named 'X-Amz-Algorithm'/] },
  { name: 'a missing SigV2 signature', fields: form(BASE_CONDITIONS, BASE, { version: 2, drop: ['signature'] }),
    refused: ['InvalidArgument', /field named 'Signature'/] },
  { name: 'a malformed credential',
    fields: form(BASE_CONDITIONS, BASE).map(([n, v]) => [n, n === 'x-amz-credential' ? 'KEY/20260301/cn-bj' : v] as const),
    refused: ['InvalidArgument', /the Credential is mal-formed/] },
  { name: 'policy that is not base64', fields: form(BASE_CONDITIONS, BASE, { rawPolicy: 'not base64!' }),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: invalid Base64 encoding\.$/] },
  { name: 'policy that is not JSON', fields: form(BASE_CONDITIONS, BASE, { rawPolicy: b64('{"expiration": ') }),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Invalid JSON\.$/] },
  { name: 'policy without an expiration', fields: form(BASE_CONDITIONS, BASE, { rawPolicy: b64({ conditions: [] }) }),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Policy missing expiration\.$/] },
  { name: 'an expiration that is not ISO 8601 UTC', fields: form(BASE_CONDITIONS, BASE, { expiration: '2026-03-01 13:00:00+02:00' }),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Invalid 'expiration' value: '2026-03-01 13:00:00\+02:00'$/] },
  { name: 'policy member names are case-sensitive',
    fields: form(BASE_CONDITIONS, BASE, { rawPolicy: b64({ EXPIRATION: '2026-03-01T13:00:00Z', conditions: [] }) }),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Unexpected: 'expiration'$/] },
  { name: 'conditions that are not a list',
    fields: form(BASE_CONDITIONS, BASE, { rawPolicy: b64({ expiration: '2026-03-01T13:00:00Z', conditions: {} }) }),
    refused: ['InvalidPolicyDocument', /must be a List\.$/] },
  { name: 'a simple condition with two properties', fields: form([{ bucket: 'photos', key: 'k' }], BASE),
    refused: ['InvalidPolicyDocument', /Simple-Conditions must have exactly one property specified\.$/] },
  { name: 'an empty simple condition', fields: form([{}], BASE),
    refused: ['InvalidPolicyDocument', /exactly one property/] },
  { name: 'a simple condition whose value is not a string', fields: form([{ 'content-length': 6199034 }], BASE),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Invalid Simple-Condition: value must be a string\.$/] },
  { name: 'an unknown operation', fields: form([['ends-with', '$key', 'x']], BASE),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Invalid Condition: unknown operation 'ends-with'\.$/] },
  { name: 'a content-length-range without its maximum', fields: form([['content-length-range', 0]], BASE),
    refused: ['InvalidPolicyDocument', /^Invalid Policy: Invalid content-length-range: wrong number of arguments\.$/] },
  { name: 'a negative content-length-range', fields: form([['content-length-range', -1, 0]], BASE),
    refused: ['InvalidPolicyDocument', /cannot be negative/] },
  { name: 'a content-length-range bound that is not a number fails as a condition',
    fields: form([...BASE_CONDITIONS, ['content-length-range', 'test', '10']], BASE),
    refused: ['AccessDenied', /Policy Condition failed: \["content-length-range", "test", "10"\]$/] },
  { name: 'a key over 1024 bytes',
    fields: form([{ bucket: 'photos' }, ['starts-with', '$key', '']], [['key', 'k'.repeat(1025)]]),
    refused: ['KeyTooLongError', /too long/] },
];

t.test('the verifier accepts what S3 accepts and refuses the rest with S3\'s code and message', async (t) => {
  for (const c of cases) {
    const run = () => verifyPostForm({ bucket: c.bucket ?? 'photos', fields: c.fields, filename: c.filename }, lookup, NOW,
      c.anonymous ?? 'forward');
    if (!c.refused) {
      const v = run();
      t.equal(v.key, c.key, c.name);
      t.equal(v.anonymous, !c.fields.some(([n]) => /^(x-amz-signature|signature)$/i.test(n)), `${c.name}: signed or anonymous`);
      continue;
    }
    try {
      run();
      t.fail(`${c.name}: accepted`);
    } catch (err) {
      t.ok(err instanceof S3Error, `${c.name}: an S3Error`);
      const e = err as S3Error;
      t.equal(e.code, c.refused[0], `${c.name}: ${e.code}`);
      t.match(e.message, c.refused[1], `${c.name}: message`);
    }
  }
});

t.test('a wrong signature carries what S3 sends client authors (the policy as the string to sign)', async (t) => {
  const fields = form(BASE_CONDITIONS, BASE, { secret: 'nope' });
  const e = t.throws(() => verifyPostForm({ bucket: 'photos', fields }, lookup, NOW)) as S3Error;
  const policy = fields.find(([n]) => n === 'policy')![1];
  t.equal(e.detail.StringToSign, policy);
  t.equal(e.detail.AWSAccessKeyId, KEY);
  t.equal(e.detail.StringToSignBytes!.split(' ').length, policy.length);
});

t.test('content-length-range bounds are inclusive; outside them EntityTooSmall / EntityTooLarge with the sizes', async (t) => {
  const fields = form([...BASE_CONDITIONS, ['content-length-range', 5, 10], ['content-length-range', '0', '12']], BASE);
  const { size } = verifyPostForm({ bucket: 'photos', fields }, lookup, NOW);
  t.same(size, { min: 5, max: 10 }, 'several ranges intersect; numeric strings count');
  t.doesNotThrow(() => checkFileSize(size, 5));
  t.doesNotThrow(() => checkFileSize(size, 10));
  const small = t.throws(() => checkFileSize(size, 1)) as S3Error;
  t.same([small.code, small.detail], ['EntityTooSmall', { ProposedSize: '1', MinSizeAllowed: '5' }]);
  const large = t.throws(() => checkFileSize(size, 12)) as S3Error;
  t.same([large.code, large.status, large.detail], ['EntityTooLarge', 400, { ProposedSize: '12', MaxSizeAllowed: '10' }]);
});

t.test('AWS\'s published SigV4 POST example verifies as published', async (t) => {
  // docs.aws.amazon.com sigv4-post-example: the policy (CRLF line ends), its credentials and its signature.
  const policy = b64('{ "expiration": "2015-12-30T12:00:00.000Z",\r\n  "conditions": [\r\n    {"bucket": "sigv4examplebucket"},\r\n' +
    '    ["starts-with", "$key", "user/user1/"],\r\n    {"acl": "public-read"},\r\n' +
    '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},\r\n' +
    '    ["starts-with", "$Content-Type", "image/"],\r\n    {"x-amz-meta-uuid": "14365123651274"},\r\n' +
    '    {"x-amz-server-side-encryption": "AES256"},\r\n    ["starts-with", "$x-amz-meta-tag", ""],\r\n\r\n' +
    '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},\r\n' +
    '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},\r\n    {"x-amz-date": "20151229T000000Z" }\r\n  ]\r\n}');
  const example = new Map([['AKIAIOSFODNN7EXAMPLE', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }]]);
  const fields: FormField[] = [
    ['key', 'user/user1/${filename}'], ['acl', 'public-read'],
    ['success_action_redirect', 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html'],
    ['Content-Type', 'image/jpeg'], ['x-amz-meta-uuid', '14365123651274'], ['x-amz-server-side-encryption', 'AES256'],
    ['X-Amz-Credential', 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request'], ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Date', '20151229T000000Z'], ['x-amz-meta-tag', ''], ['Policy', policy],
    ['X-Amz-Signature', '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e'],
  ];
  const v = verifyPostForm({ bucket: 'sigv4examplebucket', fields, filename: 'MyPicture.jpg' }, (id) => example.get(id),
    new Date('2015-12-29T10:00:00Z'));
  t.equal(v.key, 'user/user1/MyPicture.jpg');
  t.equal(v.accessKeyId, 'AKIAIOSFODNN7EXAMPLE');
});

t.test('the PutObject a form stands for: headers, metadata, tags and ACL', async (t) => {
  const values = new Map([
    ['key', 'k'], ['content-type', 'image/png'], ['cache-control', 'max-age=60'], ['x-amz-meta-who', 'Zoë'],
    ['acl', 'public-read'], ['x-amz-storage-class', 'STANDARD_IA'], ['success_action_status', '201'], ['policy', 'x'],
    ['tagging', '<Tagging><TagSet><Tag><Key>team</Key><Value>blue sky</Value></Tag><Tag><Key>a&amp;b</Key><Value></Value></Tag></TagSet></Tagging>'],
  ]);
  t.same(putHeaders(values, 3), {
    'content-type': 'image/png', 'content-length': '3', 'cache-control': 'max-age=60',
    'x-amz-meta-who': `=?UTF-8?B?${Buffer.from('Zoë').toString('base64')}?=`, 'x-amz-storage-class': 'STANDARD_IA',
    'x-amz-acl': 'public-read', 'x-amz-tagging': 'team=blue%20sky&a%26b=',
  });
  t.equal(putHeaders(new Map([['key', 'k']]), 0)['content-type'], 'binary/octet-stream', 'S3\'s default type');
  t.equal(taggingHeader('<InvalidXmlTagging></InvalidXmlTagging>'), undefined, 'a document naming no tag stores none');
  t.throws(() => taggingHeader('not-xml'), { code: 'MalformedXML' });
});

t.test('the answer: 204 by default, 200, 201 with a PostResponse, 303 to the redirect', async (t) => {
  const stored = { bucket: 'photos', key: 'a b/c.jpg', etag: '"e1"', location: 'http://h/photos/a%20b%2Fc.jpg' };
  const answer = (pairs: Array<[string, string]>) => postAnswer(new Map(pairs), stored, { 'x-amz-version-id': 'v1', server: 'x' });
  const plain = answer([]);
  t.same([plain.status, plain.headers], [204, { 'x-amz-version-id': 'v1', etag: '"e1"', location: stored.location }]);
  t.equal(answer([['success_action_status', '404']]).status, 204, 'an invalid status is the default');
  t.equal(answer([['success_action_status', '200']]).status, 200);
  const created = answer([['success_action_status', '201']]);
  t.equal(created.status, 201);
  t.equal(created.body, '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://h/photos/a%20b%2Fc.jpg</Location>' +
    '<Bucket>photos</Bucket><Key>a b/c.jpg</Key><ETag>"e1"</ETag></PostResponse>');
  const moved = answer([['success_action_redirect', 'https://app.example/done?x=1'], ['success_action_status', '201']]);
  t.equal(moved.status, 303);
  t.equal(moved.headers.location, 'https://app.example/done?x=1&bucket=photos&key=a+b%2Fc.jpg&etag=%22e1%22');
  t.equal(answer([['redirect', 'http://app.example/ok']]).headers.location, 'http://app.example/ok?bucket=photos&key=a+b%2Fc.jpg&etag=%22e1%22');
  t.equal(answer([['success_action_redirect', '/relative/path']]).status, 204, 'a URL S3 cannot interpret is ignored');
});
