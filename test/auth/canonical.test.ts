// The pieces of the canonical request, and stripAuthQuery (fixtures/auth/strip-auth-query.json).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { canonicalHeaders } from '../../src/auth/canonical-headers.js';
import { canonicalQuery } from '../../src/auth/canonical-query.js';
import { canonicalUriCandidates } from '../../src/auth/canonical-uri.js';
import { percentDecode } from '../../src/auth/percent-decode.js';
import { stripAuthQuery } from '../../src/auth/presign-query.js';
import { deriveSigningKey } from '../../src/auth/signing-key.js';
import { uriEncodeString } from '../../src/auth/uri-encode.js';

t.test('S3 URI encoding', async (t) => {
  t.equal(uriEncodeString('test$file.text', true), 'test%24file.text');
  t.equal(uriEncodeString("a b/c~d-e_f.g!'()*", true), 'a%20b/c~d-e_f.g%21%27%28%29%2A');
  t.equal(uriEncodeString('a/b', false), 'a%2Fb');
  t.equal(uriEncodeString('é+=&', false), '%C3%A9%2B%3D%26');
});

t.test('percent decoding works on bytes', async (t) => {
  t.same([...percentDecode('%ff%FE%zz%4', false)], [0xff, 0xfe, 0x25, 0x7a, 0x7a, 0x25, 0x34], 'invalid UTF-8 and stray % survive');
  t.equal(percentDecode('a+b', true).toString(), 'a b');
  t.equal(percentDecode('a+b', false).toString(), 'a+b');
});

t.test('canonical URI candidates', async (t) => {
  t.same(canonicalUriCandidates(''), ['/']);
  t.same(canonicalUriCandidates('/b/k~%7E%41'), ['/b/k~~A', '/b/k~%7E%41'], 're-encoded first, then as received');
  t.same(canonicalUriCandidates('/b/a+b'), ['/b/a%2Bb', '/b/a+b', '/b/a%20b']);
  t.same(canonicalUriCandidates('/b/%E6%97%A5'), ['/b/%E6%97%A5'], 'nothing to try twice');
  t.same(canonicalUriCandidates('/b/%ff'), ['/b/%FF', '/b/%ff'], 'invalid UTF-8 round-trips as bytes');
});

t.test('canonical query', async (t) => {
  t.equal(canonicalQuery('max-keys=2&prefix=J', true), 'max-keys=2&prefix=J');
  t.equal(canonicalQuery('prefix=J&max-keys=2', true), 'max-keys=2&prefix=J', 'sorted by name');
  t.equal(canonicalQuery('lifecycle', true), 'lifecycle=', 'a bare name gets an empty value');
  t.equal(canonicalQuery('a=2&a=1&a=10', true), 'a=1&a=10&a=2', 'repeated names sorted by value');
  t.equal(canonicalQuery('prefix=a b&x=%7e!', true), 'prefix=a%20b&x=~%21', 're-encoded strictly');
  t.equal(canonicalQuery('prefix=a+b', true), 'prefix=a%20b');
  t.equal(canonicalQuery('prefix=a+b', false), 'prefix=a%2Bb');
  t.equal(canonicalQuery('&&a=1&', true), 'a=1', 'empty pieces ignored');
  t.equal(canonicalQuery('a=1&X-Amz-Signature=s&X-Amz-Date=d', true, 'X-Amz-Signature'), 'X-Amz-Date=d&a=1');
  t.equal(canonicalQuery('k%3D=v%3D%26', true), 'k%3D=v%3D%26');
});

t.test('canonical headers', async (t) => {
  const headers = { host: 'h', 'x-amz-meta-a': '  two   spaces\there  ', 'x-amz-meta-b': ['1 ', ' 2'], range: undefined };
  t.equal(canonicalHeaders(headers, ['host', 'range', 'x-amz-meta-a', 'x-amz-meta-b']),
    'host:h\nrange:\nx-amz-meta-a:two spaces here\nx-amz-meta-b:1,2\n');
});

t.test('stripAuthQuery keeps every other parameter as received', async (t) => {
  const cases: Array<{ in: string; out: string }> = JSON.parse(readFileSync(new URL('../../fixtures/auth/strip-auth-query.json', import.meta.url), 'utf8'));
  for (const c of cases) t.equal(stripAuthQuery(c.in), c.out, c.in);
});

t.test('signing keys', async (t) => {
  const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
  t.equal(key.toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9', 'the SigV4 documentation example');
  t.equal(deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam'), key, 'cached');
  for (let i = 0; i < 300; i++) deriveSigningKey(`secret-${i}`, '20150830', 'us-east-1', 's3');
  const again = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
  t.not(again, key, 'evicted once the cache was full');
  t.ok(again.equals(key));
  t.not(deriveSigningKey('other', '20150830', 'us-east-1', 'iam').toString('hex'), key.toString('hex'));
});
